/**
 * What the Jobs view shows for one cluster, computed from one `squeue --me` result, the recorded
 * submissions and the jobs we saw end: array tasks grouped under their array job, jobs linked to
 * experiments, icons and descriptions per state. Also decides which of our jobs just ended.
 */
import { explainPendingReason, isStuckReason } from "../slurm/pending-reasons";
import { isWaitingState, type SlurmQueueJob } from "../slurm/squeue";
import type { Submission } from "../slurm/submissions";

export interface JobEntry {
  cluster: string;
  /** `123` or `120_3`. */
  displayId: string;
  /** The id to cancel or look up: the job id, or the array job id for an array. */
  jobId: string;
  arrayTaskId: string | undefined;
  name: string;
  state: string;
  reason: string | undefined;
  /** Plain-language pending reason. */
  reasonText: string | undefined;
  /** Pending for a reason that never resolves by itself (e.g. `PartitionConfig`). */
  stuck: boolean;
  elapsed: string | undefined;
  timeLimit: string | undefined;
  partition: string | undefined;
  nodes: string | undefined;
  resources: string | undefined;
  /** Local experiment folder, when the job is one of our submissions. */
  experiment: string | undefined;
  ours: boolean;
  /** True for jobs that left the queue (their state comes from sacct/scontrol). */
  finished: boolean;
}

export interface ArrayGroup {
  kind: "array";
  cluster: string;
  arrayJobId: string;
  name: string;
  /** A summary such as `RUNNING` or `2 RUNNING, 1 PENDING`. */
  state: string;
  tasks: JobEntry[];
  experiment: string | undefined;
  ours: boolean;
  finished: boolean;
}

export type JobsTreeItem = { kind: "job"; job: JobEntry } | ArrayGroup;

/** Codicon id and theme colour for a Slurm state. */
export function stateIcon(state: string): { icon: string; color: string | undefined } {
  const key = state.split(/[\s,]/)[0].toUpperCase();
  switch (key) {
    case "PENDING":
    case "CONFIGURING":
    case "REQUEUED":
      return { icon: "clock", color: "charts.yellow" };
    case "RUNNING":
    case "COMPLETING":
      return { icon: "sync~spin", color: "charts.blue" };
    case "COMPLETED":
      return { icon: "pass", color: "testing.iconPassed" };
    case "CANCELLED":
      return { icon: "circle-slash", color: "disabledForeground" };
    case "SUSPENDED":
    case "STOPPED":
      return { icon: "debug-pause", color: "charts.orange" };
    case "FAILED":
    case "TIMEOUT":
    case "NODE_FAIL":
    case "OUT_OF_MEMORY":
    case "PREEMPTED":
    case "BOOT_FAIL":
    case "DEADLINE":
      return { icon: "error", color: "testing.iconFailed" };
    default:
      return { icon: "question", color: undefined };
  }
}

function resources(job: SlurmQueueJob): string | undefined {
  const parts: string[] = [];
  if (job.cpus !== undefined) parts.push(`${job.cpus} CPU`);
  if (job.memory !== undefined) parts.push(job.memory);
  if (job.gres !== undefined) parts.push(job.gres.replace(/^gres:/, ""));
  return parts.length === 0 ? undefined : parts.join(", ");
}

/** Finds the submission a queue entry belongs to: by id first, else by the experiment's folder name. */
export function submissionFor(
  submissions: readonly Submission[],
  cluster: string,
  job: { jobId: string; arrayJobId?: string; name: string },
): Submission | undefined {
  const id = job.arrayJobId ?? job.jobId;
  return submissions.find((item) => item.cluster === cluster && item.jobId === id);
}

/** The experiment folder's name (the Slurm job name thunder gives): last path segment. */
export function experimentName(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, "")
      .split(/[\\/]/)
      .at(-1) ?? path
  );
}

export function toJobEntry(
  cluster: string,
  job: SlurmQueueJob,
  submissions: readonly Submission[],
  experimentsByName: (name: string) => string | undefined,
): JobEntry {
  const submission = submissionFor(submissions, cluster, job);
  const waiting = isWaitingState(job.state);
  return {
    cluster,
    displayId: job.displayId,
    jobId: job.arrayJobId ?? job.jobId,
    arrayTaskId: job.arrayTaskId,
    name: job.name,
    state: job.state,
    reason: waiting ? job.reason : undefined,
    reasonText: waiting ? explainPendingReason(job.reason) : undefined,
    stuck: waiting && isStuckReason(job.reason),
    elapsed: job.elapsed || undefined,
    timeLimit: job.timeLimit || undefined,
    partition: job.partition || undefined,
    nodes: job.nodes,
    resources: resources(job),
    experiment: submission?.experiment ?? experimentsByName(job.name),
    ours: submission !== undefined,
    finished: false,
  };
}

