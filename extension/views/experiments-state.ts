/**
 * The experiments the Experiments view shows: the incremental index over the configured roots,
 * kept current by file watchers (batched events, no full rescan), the runs the extension started,
 * which config each folder was built from, and the sweeps launched (both remembered in workspaceState),
 * and what the Jobs view knows of their Slurm jobs (the ends seen are remembered too, also of jobs
 * linked only by name, which are followed from one refresh to the next).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { whenSlurmFeatures } from "../clusters/register";
import { ExperimentIndex, type FileEvent } from "../experiments/experiment-index";
import {
  type BuildRecord,
  describeExperiment,
  type ExperimentView,
  runKey,
  type StatusInputs,
} from "../experiments/experiment-status";
import type { CommandRunner } from "../jobs/command-runner";
import { lookUpFinalState } from "../jobs/job-history";
import type { FinalRecord } from "../jobs/jobs-model";
import { endedFromDeparture, followQueue, type QueueSightings } from "./experiments-departures";
import {
  addEnded,
  type EndedJobs,
  ExperimentJobs,
  type JobsKnowledge,
  rememberEnded,
} from "./experiments-jobs";
import { type SweepLaunches, sweepLaunchesKey } from "./sweep-groups";

const buildsKey = "thunder.builds";
const endedJobsKey = "thunder.experiments.endedJobs";
const sightingsKey = "thunder.experiments.jobsLinkedByName";
/** sacct/scontrol lookups per refresh for jobs linked by name; more departures keep their last sighting. */
const maxFinalStateLookups = 5;
const eventBatchMs = 300;

