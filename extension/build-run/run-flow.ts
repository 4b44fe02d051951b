/**
 * "Thunder: Run Experiment": backend choice (default first, then backends.yml, then built-ins),
 * optional engine options for this run, then `thunder run` as a VS Code Task with a
 * ProcessExecution (an argument array) in a terminal named after the experiment.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { isEngineName } from "../backends/engine-options";
import { runOnSlurm } from "../clusters/register";
import type { ThunderContext } from "../context";
import { CommandLineError, type RunRequest, runArgs } from "../thunder-cli/command-lines";
import type { BackendsStore } from "../views/backends-store";
import type { ExperimentsState } from "../views/experiments-state";
import { locateThunder } from "../which-thunder/locate-thunder";
import { backendChoices, optionKeys, parseEngineOverrides } from "./backend-choices";

export const thunderTaskType = "thunder";
const lastBackendKey = "thunder.lastBackend";

export interface RunChoice {
  backend: string;
  engine: string;
  engineOptions: Record<string, string | number>;
}

export class RunFlow implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts or ends. */
  readonly onDidChangeRuns = this.changed.event;
  private readonly active = new Map<vscode.TaskExecution, { folder: string; names?: readonly string[] }>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly ctx: ThunderContext,
    private readonly backends: BackendsStore,
    private readonly experiments: ExperimentsState,
  ) {
    this.disposables.push(vscode.tasks.onDidEndTaskProcess((event) => this.finished(event)));
  }

  get lastBackend(): string | undefined {
    return this.ctx.extensionContext.workspaceState.get<string>(lastBackendKey);
  }

  isRunning(folder: string): boolean {
    return [...this.active.values()].some((run) => run.folder === path.resolve(folder));
  }

  /** Asks for the backend and this run's engine options; undefined when cancelled. */
  async chooseBackend(experimentName: string): Promise<RunChoice | undefined> {
    if (this.backends.model === undefined) await this.backends.reload();
    const model = this.backends.model ?? { entries: [], problems: [], editable: false };
    const choices = backendChoices(model);
    const choice = await vscode.window.showQuickPick(
      choices.map((backend) => ({
        label: backend.name,
        description: [backend.engine, backend.isDefault ? "default" : "", backend.builtIn ? "built-in" : ""]
          .filter(Boolean)
          .join(" · "),
        detail: backend.summary || undefined,
        backend,
      })),
      { title: `Run ${experimentName}: backend`, placeHolder: "Where to run (the default comes first)" },
    );
    if (choice === undefined) return undefined;
    const engine = choice.backend.engine;
    let engineOptions: Record<string, string | number> = {};
    if (isEngineName(engine)) {
      const text = await vscode.window.showInputBox({
        title: `Run ${experimentName} on ${choice.backend.name}: engine options for this run`,
        prompt: `Optional key=value words overriding the stored options (${optionKeys(engine)}). Leave empty for none.`,
        validateInput: (value) => {
          const parsed = parseEngineOverrides(engine, value);
          return parsed.ok ? undefined : parsed.message;
        },
      });
      if (text === undefined) return undefined;
      const parsed = parseEngineOverrides(engine, text);
      if (parsed.ok) engineOptions = parsed.options;
    }
    return { backend: choice.backend.name, engine, engineOptions };
  }

  /**
   * Runs an experiment: with `backend` given (the status bar's last backend) nothing is asked.
   * Resolves when the task has started.
   */
  async run(folder: string, options: { names?: readonly string[]; backend?: string } = {}): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage("Running experiments is disabled in an untrusted workspace.");
      return false;
    }
    const experiment = path.resolve(folder);
    const name = path.basename(experiment);
    let choice: RunChoice | undefined;
    if (options.backend !== undefined) choice = { backend: options.backend, engine: "", engineOptions: {} };
    else choice = await this.chooseBackend(name);
    if (choice === undefined) return false;
    const entry = this.backends.model?.entries.find((candidate) => candidate.name === choice.backend);
    const engine = choice.engine || (entry?.engine ?? (isEngineName(choice.backend) ? choice.backend : ""));
    if (engine === "slurm") {
      // Slurm runs go through sbatch here or over SSH on a cluster, not a local task.
      const stored: Record<string, string | number> = {};
      for (const option of entry?.options ?? []) {
        if (typeof option.value === "string" || typeof option.value === "number")
          stored[option.key] = option.value;
      }
      const submitted = await runOnSlurm({
        kind: "run",
        experiment,
        names: options.names,
        backend: choice.backend,
        engine,
        engineOptions: { ...stored, ...choice.engineOptions },
      });
      if (submitted !== undefined)
        await this.ctx.extensionContext.workspaceState.update(lastBackendKey, choice.backend);
      return submitted !== undefined;
    }
    const thunder = await locateThunder(vscode.Uri.file(experiment));
    if (!thunder.ok) {
      this.ctx.log.error(thunder.message);
      void vscode.window.showErrorMessage(thunder.message);
      return false;
    }
    const request: RunRequest = { experiment, backend: choice.backend };
    if (options.names && options.names.length > 0) request.names = options.names;
    if (isEngineName(choice.engine) && Object.keys(choice.engineOptions).length > 0) {
      request.engineOptions = { engine: choice.engine, options: choice.engineOptions };
    }
    let args: string[];
    try {
      args = runArgs(request);
    } catch (error) {
      if (error instanceof CommandLineError) {
        void vscode.window.showErrorMessage(error.message);
        return false;
      }
      throw error;
    }
    await this.ctx.extensionContext.workspaceState.update(lastBackendKey, choice.backend);
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(experiment));
    const cwd = workspaceFolder?.uri.fsPath ?? path.dirname(experiment);
    const definition: vscode.TaskDefinition = { type: thunderTaskType, experiment, backend: choice.backend };
    if (request.names) definition.names = [...request.names];
    const execution = new vscode.ProcessExecution(thunder.executable.path, args, { cwd });
    const taskName = request.names ? `${name} (${request.names.join(",")})` : name;
    const task = new vscode.Task(
      definition,
      workspaceFolder ?? vscode.TaskScope.Workspace,
      taskName,
      "thunder",
      execution,
      [],
    );
    task.presentationOptions = {
      reveal: vscode.TaskRevealKind.Always,
      panel: vscode.TaskPanelKind.Dedicated,
      clear: true,
    };
    this.ctx.log.info(
      `$ ${[thunder.executable.path, ...args].map((arg) => JSON.stringify(arg)).join(" ")}   (task "${taskName}", in ${cwd})`,
    );
    const started = await vscode.tasks.executeTask(task);
    this.active.set(started, { folder: experiment, names: request.names });
    this.experiments.setRunning(experiment, request.names, true);
    this.changed.fire();
    return true;
  }

  private finished(event: vscode.TaskProcessEndEvent): void {
    const run = this.active.get(event.execution);
    if (run === undefined) return;
    this.active.delete(event.execution);
    this.experiments.setRunning(run.folder, run.names, false);
    this.changed.fire();
    const name = path.basename(run.folder);
    this.ctx.log.info(`thunder run ${name} exited with ${event.exitCode}`);
    if (event.exitCode === 0) {
      void vscode.window.showInformationMessage(`Run of ${name} finished.`);
    } else {
      void vscode.window
        .showErrorMessage(
          `Run of ${name} failed (exit code ${event.exitCode ?? "unknown"}); see its terminal.`,
          "Show Log",
        )
        .then((choice) => {
          if (choice === "Show Log") this.ctx.showLog();
        });
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