/** `RUNNING`, or counts such as `2 RUNNING, 1 PENDING` in a fixed order. */
export function summarizeStates(states: readonly string[]): string {
  const order = ["RUNNING", "COMPLETING", "PENDING", "CONFIGURING", "COMPLETED", "FAILED", "CANCELLED"];
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  if (counts.size === 1) return states[0];
  const keys = [...counts.keys()].sort((a, b) => {
    const ia = order.indexOf(a) < 0 ? order.length : order.indexOf(a);
    const ib = order.indexOf(b) < 0 ? order.length : order.indexOf(b);
    return ia - ib || a.localeCompare(b);
  });
  return keys.map((key) => `${counts.get(key)} ${key}`).join(", ");
}

/** Like `summarizeStates`, but always with counts (`3 COMPLETED`), so an array row says how many tasks. */
export function countStates(states: readonly string[]): string {
  if (states.length === 0) return "no tasks";
  const summary = summarizeStates(states);
  return /^\d+ /.test(summary) ? summary : `${states.length} ${summary}`;
}

/** The states whose icon stands for a whole array, most telling first (a failed task beats a finished one). */
const ARRAY_ICON_PRIORITY = [
  "RUNNING",
  "COMPLETING",
  "FAILED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "BOOT_FAIL",
  "DEADLINE",
  "PREEMPTED",
  "SUSPENDED",
  "STOPPED",
  "PENDING",
  "CONFIGURING",
  "REQUEUED",
  "CANCELLED",
  "COMPLETED",
];

/**
 * The one state an array row's icon shows: running while a task runs, a failure if any task failed,
 * else waiting, cancelled, and completed only when every task completed.
 */
export function arrayIconState(states: readonly string[]): string {
  const keys = states.map((state) => state.split(/[\s,]/)[0].toUpperCase());
  return ARRAY_ICON_PRIORITY.find((state) => keys.includes(state)) ?? states[0] ?? "";
}

function byNumericId(a: string, b: string): number {
  const [ja, ta] = a.split("_").map(Number);
  const [jb, tb] = b.split("_").map(Number);
  return jb - ja || (ta ?? 0) - (tb ?? 0);
}

/** Groups entries for the tree: newest job first, array tasks under their array in task order. */
export function groupJobs(cluster: string, entries: readonly JobEntry[]): JobsTreeItem[] {
  const items: JobsTreeItem[] = [];
  const arrays = new Map<string, ArrayGroup>();
  for (const entry of entries) {
    if (entry.arrayTaskId === undefined) {
      items.push({ kind: "job", job: entry });
      continue;
    }
    let group = arrays.get(entry.jobId);
    if (!group) {
      group = {
        kind: "array",
        cluster,
        arrayJobId: entry.jobId,
        name: entry.name,
        state: "",
        tasks: [],
        experiment: entry.experiment,
        ours: entry.ours,
        finished: entry.finished,
      };
      arrays.set(entry.jobId, group);
      items.push(group);
    }
    group.tasks.push(entry);
  }
  for (const group of arrays.values()) {
    group.tasks.sort((a, b) => Number(a.arrayTaskId) - Number(b.arrayTaskId));
    group.state = summarizeStates(group.tasks.map((task) => task.state));
    group.finished = group.tasks.every((task) => task.finished);
  }
  const idOf = (item: JobsTreeItem) => (item.kind === "job" ? item.job.displayId : item.arrayJobId);
  // Jobs still in the queue before finished ones, each part newest first.
  const finished = (item: JobsTreeItem) => (item.kind === "job" ? item.job.finished : item.finished);
  return items.sort((a, b) => Number(finished(a)) - Number(finished(b)) || byNumericId(idOf(a), idOf(b)));
}

/** The one-line description after the job's name in the tree. */
export function describeEntry(entry: JobEntry): string {
  const parts = [entry.displayId, entry.state];
  if (entry.reason !== undefined) parts.push(`(${entry.reason})`);
  if (entry.state === "RUNNING" && entry.elapsed !== undefined) {
    parts.push(entry.timeLimit === undefined ? entry.elapsed : `${entry.elapsed} / ${entry.timeLimit}`);
  }
  if (entry.nodes !== undefined && !entry.finished) parts.push(`on ${entry.nodes}`);
  return parts.join(" · ");
}

