/**
 * "Thunder: Launch Sweep Agents": the pasted W&B command (checked live), the config, the root
 * folder for the runs, the backend with this launch's option overrides, the number of agents and
 * where they run; then the agents start as VS Code tasks (ProcessExecution: argument arrays, no
 * shell), each in its own terminal, with the exact command lines in the Thunder log.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { BackendEntry, BackendsModel } from "../backends/backends-document";
import { readBackendsFile } from "../backends/backends-file";
import { resolveBackendsPath } from "../backends/backends-path";
import { type EngineName, isEngineName, type OptionValue } from "../backends/engine-options";
import { backendChoices, optionKeys, parseEngineOverrides } from "../build-run/backend-choices";
import { slurmFeatures } from "../clusters/register";
import type { ThunderContext } from "../context";
import { planLocalAgents } from "../sweeps/agent-plan";
import type { SweepReference } from "../sweeps/sweep-command";
import { type SweepLaunches, sweepLaunchesKey, withSweepLaunch } from "../views/sweep-groups";
import { locateThunder } from "../which-thunder/locate-thunder";
import { type ClusterMode, configuredClusters, launchOnCluster } from "./cluster-launch";
import {
  type AgentTaskSpec,
  defaultSweepRoot,
  effectiveEngineOptions,
  localAgentTasks,
  parseAgentCount,
  resolveSweepRoot,
  sweepFromInput,
  sweepInputProblem,
} from "./launch-steps";

/**
 * Not the contributed `thunder` type on purpose: VS Code identifies a task of a contributed type by
 * the declared properties only, so N agents would be one task and all but the first refused as
 * "already active". An undeclared type is identified by its whole definition (agent and launch).
 */
const taskType = "thunder-sweep-agent";
const lastAgentCountKey = "thunder.sweeps.lastAgentCount";
const steps = 6;

export interface LaunchPreset {
  config?: vscode.Uri;
}

interface BackendPick {
  name: string;
  engine: string;
  overrides: Record<string, OptionValue>;
  /** The backends.yml entry; undefined for the built-ins. */
  entry?: BackendEntry;
}

type Where = { mode: "local" } | { mode: ClusterMode; cluster: string };

interface RunningAgent {
  launch: number;
  name: string;
  sweepPath: string;
}

export class SweepLauncher implements vscode.Disposable {
  private readonly running = new Map<vscode.TaskExecution, RunningAgent>();
  private readonly disposables: vscode.Disposable[] = [];
  private launches = 0;

  constructor(private readonly ctx: ThunderContext) {
    this.disposables.push(vscode.tasks.onDidEndTaskProcess((event) => this.agentEnded(event)));
  }

  /** Asks for everything, then starts the agents; returns without doing anything when cancelled. */
  async launch(preset: LaunchPreset = {}): Promise<void> {
    const sweep = await this.askSweep();
    if (sweep === undefined) return;
    const config = preset.config ?? (await this.pickConfig(sweep));
    if (config === undefined) return;
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(config);
    const cwd = workspaceFolder?.uri.fsPath ?? path.dirname(config.fsPath);
    const root = await this.askRoot(sweep, cwd);
    if (root === undefined) return;
    const backend = await this.pickBackend(sweep);
    if (backend === undefined) return;
    const agents = await this.askAgentCount(sweep);
    if (agents === undefined) return;
    const where = await this.pickWhere(sweep, agents);
    if (where === undefined) return;

    const engine: EngineName | undefined = isEngineName(backend.engine) ? backend.engine : undefined;
    // The Experiments view groups the runs under ROOT by this record (and shows their overrides).
    const state = this.ctx.extensionContext.workspaceState;
    await state.update(
      sweepLaunchesKey,
      withSweepLaunch(state.get<SweepLaunches>(sweepLaunchesKey, {}), root, {
        sweepPath: sweep.path,
        config: config.fsPath,
      }),
    );
    if (where.mode !== "local") {
      await this.ctx.extensionContext.workspaceState.update(lastAgentCountKey, agents);
      const arrayOptions =
        engine === undefined ? {} : effectiveEngineOptions(backend.entry, engine, backend.overrides);
      const nWorkers = engine === "cli" ? Number(arrayOptions.n_workers ?? 1) : undefined;
      await launchOnCluster(this.ctx, {
        mode: where.mode,
        cluster: where.cluster,
        sweepPath: sweep.path,
        sweepId: sweep.sweepId,
        workingFolder: cwd,
        config: config.fsPath,
        root,
        agents,
        choice: { backend: backend.name, engine, options: backend.overrides },
        slurmOptions: engine === "slurm" ? arrayOptions : {},
        nWorkers,
      });
      return;
    }
    const thunder = await locateThunder(config);
    if (!thunder.ok) {
      this.ctx.log.error(thunder.message);
      void vscode.window.showErrorMessage(thunder.message);
      return;
    }
    const plan = planLocalAgents({
      sweepPath: sweep.path,
      configPath: config.fsPath,
      root,
      thunder: thunder.executable.path,
      backend: backend.name,
      engine,
      options: backend.overrides,
      agents,
    });
    if (!plan.ok) {
      this.ctx.log.error(`Sweep ${sweep.path}: ${plan.message}`);
      void vscode.window.showErrorMessage(plan.message);
      return;
    }
    await this.ctx.extensionContext.workspaceState.update(lastAgentCountKey, agents);
    await this.startLocalAgents(localAgentTasks(plan.plan, sweep.path, cwd), workspaceFolder, sweep, root);
  }

