/**
 * Wires Slurm over SSH into VS Code: clusters and their status bar item, runs on Slurm (this machine's
 * sbatch, else a cluster over SSH), Slurm terminals, the Jobs view and its actions. The one entry
 * point main.ts calls is `registerSlurmFeatures`; the run command of the experiments layer calls
 * `runOnSlurm` for backends whose engine is `slurm`, and other features (sweep agents) reach the
 * cluster picker, the shared connections and Slurm terminals through `slurmFeatures()`.
 */
import { accessSync, constants, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { readBackendsFile } from "../backends/backends-file";
import { resolveBackendsPath } from "../backends/backends-path";
import { parseEngineOverrides } from "../build-run/backend-choices";
import type { ThunderContext } from "../context";
import type { CommandRunner } from "../jobs/command-runner";
import { LOCAL_CLUSTER } from "../jobs/command-runner";
import { experimentName, type JobEntry } from "../jobs/jobs-model";
import { JobsService } from "../jobs/jobs-service";
import { type JobsNode, JobsTreeProvider } from "../jobs/jobs-view";
import { LogDocuments, logScheme, logUri } from "../jobs/log-documents";
import { shJoin } from "../remote/posix-quote";
import { scancelArgs } from "../slurm/scancel";
import type { Submission } from "../slurm/submissions";
import { SshPseudoterminal } from "../slurm-terminal/ssh-pseudoterminal";
import {
  experimentTerminal,
  submissionTerminalFolder,
  submissionTranscript,
  TerminalRegistry,
} from "../slurm-terminal/submission-transcript";
import { buildRemoteCommand } from "../ssh/connection";
import { SWEEP_AGENTS_BACKEND } from "../sweep-commands/cluster-agents";
import type { JobsKnowledge } from "../views/experiments-jobs";
import { locateThunder } from "../which-thunder/locate-thunder";
import { ClusterManager, clusterStatusCommand } from "./cluster-manager";
import { type ClusterSettings, type FolderMapping, toRemotePath } from "./cluster-settings";
import {
  findOnPath,
  interpretSubmission,
  planSlurmCommand,
  type SlurmRunRequest,
  slurmBackendChoices,
} from "./slurm-submission";

export type { SlurmRunRequest } from "./slurm-submission";

export interface SlurmRunResult {
  cluster: string;
  jobIds: string[];
}

export interface SlurmTerminalOptions {
  cluster: string;
  /** The terminal's name in the terminal list. */
  name: string;
  /** Remote folder the shell changes to first (quoted). */
  cwd?: string;
  /** Typed after the `cd`, one line each (the caller includes the cluster's setup lines if wanted). */
  initialLines?: readonly string[];
  /** Focus the terminal (default true). */
  show?: boolean;
  /** Shown in the terminal (not run) before the shell starts. */
  prelude?: string;
}

export interface SlurmFeatures {
  /** Submits a run/build whose backend engine is `slurm`; undefined when cancelled or refused (already reported). */
  runOnSlurm(request: SlurmRunRequest, options?: { cluster?: string }): Promise<SlurmRunResult | undefined>;
  /** The clusters of `thunder.clusters` that can be used, by name. */
  clusterNames(): string[];
  clusterSettings(name: string): ClusterSettings | undefined;
  /** The cluster's folder mappings, workspace folder names resolved (problems go to the log). */
  mappings(name: string): FolderMapping[];
  /** Asks which cluster (offers to open the settings when there is none); undefined when cancelled. */
  pickCluster(title: string): Promise<string | undefined>;
  /** Runs commands over the cluster's one shared connection (host keys and secrets asked there). */
  runner(name: string): CommandRunner;
  /** A Slurm terminal on the shared connection: `cd` to `cwd`, then the initial lines. */
  openTerminal(options: SlurmTerminalOptions): vscode.Terminal;
  /** What the Jobs view knows: recorded submissions, and per cluster the queue and the jobs seen ending. */
  jobsKnowledge(): JobsKnowledge;
  /** Fires after each refresh of the jobs and when a submission is recorded. */
  readonly onDidChangeJobs: vscode.Event<void>;
  /** Records a job submitted outside `runOnSlurm` (sweep agents) and watches it until it ends. */
  recordSubmission(submission: Omit<Submission, "submittedAt">): Promise<void>;
}

let registered: SlurmFeatures | undefined;
const registrationListeners = new Set<(features: SlurmFeatures) => void>();

/**
 * Calls `listener` with the Slurm layer once it is registered (at once if it is): the experiments
 * layer is registered first and follows the jobs from then on.
 */
export function whenSlurmFeatures(listener: (features: SlurmFeatures) => void): vscode.Disposable {
  if (registered) {
    listener(registered);
    return new vscode.Disposable(() => undefined);
  }
  registrationListeners.add(listener);
  return new vscode.Disposable(() => registrationListeners.delete(listener));
}

/** For other features (sweeps): the Slurm layer registered by `registerSlurmFeatures`. */
export function slurmFeatures(): SlurmFeatures {
  if (!registered) throw new Error("The Slurm features are not registered.");
  return registered;
}

/**
 * For the experiments layer: `if (engine === "slurm") return runOnSlurm({...})`. Reports its own
 * failures to the user; resolves undefined when nothing was submitted.
 */
export function runOnSlurm(
  request: SlurmRunRequest,
  options?: { cluster?: string },
): Promise<SlurmRunResult | undefined> {
  if (!registered) return Promise.reject(new Error("The Slurm features are not registered."));
  return registered.runOnSlurm(request, options);
}

const lastClusterKey = "thunder.slurm.lastCluster";

function localSbatch(): string | undefined {
  const mode = vscode.workspace.getConfiguration("thunder.slurm").get<string>("localSubmission", "auto");
  if (mode === "never") return undefined;
  return findOnPath("sbatch", process.env.PATH, (candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The experiment folder an argument stands for: an Experiments tree node, a Uri, or a path. */
function experimentFolderOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) {
    return path.basename(arg.fsPath) === "experiment.config" ? path.dirname(arg.fsPath) : arg.fsPath;
  }
  if (typeof arg === "string") return arg;
  const node = arg as { experiment?: { folder?: unknown } } | undefined;
  return typeof node?.experiment?.folder === "string" ? node.experiment.folder : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function registerSlurmFeatures(ctx: ThunderContext): SlurmFeatures {
  const clusters = new ClusterManager(ctx);
  ctx.own(clusters);
  // This machine appears once something was submitted with its own sbatch (VS Code on a login node).
  const clusterNames = () =>
    localSbatch() && jobs.submissions.forCluster(LOCAL_CLUSTER).length > 0
      ? [...clusters.names, LOCAL_CLUSTER]
      : clusters.names;
  const jobs: JobsService = new JobsService(ctx, {
    clusterNames,
    runner: (name) => clusters.runner(name),
    shouldPoll: (name: string, manual: boolean): boolean => {
      if (name === LOCAL_CLUSTER) return true;
      const state = clusters.state(name);
      if (state === "connected" || state === "connecting" || state === "disconnected") return true;
      if (state === "idle") return manual || jobs.hasWatched(name);
      return manual; // failed: only when the user asks
    },
  });
  ctx.own(jobs);
  const tree = new JobsTreeProvider(clusters, jobs, clusterNames);
  ctx.own(tree);
  const view = vscode.window.createTreeView("thunder.jobs", {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  ctx.own(view);
  jobs.schedule.setVisible(view.visible);
  ctx.own(view.onDidChangeVisibility((event) => jobs.schedule.setVisible(event.visible)));
  // A cluster that (re)connects is worth a look at once.
  ctx.own(
    clusters.onDidChange((name) => {
      if (name !== undefined && clusters.state(name) === "connected" && view.visible) void jobs.refreshNow();
    }),
  );
  const logs = new LogDocuments(
    (cluster) => clusters.runner(cluster),
    (cluster) => cluster === LOCAL_CLUSTER || clusters.state(cluster) === "connected",
  );
  ctx.own(logs);
  ctx.own(vscode.workspace.registerTextDocumentContentProvider(logScheme, logs));

  const register = (id: string, handler: (...args: unknown[]) => unknown) =>
    ctx.registerCommand(id, () => async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (error) {
        ctx.log.error(`${id}: ${errorText(error)}`);
        void vscode.window.showErrorMessage(`Thunder: ${errorText(error)}`, "Show Log").then((choice) => {
          if (choice === "Show Log") ctx.showLog();
        });
      }
    });

  const noClusters = async () => {
    const choice = await vscode.window.showWarningMessage(
      "No Slurm cluster is configured. Add one to the thunder.clusters setting (name, host, folders).",
      "Open Settings",
    );
    if (choice === "Open Settings")
      await vscode.commands.executeCommand("workbench.action.openSettings", "thunder.clusters");
  };

  const pickCluster = async (title: string, arg?: unknown): Promise<string | undefined> => {
    const fromNode =
      (arg as { kind?: string; name?: string } | undefined)?.kind === "cluster"
        ? (arg as { name: string }).name
        : undefined;
    if (fromNode !== undefined) return fromNode;
    const names = clusters.names;
    if (names.length === 0) {
      await noClusters();
      return undefined;
    }
    if (names.length === 1) return names[0];
    const last = ctx.extensionContext.workspaceState.get<string>(lastClusterKey);
    const ordered = [...names].sort((a, b) => Number(b === last) - Number(a === last));
    const choice = await vscode.window.showQuickPick(
      ordered.map((name) => ({ label: name, description: clusters.state(name) })),
      { title },
    );
    return choice?.label;
  };

  const connectWithFeedback = async (name: string) => {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Connecting to cluster "${name}"…` },
      () => clusters.connect(name),
    );
  };

  const terminalPtys = new WeakMap<vscode.Terminal, SshPseudoterminal>();
  const experimentTerminals = new TerminalRegistry<vscode.Terminal>();
  ctx.own(vscode.window.onDidCloseTerminal((terminal) => experimentTerminals.forget(terminal)));

  const openSlurmTerminal = (options: SlurmTerminalOptions): vscode.Terminal => {
    const connection = clusters.connection(options.cluster);
    const pty = new SshPseudoterminal({
      clusterName: options.cluster,
      openShell: (size) => connection.shell(size),
      cwd: options.cwd,
      initialLines: options.initialLines ?? [],
      prelude: options.prelude,
    });
    const terminal = vscode.window.createTerminal({
      name: options.name,
      pty,
      iconPath: new vscode.ThemeIcon("server"),
    });
    terminalPtys.set(terminal, pty);
    if (options.show ?? true) terminal.show();
    return terminal;
  };

  /**
   * The experiment's terminal on a cluster (the open one, else a new one in `cwd`), showing `text`
   * first. The shell of a reused terminal stays where the user left it.
   */
  const experimentTerminalWith = (
    cluster: string,
    experiment: string,
    cwd: string | undefined,
    text: string | undefined,
    preserveFocus: boolean,
  ): vscode.Terminal => {
    const spec = experimentTerminal(cluster, experiment, cwd);
    const open = experimentTerminals.get(spec.key);
    const pty = open && open.exitStatus === undefined ? terminalPtys.get(open) : undefined;
    if (open && pty) {
      if (text !== undefined) pty.showText(text);
      open.show(preserveFocus);
      return open;
    }
    const terminal = openSlurmTerminal({
      cluster,
      name: spec.name,
      cwd: spec.cwd,
      initialLines: clusters.settings(cluster)?.setup ?? [],
      prelude: text,
      show: false,
    });
    experimentTerminals.set(spec.key, terminal);
    terminal.show(preserveFocus);
    return terminal;
  };

  const jobsChanged = new vscode.EventEmitter<void>();
  ctx.own(jobsChanged);
  ctx.own(jobs.onDidChange(() => jobsChanged.fire()));
  const features: SlurmFeatures = {
    jobsKnowledge: () => ({
      submissions: jobs.submissions.all,
      clusters: clusterNames().flatMap((cluster) => {
        const known = jobs.jobsOf(cluster);
        return known ? [{ cluster, entries: known.entries, finished: known.finished }] : [];
      }),
    }),
    onDidChangeJobs: jobsChanged.event,
    async recordSubmission(submission) {
      await jobs.recordSubmission(submission);
      jobsChanged.fire();
      void jobs.refreshNow();
    },
    clusterNames: () => clusters.names,
    clusterSettings: (name) => clusters.settings(name),
    mappings: (name) => clusters.mappings(name),
    pickCluster: (title) => pickCluster(title),
    runner: (name) => clusters.runner(name),
    openTerminal: openSlurmTerminal,
    async runOnSlurm(request, options = {}) {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage("Running on Slurm is disabled in an untrusted workspace.");
        return undefined;
      }
      const experimentUri = vscode.Uri.file(request.experiment);
      const workspaceFolder = vscode.workspace.getWorkspaceFolder(experimentUri);
      const workingFolder = workspaceFolder?.uri.fsPath ?? path.dirname(request.experiment);
      let cluster: string;
      let plan: ReturnType<typeof planSlurmCommand>;
      const sbatch = options.cluster === undefined ? localSbatch() : undefined;
      if (options.cluster === LOCAL_CLUSTER || sbatch !== undefined) {
        cluster = LOCAL_CLUSTER;
        const thunder = await locateThunder(experimentUri);
        if (!thunder.ok) throw new Error(thunder.message);
        plan = planSlurmCommand(request, {
          clusterName: cluster,
          thunderCommand: [thunder.executable.path],
          setupLines: [],
          mappings: undefined,
          workingFolder,
        });
      } else {
        const chosen =
          options.cluster ?? (await pickCluster(`Submit ${experimentName(request.experiment)} to`));
        if (chosen === undefined) return undefined;
        cluster = chosen;
        const settings = clusters.settings(cluster);
        if (!settings) throw new Error(`There is no cluster "${cluster}" in the thunder.clusters setting.`);
        plan = planSlurmCommand(request, {
          clusterName: cluster,
          thunderCommand: settings.thunderCommand,
          setupLines: settings.setup,
          mappings: clusters.mappings(cluster),
          workingFolder,
        });
      }
      await ctx.extensionContext.workspaceState.update(lastClusterKey, cluster);
      const commandLine = shJoin(plan.args);
      ctx.log.info(
        `[${cluster}] $ ${plan.setupLines.length > 0 ? `${plan.setupLines.join(" && ")} && ` : ""}${commandLine}` +
          `${plan.cwd ? `   (in ${plan.cwd})` : ""}`,
      );
      const runner = clusters.runner(cluster);
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `thunder ${request.kind} ${experimentName(request.experiment)} on ${cluster === LOCAL_CLUSTER ? "Slurm" : `cluster "${cluster}"`}…`,
        },
        () => runner.exec(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines, timeoutMs: 10 * 60_000 }),
      );
      const output = `${result.stdout}${result.stderr}`.trim();
      if (output !== "") ctx.log.info(`[${cluster}] ${output.replace(/\n/g, `\n[${cluster}] `)}`);
      const outcome = interpretSubmission(cluster, result);
      const built = request.kind === "build" && result.exitCode === 0;
      if (cluster !== LOCAL_CLUSTER) {
        // The user sees the exact command and its answer where they would have typed it.
        const transcript = submissionTranscript({
          commandLine: buildRemoteCommand(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines }),
          result,
          at: new Date(),
          failure: built || outcome.ok ? undefined : outcome.message,
        });
        const folder = submissionTerminalFolder(request.kind, plan, result.exitCode);
        experimentTerminalWith(cluster, request.experiment, folder, transcript, true);
      }
      if (built) {
        void vscode.window.showInformationMessage(`Built ${plan.experimentPath} on cluster "${cluster}".`);
        return { cluster, jobIds: [] };
      }
      if (!outcome.ok) {
        ctx.log.error(outcome.message);
        void vscode.window.showErrorMessage(outcome.message, "Show Log").then((choice) => {
          if (choice === "Show Log") ctx.showLog();
        });
        return undefined;
      }
      for (const jobId of outcome.jobIds) {
        await jobs.recordSubmission(
          { experiment: request.experiment, cluster, backend: request.backend, jobId },
          request,
        );
      }
      jobsChanged.fire();
      const ids = outcome.jobIds.join(", ");
      void vscode.window
        .showInformationMessage(
          `Submitted ${experimentName(request.experiment)} to ${cluster === LOCAL_CLUSTER ? "Slurm" : `cluster "${cluster}"`} as job ${ids}.`,
          "Show Jobs",
        )
        .then((choice) => {
          if (choice === "Show Jobs") void vscode.commands.executeCommand("thunder.jobs.focus");
        });
      void jobs.refreshNow();
      return { cluster, jobIds: outcome.jobIds };
    },
  };
  registered = features;
  for (const listener of [...registrationListeners]) listener(features);
  registrationListeners.clear();
  ctx.own({ dispose: () => (registered = registered === features ? undefined : registered) });

  register(clusterStatusCommand, async () => {
    const names = clusters.names;
    if (names.length === 0) return noClusters();
    const items = names.flatMap((name) => {
      const connected = clusters.state(name) === "connected";
      return [
        {
          label: connected ? `$(debug-disconnect) Disconnect ${name}` : `$(plug) Connect to ${name}`,
          description: clusters.state(name),
          run: () => (connected ? clusters.disconnect(name) : connectWithFeedback(name)),
        },
        {
          label: `$(terminal) Open Slurm Terminal on ${name}`,
          description: "",
          run: () => openTerminal(name, undefined),
        },
      ];
    });
    const choice = await vscode.window.showQuickPick(items, { title: "Thunder clusters" });
    await choice?.run();
  });
  register("thunder.clusters.connect", async (arg) => {
    const name = await pickCluster("Connect to cluster", arg);
    if (name === undefined) return;
    await connectWithFeedback(name);
    void jobs.refreshNow();
  });
  register("thunder.clusters.disconnect", async (arg) => {
    const name = await pickCluster("Disconnect from cluster", arg);
    if (name !== undefined) await clusters.disconnect(name);
  });

  const openTerminal = async (name: string, experiment: string | undefined) => {
    if (name === LOCAL_CLUSTER) {
      const terminal = vscode.window.createTerminal({ name: "Slurm (this machine)", cwd: experiment });
      terminal.show();
      return;
    }
    const mappings = clusters.mappings(name);
    if (experiment !== undefined) {
      experimentTerminalWith(name, experiment, toRemotePath(experiment, mappings), undefined, false);
      return;
    }
    const local = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const cwd = local === undefined ? undefined : toRemotePath(local, mappings);
    openSlurmTerminal({
      cluster: name,
      name: `Slurm: ${name}`,
      cwd,
      initialLines: clusters.settings(name)?.setup ?? [],
    });
  };
  register("thunder.slurm.openTerminal", async (arg) => {
    const experiment = experimentFolderOf(arg);
    const node = arg as JobsNode | undefined;
    if (node && (node.kind === "job" || node.kind === "array")) {
      const entry = node.kind === "job" ? node.job : node;
      const cluster = node.kind === "job" ? node.job.cluster : node.cluster;
      return openTerminal(cluster, entry.experiment);
    }
    const name = await pickCluster("Open a Slurm terminal on", arg);
    if (name !== undefined) await openTerminal(name, experiment);
  });

  register("thunder.slurm.run", async (arg) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage("Running on Slurm is disabled in an untrusted workspace.");
      return;
    }
    const folder = experimentFolderOf(arg) ?? (await pickExperimentFolder());
    if (folder === undefined) return;
    const name = experimentName(folder);
    const backendsPath = resolveBackendsPath(
      vscode.workspace.getConfiguration("thunder").get<string>("backendsFile", ""),
      { platform: process.platform, homeDir: os.homedir(), env: process.env },
    );
    let model: Parameters<typeof slurmBackendChoices>[0] = { entries: [] };
    try {
      model = (await readBackendsFile(backendsPath)).model;
    } catch (error) {
      ctx.log.warn(`Reading ${backendsPath}: ${errorText(error)}`);
    }
    const choices = slurmBackendChoices(model);
    const backend = await vscode.window.showQuickPick(
      choices.map((choice) => ({
        label: choice.name,
        description: [choice.isDefault ? "default" : "", choice.name === "slurm" ? "built-in" : ""]
          .filter(Boolean)
          .join(" · "),
        detail:
          Object.entries(choice.options)
            .map(([key, value]) => `${key}=${value}`)
            .join(" ") || undefined,
        choice,
      })),
      { title: `Run ${name} on Slurm: backend`, placeHolder: "Backends whose engine is slurm" },
    );
    if (backend === undefined) return;
    const text = await vscode.window.showInputBox({
      title: `Run ${name} on ${backend.label}: engine options for this run`,
      prompt:
        "Optional key=value words (ram, cpu, gpu, partition, nodelist, time, limit). Leave empty for none.",
      validateInput: (value) => {
        const parsed = parseEngineOverrides("slurm", value);
        return parsed.ok ? undefined : parsed.message;
      },
    });
    if (text === undefined) return;
    const parsed = parseEngineOverrides("slurm", text);
    const overrides = parsed.ok ? parsed.options : {};
    await features.runOnSlurm({
      kind: "run",
      experiment: folder,
      backend: backend.choice.name,
      engine: "slurm",
      engineOptions: { ...backend.choice.options, ...overrides },
    });
  });

  register("thunder.jobs.refresh", () => jobs.refreshNow());

  /**
   * The job a command is about when it came without one: from the palette, or from a row's button
   * pressed while the view re-rendered (VS Code then passes no row).
   */
  const pickJob = async (
    title: string,
    include: (job: JobEntry) => boolean,
  ): Promise<JobsNode | undefined> => {
    const items = clusterNames().flatMap((cluster) => {
      const data = jobs.jobsOf(cluster);
      return [...(data?.entries ?? []), ...(data?.finished ?? [])].filter(include).map((job) => ({
        label: `${job.displayId} ${job.name}`,
        description: `${job.state} · ${cluster}`,
        job,
      }));
    });
    if (items.length === 0) {
      void vscode.window.showInformationMessage("There is no such job in the Jobs view.");
      return undefined;
    }
    const choice = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
    return choice && { kind: "job", job: choice.job };
  };

  register("thunder.jobs.openLog", async (arg) => {
    const node = (arg as JobsNode | undefined) ?? (await pickJob("Open the log of which job?", () => true));
    if (node?.kind === "job") {
      const job = node.job;
      const document = await vscode.workspace.openTextDocument(
        logUri({ cluster: job.cluster, jobId: job.jobId, arrayTaskId: job.arrayTaskId, name: job.name }),
      );
      await vscode.window.showTextDocument(document, { preview: true });
      return;
    }
    if (node?.kind === "array") {
      const task = await vscode.window.showQuickPick(
        node.tasks.map((entry) => ({ label: `task ${entry.arrayTaskId}`, description: entry.state, entry })),
        { title: `Log of which task of ${node.name}?` },
      );
      if (task)
        await vscode.commands.executeCommand("thunder.jobs.openLog", { kind: "job", job: task.entry });
    }
  });

  register("thunder.jobs.cancel", async (arg) => {
    const node =
      (arg as JobsNode | undefined) ?? (await pickJob("Cancel which job?", (job) => !job.finished));
    if (node?.kind !== "job" && node?.kind !== "array") return;
    let ids: string[];
    let cluster: string;
    if (node.kind === "array") {
      cluster = node.cluster;
      const choice = await vscode.window.showWarningMessage(
        `Cancel all ${node.tasks.length} tasks of array job ${node.arrayJobId} (${node.name}) on ${cluster}?`,
        { modal: true },
        "Cancel Array Job",
      );
      if (choice !== "Cancel Array Job") return;
      ids = [node.arrayJobId];
    } else {
      const job: JobEntry = node.job;
      cluster = job.cluster;
      const buttons =
        job.arrayTaskId === undefined
          ? ["Cancel Job"]
          : [`Cancel Task ${job.arrayTaskId}`, "Cancel Whole Array"];
      const choice = await vscode.window.showWarningMessage(
        `Cancel job ${job.displayId} (${job.name}, ${job.state}) on ${cluster}?`,
        { modal: true },
        ...buttons,
      );
      if (choice === undefined) return;
      ids = choice === "Cancel Whole Array" ? [job.jobId] : [job.displayId];
    }
    const result = await clusters.runner(cluster).exec(scancelArgs(ids), { timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      throw new Error(`scancel ${ids.join(" ")} on cluster "${cluster}" failed: ${result.stderr.trim()}`);
    }
    ctx.log.info(`[${cluster}] cancelled ${ids.join(" ")}`);
    await jobs.refreshNow();
  });

  register("thunder.jobs.resubmit", async (arg) => {
    const node = (arg as JobsNode | undefined) ?? (await pickJob("Resubmit which job?", () => true));
    if (node?.kind !== "job" && node?.kind !== "array") return;
    const cluster = node.kind === "job" ? node.job.cluster : node.cluster;
    const jobId = node.kind === "job" ? node.job.jobId : node.arrayJobId;
    const request = jobs.requestOf(cluster, jobId);
    if (request === undefined && jobs.submissions.find(cluster, jobId)?.backend === SWEEP_AGENTS_BACKEND) {
      throw new Error(
        `Job ${jobId} is an array job of sweep agents; start agents again with Launch Sweep Agents.`,
      );
    }
    if (request === undefined) {
      const experiment = node.kind === "job" ? node.job.experiment : node.experiment;
      if (experiment === undefined)
        throw new Error(`Job ${jobId} was not submitted from VS Code; run its experiment instead.`);
      await vscode.commands.executeCommand("thunder.slurm.run", experiment);
      return;
    }
    await features.runOnSlurm({ ...request, kind: "run" }, { cluster });
  });

  register("thunder.jobs.showExperimentJobs", async (arg) => {
    const folder = (arg as { experiment?: { folder?: unknown } } | undefined)?.experiment?.folder;
    if (typeof folder !== "string") return;
    await vscode.commands.executeCommand("thunder.jobs.focus");
    const rows = tree.rowsOfExperiment(folder);
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(
        `The Jobs view lists no job of ${path.basename(folder)} at the moment; it may have been purged from Slurm's memory.`,
      );
      return;
    }
    for (const [index, row] of rows.entries()) {
      await view.reveal(row, { select: index === 0, focus: index === 0, expand: true });
    }
  });

  register("thunder.jobs.revealExperiment", async (arg) => {
    const node =
      (arg as JobsNode | undefined) ??
      (await pickJob("Reveal the experiment of which job?", (job) => job.experiment !== undefined));
    const experiment =
      node?.kind === "job" ? node.job.experiment : node?.kind === "array" ? node.experiment : undefined;
    if (experiment === undefined) return;
    if (!existsSync(experiment)) {
      void vscode.window.showInformationMessage(
        `The experiment folder ${experiment} is not on this machine.`,
      );
      return;
    }
    await vscode.commands.executeCommand("revealInExplorer", vscode.Uri.file(experiment));
  });

  return features;
}

async function pickExperimentFolder(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles("**/experiment.config", "**/{node_modules,.git}/**", 2000);
  const folders = files
    .map((file) => path.dirname(file.fsPath))
    .filter((folder) => !/^fold_/.test(path.basename(folder)))
    .sort();
  if (folders.length === 0) {
    void vscode.window.showInformationMessage(
      "No built experiments found. Build one with Thunder: Build Experiment.",
    );
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    folders.map((folder) => ({
      label: path.basename(folder),
      description: vscode.workspace.asRelativePath(folder),
      folder,
    })),
    { title: "Run Experiment on Slurm" },
  );
  return choice?.folder;
}