/** A multi-line tooltip with every field we know. */
export function tooltipOf(entry: JobEntry): string {
  const lines = [`${entry.name} (job ${entry.displayId} on ${entry.cluster})`, `State: ${entry.state}`];
  if (entry.reason !== undefined)
    lines.push(`Reason: ${entry.reason}${entry.reasonText ? ` — ${entry.reasonText}` : ""}`);
  if (entry.elapsed !== undefined) lines.push(`Elapsed: ${entry.elapsed}`);
  if (entry.timeLimit !== undefined) lines.push(`Time limit: ${entry.timeLimit}`);
  if (entry.partition !== undefined) lines.push(`Partition: ${entry.partition}`);
  if (entry.nodes !== undefined) lines.push(`Nodes: ${entry.nodes}`);
  if (entry.resources !== undefined) lines.push(`Resources: ${entry.resources}`);
  if (entry.experiment !== undefined) lines.push(`Experiment: ${entry.experiment}`);
  return lines.join("\n");
}

/**
 * Which watched jobs (ours, started in this window) are no longer in the queue. An array job has
 * ended when none of its tasks is left.
 */
export function endedJobs(watched: Iterable<string>, queue: readonly SlurmQueueJob[]): string[] {
  const present = new Set<string>();
  for (const job of queue) present.add(job.arrayJobId ?? job.jobId);
  return [...watched].filter((jobId) => !present.has(jobId));
}

/**
 * Array tasks that left the queue while their array goes on (finished early, failed, cancelled one
 * by one): without a look-up they would vanish from the view until the whole array ends.
 */
export function departedArrayTasks(
  previous: readonly JobEntry[],
  current: readonly JobEntry[],
  known: readonly JobEntry[],
): JobEntry[] {
  const queued = new Set(current.map((entry) => entry.displayId));
  const arraysGoingOn = new Set(current.map((entry) => entry.jobId));
  const alreadyKnown = new Set(known.map((entry) => entry.displayId));
  return previous.filter(
    (entry) =>
      entry.arrayTaskId !== undefined &&
      /^\d+$/.test(entry.arrayTaskId) &&
      !queued.has(entry.displayId) &&
      arraysGoingOn.has(entry.jobId) &&
      !alreadyKnown.has(entry.displayId),
  );
}

/** Is one of our jobs still waiting to start? (The view then polls at the faster rate.) */
export function hasWaitingOwnJobs(entries: readonly JobEntry[]): boolean {
  return entries.some(
    (entry) => entry.ours && !entry.finished && isWaitingState(entry.state) && !entry.stuck,
  );
}

export interface FinalRecord {
  /** Task index for array tasks. */
  taskId: string | undefined;
  state: string;
  exitCode: string | undefined;
}

/** One sentence for the notification when a job ends, e.g. `COMPLETED` or `2 COMPLETED, 1 FAILED`. */
export function summarizeFinal(records: readonly FinalRecord[]): { state: string; failed: boolean } {
  if (records.length === 0)
    return { state: "finished (Slurm no longer knows its final state)", failed: false };
  const states = records.map((record) => record.state);
  const failed = states.some((state) => state !== "COMPLETED");
  const single = records.length === 1 ? records[0] : undefined;
  if (single && single.state !== "COMPLETED" && single.exitCode && single.exitCode !== "0:0") {
    return { state: `${single.state} (exit code ${single.exitCode})`, failed };
  }
  return { state: summarizeStates(states), failed };
}

/**
 * What a followed log shows when re-reading it failed (the cluster went away, say): the lines read
 * last, with the problem under them, rather than the problem alone, which would wipe the log off
 * the screen until the cluster answers again.
 */
export function logTextAfterFailedRead(lastText: string | undefined, problem: string, readAt?: Date): string {
  if (lastText === undefined || lastText === "") return problem;
  const when = readAt ? ` (read at ${readAt.toLocaleTimeString()})` : "";
  const separator = lastText.endsWith("\n") ? "" : "\n";
  return (
    `${lastText}${separator}\n[Thunder] ${problem}\n` +
    `[Thunder] The lines above are the last ones read${when}; they update again once the cluster answers.\n`
  );
}
