/**
 * The Jobs view's data: one `squeue --me` per cluster per refresh over the cluster's shared
 * connection, the recorded submissions (workspaceState, so they survive a reload), the jobs we
 * watch until they end (then their final state from sacct/scontrol and a notification), and the
 * polling schedule (60 s, 10 s while one of ours waits to start, nothing while the view is hidden).
 */
import * as vscode from "vscode";
import type { SlurmRunRequest } from "../clusters/slurm-submission";
import type { ThunderContext } from "../context";
import { PollSchedule, pollIntervalMs, systemClock } from "../slurm/poll-schedule";
import { parseSqueue, squeueArgs } from "../slurm/squeue";
import { type Submission, SubmissionLog } from "../slurm/submissions";
import { type CommandRunner, LOCAL_CLUSTER } from "./command-runner";
import { lookUpFinalState } from "./job-history";
import {
  departedArrayTasks,
  endedJobs,
  experimentName,
  hasWaitingOwnJobs,
  type JobEntry,
  summarizeFinal,
  toJobEntry,
} from "./jobs-model";

const submissionsKey = "thunder.slurm.submissions";
const watchedKey = "thunder.slurm.watched";
const requestsKey = "thunder.slurm.requests";
/** Departed array tasks looked up per refresh; more wait for the next one or for the array's end. */
const maxTaskLookUpsPerRefresh = 10;
/** Ended jobs kept in the view per cluster. */
const finishedKept = 20;

export interface ClusterJobs {
  entries: JobEntry[];
  finished: JobEntry[];
  error: string | undefined;
  refreshedAt: Date | undefined;
}

export interface JobsServiceHost {
  /** Clusters to show (configured ones, plus this machine when it has sbatch). */
  clusterNames(): string[];
  /** Should this cluster be polled now (connected, reconnecting, or watched jobs)? */
  shouldPoll(name: string, manual: boolean): boolean;
  runner(name: string): CommandRunner;
}

export class JobsService implements vscode.Disposable {
  readonly submissions: SubmissionLog;
  private readonly watched: { cluster: string; jobId: string }[];
  private readonly requests: Record<string, SlurmRunRequest>;
  private readonly jobs = new Map<string, ClusterJobs>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly schedule: PollSchedule;
  private manualRequested = false;
  private readonly reportedStuck = new Set<string>();
  private readonly configurationListener: vscode.Disposable;