  private async askSweep(): Promise<SweepReference | undefined> {
    const text = await vscode.window.showInputBox({
      title: `Launch Sweep Agents (1/${steps}): W&B sweep`,
      prompt:
        "Paste the `wandb agent ENTITY/PROJECT/SWEEP_ID` line that `wandb sweep` printed, or the sweep path.",
      placeHolder: "wandb agent my-team/my-project/abc123xy",
      ignoreFocusOut: true,
      validateInput: sweepInputProblem,
    });
    return text === undefined ? undefined : sweepFromInput(text);
  }

  private async pickConfig(sweep: SweepReference): Promise<vscode.Uri | undefined> {
    const files = await vscode.workspace.findFiles("**/*.config", "**/{node_modules,.git}/**", 500);
    const candidates = files.filter((uri) => path.basename(uri.fsPath) !== "experiment.config");
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(
        "There is no .config file in this workspace for the sweep's runs to be built from.",
      );
      return undefined;
    }
    // The config in the active editor is the likely one: offer it first.
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    candidates.sort(
      (a, b) =>
        Number(b.toString() === active) - Number(a.toString() === active) ||
        vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b)),
    );
    const choice = await vscode.window.showQuickPick(
      candidates.map((uri) => ({
        label: vscode.workspace.asRelativePath(uri),
        description: uri.toString() === active ? "active editor" : undefined,
        uri,
      })),
      {
        title: `Launch Sweep Agents (2/${steps}): config for the runs of ${sweep.path}`,
        placeHolder: "Every sweep run is built from this config with the run's parameters as overrides",
        ignoreFocusOut: true,
      },
    );
    return choice?.uri;
  }

  private async askRoot(sweep: SweepReference, workspaceFolder: string): Promise<string | undefined> {
    const typed = await vscode.window.showInputBox({
      title: `Launch Sweep Agents (3/${steps}): root folder for the runs`,
      prompt: "Each run is built in ROOT/<run id> (relative to the workspace folder, or absolute)",
      value: defaultSweepRoot(sweep),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const result = resolveSweepRoot(workspaceFolder, value);
        return result.ok ? undefined : result.message;
      },
    });
    if (typed === undefined) return undefined;
    const result = resolveSweepRoot(workspaceFolder, typed);
    return result.ok ? result.root : undefined;
  }

  private async readBackends(): Promise<BackendsModel> {
    const setting = vscode.workspace.getConfiguration("thunder").get<string>("backendsFile", "");
    const filePath = resolveBackendsPath(setting, {
      platform: process.platform,
      homeDir: os.homedir(),
      env: process.env,
    });
    try {
      return (await readBackendsFile(filePath)).model;
    } catch (error) {
      this.ctx.log.warn(`Reading ${filePath}: ${error instanceof Error ? error.message : String(error)}`);
      return { entries: [], problems: [], editable: false };
    }
  }

  private async pickBackend(sweep: SweepReference): Promise<BackendPick | undefined> {
    const model = await this.readBackends();
    const choice = await vscode.window.showQuickPick(
      backendChoices(model).map((backend) => ({
        label: backend.name,
        description: [backend.engine, backend.isDefault ? "default" : "", backend.builtIn ? "built-in" : ""]
          .filter(Boolean)
          .join(" · "),
        detail: backend.summary || undefined,
        backend,
      })),
      {
        title: `Launch Sweep Agents (4/${steps}): backend for the runs of ${sweep.path}`,
        placeHolder: "How each sweep run is run (the default comes first)",
        ignoreFocusOut: true,
      },
    );
    if (choice === undefined) return undefined;
    const engine = choice.backend.engine;
    const entry = model.entries.find((candidate) => candidate.name === choice.backend.name);
    if (!isEngineName(engine)) return { name: choice.backend.name, engine, overrides: {}, entry };
    const text = await vscode.window.showInputBox({
      title: `Launch Sweep Agents (4/${steps}): engine options on ${choice.backend.name}`,
      prompt: `Optional key=value words overriding the stored options for these agents (${optionKeys(engine)}). Leave empty for none.`,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = parseEngineOverrides(engine, value);
        return parsed.ok ? undefined : parsed.message;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseEngineOverrides(engine, text);
    return parsed.ok ? { name: choice.backend.name, engine, overrides: parsed.options, entry } : undefined;
  }

  private async askAgentCount(sweep: SweepReference): Promise<number | undefined> {
    const last = this.ctx.extensionContext.workspaceState.get<number>(lastAgentCountKey);
    const typed = await vscode.window.showInputBox({
      title: `Launch Sweep Agents (5/${steps}): number of agents`,
      prompt: `How many agents pull runs of ${sweep.path} at the same time`,
      value: String(last ?? 1),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const result = parseAgentCount(value);
        return result.ok ? undefined : result.message;
      },
    });
    if (typed === undefined) return undefined;
    const result = parseAgentCount(typed);
    return result.ok ? result.agents : undefined;
  }

  private async pickWhere(sweep: SweepReference, agents: number): Promise<Where | undefined> {
    const plural = agents === 1 ? "" : "s";
    const items: { label: string; detail: string; mode: Where["mode"] }[] = [
      {
        label: "$(device-desktop) On this machine",
        detail: `${agents} agent process${plural}, each in its own terminal`,
        mode: "local",
      },
    ];
    const clusters = configuredClusters();
    if (clusters.length > 0) {
      const on = clusters.length === 1 ? `cluster "${clusters[0]}"` : "a Slurm cluster";
      items.push(
        {
          label: `$(server) On ${on}: agents on the login node`,
          detail: `${agents} long-lived agent${plural}, each in its own Slurm terminal; each run goes through the chosen backend (a Slurm job with a slurm backend)`,
          mode: "login-node",
        },
        {
          label: `$(server-process) On ${on}: agents as a Slurm array job`,
          detail: `One array job of ${agents} task${plural}, each an agent training its runs with the cli backend inside its allocation (resources from the chosen slurm backend)`,
          mode: "array-job",
        },
      );
    }
    const choice = await vscode.window.showQuickPick(items, {
      title: `Launch Sweep Agents (6/${steps}): where the agents of ${sweep.path} run`,
      ignoreFocusOut: true,
    });
    if (choice === undefined) return undefined;
    if (choice.mode === "local") return { mode: "local" };
    // The Slurm layer's picker: the only cluster at once, else a choice (last used first).
    const cluster = await slurmFeatures().pickCluster(
      `Launch Sweep Agents: cluster for the agents of ${sweep.path}`,
    );
    return cluster === undefined ? undefined : { mode: choice.mode, cluster };
  }

  private async startLocalAgents(
    specs: AgentTaskSpec[],
    workspaceFolder: vscode.WorkspaceFolder | undefined,
    sweep: SweepReference,
    root: string,
  ): Promise<void> {
    const launch = ++this.launches;
    this.ctx.log.info(`Sweep ${sweep.path}: starting ${specs.length} local agent(s), runs in ${root}`);
    for (const spec of specs) {
      // The launch number keeps a new launch's tasks apart from still-running ones of an earlier launch.
      const definition: vscode.TaskDefinition = {
        type: taskType,
        root,
        sweep: sweep.path,
        agent: spec.index,
        launch,
      };
      const task = new vscode.Task(
        definition,
        workspaceFolder ?? vscode.TaskScope.Workspace,
        spec.name,
        "thunder",
        new vscode.ProcessExecution(spec.executable, spec.args, { cwd: spec.cwd }),
        [],
      );
      task.presentationOptions = {
        reveal: spec.index === 1 ? vscode.TaskRevealKind.Always : vscode.TaskRevealKind.Silent,
        panel: vscode.TaskPanelKind.Dedicated,
        clear: true,
      };
      this.ctx.log.info(spec.logLine);
      const execution = await vscode.tasks.executeTask(task);
      this.running.set(execution, { launch, name: spec.name, sweepPath: sweep.path });
    }
    void vscode.window.showInformationMessage(
      `Started ${specs.length} agent${specs.length === 1 ? "" : "s"} for ${sweep.path}; runs go to ${vscode.workspace.asRelativePath(root)}.`,
    );
  }

  private agentEnded(event: vscode.TaskProcessEndEvent): void {
    const agent = this.running.get(event.execution);
    if (agent === undefined) return;
    this.running.delete(event.execution);
    this.ctx.log.info(`${agent.name} exited with ${event.exitCode ?? "no exit code"}`);
    // The Experiments view follows file watchers, which may coalesce or drop events from runs built
    // in quick succession; an agent's end is the moment to look at its runs for sure.
    void vscode.commands.executeCommand("thunder.experiments.refresh");
    if (event.exitCode !== 0) {
      void vscode.window
        .showErrorMessage(
          `${agent.name} failed (exit code ${event.exitCode ?? "unknown"}); see its terminal.`,
          "Show Log",
        )
        .then((choice) => {
          if (choice === "Show Log") this.ctx.showLog();
        });
      return;
    }
    const others = [...this.running.values()].filter((other) => other.launch === agent.launch);
    if (others.length === 0)
      void vscode.window.showInformationMessage(`The agents of ${agent.sweepPath} have finished.`);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