export class ExperimentsState implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];
  private index = new ExperimentIndex({ roots: [] });
  private readonly running = new Set<string>();
  private pending: FileEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private jobs: (() => JobsKnowledge) | undefined;
  private runner: ((cluster: string) => CommandRunner) | undefined;
  private jobsUpdates: Promise<void> = Promise.resolve();
  lastScanMs = 0;

  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("thunder.experiments")) void this.restart();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restart()),
      whenSlurmFeatures((slurm) => {
        this.jobs = () => slurm.jobsKnowledge();
        this.runner = (cluster) => slurm.runner(cluster);
        this.disposables.push(slurm.onDidChangeJobs(() => void this.jobsChanged()));
        this.changed.fire();
      }),
    );
  }

  /** One update at a time: each reads what the previous one stored. */
  private jobsChanged(): Promise<void> {
    this.jobsUpdates = this.jobsUpdates
      .then(() => this.rememberEnds())
      .catch((error: unknown) =>
        this.log.warn(`Following Slurm jobs: ${error instanceof Error ? error.message : String(error)}`),
      );
    return this.jobsUpdates;
  }

  /**
   * Remembers the ends the Jobs service saw (our submissions), and those of the jobs linked only by
   * name that left the queue since the last refresh (their final state looked up like ours).
   */
  private async rememberEnds(): Promise<void> {
    if (this.jobs === undefined) return;
    const knowledge = this.jobs();
    const now = Date.now();
    const previous = this.endedJobs();
    const ended = rememberEnded(previous, knowledge, now);
    if (ended !== previous) await this.workspaceState.update(endedJobsKey, ended);
    const names = new Set(this.index.list().map((experiment) => experiment.name));
    const previousSightings = this.workspaceState.get<QueueSightings>(sightingsKey, {});
    const { sightings, departed } = followQueue(
      previousSightings,
      knowledge,
      (entry) => !entry.ours && !entry.finished && names.has(entry.name),
      now,
    );
    if (departed.length > 0) {
      this.changed.fire();
      // One after another: each lookup opens channels on the cluster's one shared connection.
      const finals: FinalRecord[][] = [];
      for (const [index, sighting] of departed.entries())
        finals.push(
          index < maxFinalStateLookups ? await this.finalRecords(sighting.cluster, sighting.jobId) : [],
        );
      const withDeparted = addEnded(
        ended,
        departed.map((sighting, index) => endedFromDeparture(sighting, finals[index]!, now)),
      );
      if (withDeparted !== ended) await this.workspaceState.update(endedJobsKey, withDeparted);
    }
    // Stored after the ends, so a window closed in between loses no departure.
    if (sightings !== previousSightings) await this.workspaceState.update(sightingsKey, sightings);
    this.changed.fire();
  }

  private async finalRecords(cluster: string, jobId: string): Promise<FinalRecord[]> {
    if (this.runner === undefined) return [];
    try {
      return (await lookUpFinalState(this.runner(cluster), jobId)).records;
    } catch (error) {
      this.log.warn(`Final state of job ${jobId} on "${cluster}": ${String(error)}`);
      return [];
    }
  }

  private endedJobs(): EndedJobs {
    return this.workspaceState.get<EndedJobs>(endedJobsKey, {});
  }

  private statusInputs(): StatusInputs {
    const inputs: StatusInputs = { running: this.running, builds: this.builds() };
    const jobs = this.slurmJobs();
    if (jobs !== undefined) {
      const now = Date.now();
      inputs.slurm = (folder) => jobs.stateOf(folder, now);
      inputs.slurmFolds = (folder, nodeNames) => jobs.foldStatesOf(folder, nodeNames, now);
    }
    return inputs;
  }

  /** What Slurm says about experiments (and sweep roots), once the Slurm layer is there. */
  slurmJobs(): ExperimentJobs | undefined {
    return this.jobs === undefined ? undefined : new ExperimentJobs(this.jobs(), this.endedJobs());
  }

  /** Roots from `thunder.experiments.roots` (relative to each workspace folder), else the folders. */
  roots(): string[] {
    const roots: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const configured = vscode.workspace
        .getConfiguration("thunder.experiments", folder.uri)
        .get<string[]>("roots", [])
        .filter((root) => typeof root === "string" && root.trim() !== "");
      const list = configured.length > 0 ? configured : ["."];
      for (const root of list) roots.push(path.resolve(folder.uri.fsPath, root));
    }
    return [...new Set(roots)];
  }

  restart(): Promise<void> {
    this.scanning = this.scanning.then(() => this.fullScan());
    return this.scanning;
  }

  private async fullScan(): Promise<void> {
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers = [];
    const roots = this.roots();
    const exclude = vscode.workspace.getConfiguration("thunder.experiments").get<string[]>("exclude", []);
    this.index = new ExperimentIndex({ roots, exclude });
    const started = Date.now();
    try {
      await this.index.rescanAll();
    } catch (error) {
      this.log.warn(`Scanning experiments: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.lastScanMs = Date.now() - started;
    this.log.info(`Found ${this.index.size} experiments under ${roots.join(", ")} in ${this.lastScanMs} ms.`);
    for (const root of roots) {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(root), "**"),
      );
      watcher.onDidCreate((uri) => this.queue({ type: "created", path: uri.fsPath }));
      watcher.onDidChange((uri) => this.queue({ type: "changed", path: uri.fsPath }));
      watcher.onDidDelete((uri) => this.queue({ type: "deleted", path: uri.fsPath }));
      this.watchers.push(watcher);
    }
    this.changed.fire();
  }

  /** Tells the index about changes the extension itself made (faster than waiting for watchers). */
  notify(events: FileEvent[]): void {
    for (const event of events) this.queue(event);
  }

  private queue(event: FileEvent): void {
    this.pending.push(event);
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => void this.flush(), eventBatchMs);
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const events = this.pending.splice(0);
    if (events.length === 0) return;
    await this.scanning;
    try {
      const change = await this.index.applyEvents(events);
      if (change.added.length + change.updated.length + change.removed.length > 0) this.changed.fire();
    } catch (error) {
      this.log.warn(`Updating experiments: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  experiments(): ExperimentView[] {
    const inputs = this.statusInputs();
    return this.index.list().map((experiment) => describeExperiment(experiment, inputs));
  }

  experiment(folder: string): ExperimentView | undefined {
    const scanned = this.index.get(folder);
    return scanned && describeExperiment(scanned, this.statusInputs());
  }

  scanned(folder: string) {
    return this.index.get(folder);
  }

  builds(): BuildRecord {
    return this.workspaceState.get<BuildRecord>(buildsKey, {});
  }

  /** The sweep launches the sweep commands recorded (root folder -> sweep and config). */
  sweepLaunches(): SweepLaunches {
    return this.workspaceState.get<SweepLaunches>(sweepLaunchesKey, {});
  }

  async recordBuild(experimentFolder: string, config: string): Promise<void> {
    const folder = path.resolve(experimentFolder);
    // Re-inserted last, so builtFrom() finds the newest build of a config at the end.
    const { [folder]: _previous, ...others } = this.builds();
    const builds = { ...others, [folder]: { config: path.resolve(config) } };
    await this.workspaceState.update(buildsKey, builds);
    this.notify([{ type: "created", path: path.join(experimentFolder, "experiment.config") }]);
  }

  /** The newest folder built from `config` that still exists. */
  builtFrom(config: string): string | undefined {
    const wanted = path.resolve(config);
    const builds = this.builds();
    const folders = Object.keys(builds).filter(
      (folder) => builds[folder]?.config === wanted && this.index.get(folder) !== undefined,
    );
    return folders.at(-1);
  }

  setRunning(folder: string, names: readonly string[] | undefined, running: boolean): void {
    const keys = names && names.length > 0 ? names.map((name) => runKey(folder, name)) : [runKey(folder)];
    for (const key of keys) {
      if (running) this.running.add(key);
      else this.running.delete(key);
    }
    this.changed.fire();
    if (!running) this.notify([{ type: "changed", path: folder }]);
  }

  isRunning(folder: string): boolean {
    const key = runKey(folder);
    return [...this.running].some((candidate) => candidate === key || candidate.startsWith(`${key}\u0000`));
  }

  dispose(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    for (const watcher of this.watchers) watcher.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