  constructor(
    private readonly ctx: ThunderContext,
    private readonly host: JobsServiceHost,
  ) {
    const state = ctx.extensionContext.workspaceState;
    const { log, problems } = SubmissionLog.fromJSON(state.get(submissionsKey));
    for (const problem of problems) ctx.log.warn(problem);
    this.submissions = log;
    const watched = state.get<unknown>(watchedKey);
    this.watched = Array.isArray(watched)
      ? watched.filter(
          (item): item is { cluster: string; jobId: string } =>
            typeof item?.cluster === "string" && typeof item?.jobId === "string",
        )
      : [];
    this.requests = { ...(state.get<Record<string, SlurmRunRequest>>(requestsKey) ?? {}) };
    const pollInterval = () =>
      pollIntervalMs(vscode.workspace.getConfiguration("thunder.jobs").get<unknown>("pollInterval"));
    this.schedule = new PollSchedule({
      clock: systemClock,
      refresh: () => {
        const manual = this.manualRequested;
        this.manualRequested = false;
        return this.refreshAll(manual);
      },
      idleIntervalMs: pollInterval(),
      waitingIntervalMs: 10_000,
      onError: (error) =>
        ctx.log.warn(`Jobs refresh: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.configurationListener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("thunder.jobs.pollInterval"))
        this.schedule.setIdleInterval(pollInterval());
    });
  }

  jobsOf(cluster: string): ClusterJobs | undefined {
    return this.jobs.get(cluster);
  }

  requestOf(cluster: string, jobId: string): SlurmRunRequest | undefined {
    return this.requests[`${cluster}/${jobId}`];
  }

  /**
   * Records a submission and watches the job until it ends. `request` (what Resubmit runs again) is
   * absent for jobs that are not a thunder run, such as an array job of sweep agents.
   */
  async recordSubmission(
    submission: Omit<Submission, "submittedAt">,
    request?: SlurmRunRequest,
  ): Promise<void> {
    // Which folds `--names` picked decides which fold each array task runs (the Experiments view's fold rows).
    this.submissions.add({ ...submission, names: submission.names ?? request?.names });
    this.watched.push({ cluster: submission.cluster, jobId: submission.jobId });
    if (request !== undefined) this.requests[`${submission.cluster}/${submission.jobId}`] = request;
    // Keep the request map as small as the submission log.
    for (const key of Object.keys(this.requests)) {
      const [cluster, jobId] = [key.slice(0, key.lastIndexOf("/")), key.slice(key.lastIndexOf("/") + 1)];
      if (!this.submissions.find(cluster, jobId)) delete this.requests[key];
    }
    await this.save();
    this.schedule.setHasWaitingJobs(true);
  }

  private async save(): Promise<void> {
    const state = this.ctx.extensionContext.workspaceState;
    await state.update(submissionsKey, this.submissions.toJSON());
    await state.update(watchedKey, this.watched);
    await state.update(requestsKey, this.requests);
  }

  /** A manual refresh: every shown cluster that is not disconnected on purpose. */
  refreshNow(): Promise<void> {
    this.manualRequested = true;
    return this.schedule.refreshNow();
  }

  async refreshAll(manual: boolean): Promise<{ hasWaitingJobs: boolean }> {
    const names = this.host.clusterNames().filter((name) => this.host.shouldPoll(name, manual));
    await Promise.all(names.map((name) => this.refreshCluster(name)));
    this.changed.fire();
    const waiting = [...this.jobs.values()].some((jobs) => hasWaitingOwnJobs(jobs.entries));
    return { hasWaitingJobs: waiting };
  }

  private experimentByName(name: string): string | undefined {
    const match = [...this.submissions.all]
      .reverse()
      .find((item) => experimentName(item.experiment) === name);
    return match?.experiment;
  }

  async refreshCluster(cluster: string): Promise<void> {
    const previous = this.jobs.get(cluster) ?? {
      entries: [],
      finished: [],
      error: undefined,
      refreshedAt: undefined,
    };
    let stdout: string;
    try {
      const result = await this.host.runner(cluster).exec(squeueArgs(), { timeoutMs: 60_000 });
      if (result.exitCode !== 0) {
        throw new Error(
          `squeue failed on cluster "${cluster}": ${result.stderr.trim() || `exit code ${result.exitCode}`}. ` +
            `Check that Slurm's commands are on the PATH of non-interactive logins there.`,
        );
      }
      stdout = result.stdout;
    } catch (error) {
      // Keep the last jobs on screen; the cluster row shows what went wrong.
      this.jobs.set(cluster, { ...previous, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const queue = parseSqueue(stdout);
    const entries = queue.map((job) =>
      toJobEntry(cluster, job, this.submissions.all, (name) => this.experimentByName(name)),
    );
    const current: ClusterJobs = {
      entries,
      finished: previous.finished,
      error: undefined,
      refreshedAt: new Date(),
    };
    this.jobs.set(cluster, current);
    await this.taskDeparted(
      cluster,
      departedArrayTasks(previous.entries, entries, previous.finished),
      current,
    );
    this.reportStuckJobs(cluster, entries);
    const watchedHere = this.watched.filter((item) => item.cluster === cluster).map((item) => item.jobId);
    const ended = endedJobs(watchedHere, queue);
    for (const jobId of ended) await this.jobEnded(cluster, jobId, current);
    if (ended.length > 0) await this.save();
  }

  /** Looks up how departed array tasks ended (a few per refresh; the array's end fills in the rest). */
  private async taskDeparted(cluster: string, tasks: readonly JobEntry[], jobs: ClusterJobs): Promise<void> {
    const ended: JobEntry[] = [];
    for (const task of tasks.slice(0, maxTaskLookUpsPerRefresh)) {
      let state = "ENDED";
      let exitCode: string | undefined;
      try {
        const final = await lookUpFinalState(this.host.runner(cluster), task.displayId);
        const record = final.records.find((item) => item.taskId === task.arrayTaskId) ?? final.records[0];
        if (record !== undefined) ({ state, exitCode } = record);
      } catch (error) {
        this.ctx.log.warn(`Final state of task ${task.displayId} on "${cluster}": ${String(error)}`);
      }
      ended.push({
        ...task,
        state,
        reason: undefined,
        reasonText: undefined,
        stuck: false,
        resources: exitCode ? `exit code ${exitCode}` : undefined,
        finished: true,
      });
    }
    if (ended.length > 0) jobs.finished = [...ended, ...jobs.finished].slice(0, finishedKept);
  }

  private async jobEnded(cluster: string, jobId: string, jobs: ClusterJobs): Promise<void> {
    const index = this.watched.findIndex((item) => item.cluster === cluster && item.jobId === jobId);
    if (index >= 0) this.watched.splice(index, 1);
    const submission = this.submissions.find(cluster, jobId);
    let final: Awaited<ReturnType<typeof lookUpFinalState>>;
    try {
      final = await lookUpFinalState(this.host.runner(cluster), jobId);
    } catch (error) {
      this.ctx.log.warn(`Final state of job ${jobId} on "${cluster}": ${String(error)}`);
      final = { source: "none", records: [], name: undefined };
    }
    const name = final.name ?? (submission ? experimentName(submission.experiment) : `job ${jobId}`);
    const summary = summarizeFinal(final.records);
    const records =
      final.records.length > 0 ? final.records : [{ taskId: undefined, state: "ENDED", exitCode: undefined }];
    const finishedEntries: JobEntry[] = records.map((record) => ({
      cluster,
      displayId: record.taskId === undefined ? jobId : `${jobId}_${record.taskId}`,
      jobId,
      arrayTaskId: record.taskId,
      name,
      state: record.state,
      reason: undefined,
      reasonText: undefined,
      stuck: false,
      elapsed: undefined,
      timeLimit: undefined,
      partition: undefined,
      nodes: undefined,
      resources: record.exitCode ? `exit code ${record.exitCode}` : undefined,
      experiment: submission?.experiment,
      ours: submission !== undefined,
      finished: true,
    }));
    jobs.finished = [...finishedEntries, ...jobs.finished.filter((entry) => entry.jobId !== jobId)].slice(
      0,
      finishedKept,
    );
    const where = cluster === LOCAL_CLUSTER ? "" : ` on cluster "${cluster}"`;
    const text = `Slurm job ${jobId} (${name})${where} ended: ${summary.state}.`;
    this.ctx.log.info(text);
    const shown = summary.failed
      ? vscode.window.showWarningMessage(text, "Open Log", "Show Jobs")
      : vscode.window.showInformationMessage(text, "Open Log", "Show Jobs");
    void shown.then((choice) => {
      const entry = finishedEntries[0];
      if (choice === "Open Log")
        void vscode.commands.executeCommand("thunder.jobs.openLog", { kind: "job", job: entry });
      else if (choice === "Show Jobs") void vscode.commands.executeCommand("thunder.jobs.focus");
    });
  }

  /** Says once per job when one of ours waits for something that never comes (e.g. `PartitionConfig`). */
  private reportStuckJobs(cluster: string, entries: readonly JobEntry[]): void {
    for (const entry of entries) {
      if (!entry.ours || !entry.stuck) continue;
      const key = `${cluster}/${entry.jobId}`;
      if (this.reportedStuck.has(key)) continue;
      this.reportedStuck.add(key);
      const text =
        `Slurm job ${entry.displayId} (${entry.name}) on cluster "${cluster}" is pending with reason ` +
        `${entry.reason}: ${entry.reasonText ?? "it will not start by itself."}`;
      this.ctx.log.warn(text);
      void vscode.window.showWarningMessage(text, "Cancel Job").then((choice) => {
        if (choice === "Cancel Job")
          void vscode.commands.executeCommand("thunder.jobs.cancel", { kind: "job", job: entry });
      });
    }
  }

  hasWatched(cluster: string): boolean {
    return this.watched.some((item) => item.cluster === cluster);
  }

  dispose(): void {
    this.configurationListener.dispose();
    this.schedule.dispose();
    this.changed.dispose();
  }
}
