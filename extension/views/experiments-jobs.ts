/**
 * What Slurm says about an experiment, for the Experiments view: the state of its newest job (from
 * the Jobs view's last `squeue`, the jobs seen ending, or at least the recorded submission), linked
 * like the Jobs view links them (by recorded submission, else by job name = experiment folder name).
 * Array jobs (folds) are summarised, e.g. "2 running, 1 pending", and each fold gets the state of the
 * array task that runs it. Pure: no `vscode`.
 */
import type { ExperimentSlurmState, SlurmPhase } from "../experiments/experiment-status";
import { LOCAL_CLUSTER } from "../jobs/command-runner";
import { experimentName, type JobEntry } from "../jobs/jobs-model";
import { expandArrayTaskIds } from "../slurm/squeue";
import type { Submission } from "../slurm/submissions";

export interface ClusterJobsKnowledge {
  cluster: string;
  /** The jobs in the queue at the last refresh. */
  entries: readonly JobEntry[];
  /** Jobs seen leaving the queue, with their final states. */
  finished: readonly JobEntry[];
}

export interface JobsKnowledge {
  submissions: readonly Submission[];
  clusters: readonly ClusterJobsKnowledge[];
}

/** A job seen ending, remembered (across reloads) with when it was first seen ended. */
export interface EndedJob {
  cluster: string;
  jobId: string;
  name: string;
  experiment: string | undefined;
  /** Final state per task (one for a plain job). */
  states: string[];
  /** The array task id of each state (null for a plain job); older records lack it. */
  taskIds?: (string | null)[];
  /** Epoch milliseconds. */
  endedAt: number;
  /** When Slurm no longer knew the final state: what squeue showed last, e.g. `RUNNING`. */
  lastSeen?: string;
}

export type EndedJobs = Readonly<Record<string, EndedJob>>;

/** How many ended jobs are remembered; the oldest are forgotten first. */
export const MAX_REMEMBERED_ENDS = 200;

const jobKey = (cluster: string, jobId: string) => `${cluster}/${jobId}`;

/**
 * Adds the jobs that are newly seen finished; returns the same object when nothing is new, so the
 * caller knows whether to store it.
 */
export function rememberEnded(previous: EndedJobs, knowledge: JobsKnowledge, now: number): EndedJobs {
  const additions = new Map<string, EndedJob>();
  for (const cluster of knowledge.clusters) {
    for (const entry of cluster.finished) {
      const key = jobKey(cluster.cluster, entry.jobId);
      if (previous[key] !== undefined) continue;
      const known = additions.get(key);
      if (known) {
        known.states.push(entry.state);
        known.taskIds?.push(entry.arrayTaskId ?? null);
      } else
        additions.set(key, {
          cluster: cluster.cluster,
          jobId: entry.jobId,
          name: entry.name,
          experiment: entry.experiment,
          states: [entry.state],
          taskIds: [entry.arrayTaskId ?? null],
          endedAt: now,
        });
    }
  }
  return addEnded(previous, [...additions.values()]);
}

/**
 * Adds ended jobs not remembered yet, forgetting the oldest beyond MAX_REMEMBERED_ENDS; the same
 * object when nothing is new.
 */
export function addEnded(previous: EndedJobs, jobs: readonly EndedJob[]): EndedJobs {
  const additions = jobs.filter((job) => previous[jobKey(job.cluster, job.jobId)] === undefined);
  if (additions.length === 0) return previous;
  const all = [...Object.values(previous), ...additions]
    .sort((a, b) => a.endedAt - b.endedAt)
    .slice(-MAX_REMEMBERED_ENDS);
  return Object.fromEntries(all.map((item) => [jobKey(item.cluster, item.jobId), item]));
}

/** `CANCELLED by 1000` -> `CANCELLED`. */
const stateWord = (state: string) => state.split(/\s/)[0]!.toUpperCase();

/** What the Jobs service records when neither sacct nor scontrol knew a job's final state. */
const UNKNOWN_END = "ENDED";

function phaseOfState(state: string): SlurmPhase {
  switch (stateWord(state)) {
    case UNKNOWN_END:
      return "ended";
    case "PENDING":
    case "CONFIGURING":
    case "REQUEUED":
    case "SUSPENDED":
    case "STOPPED":
      return "pending";
    case "RUNNING":
    case "COMPLETING":
      return "running";
    case "COMPLETED":
      return "completed";
    case "CANCELLED":
      return "cancelled";
    case "TIMEOUT":
    case "DEADLINE":
      return "timeout";
    default:
      return "failed";
  }
}

/** The phase of a whole job from its tasks: running beats pending beats the final ones. */
function phaseOfTasks(states: readonly string[]): SlurmPhase {
  const phases = new Set(states.map(phaseOfState));
  for (const phase of ["running", "pending", "failed", "timeout", "cancelled", "ended", "completed"] as const)
    if (phases.has(phase)) return phase;
  return "failed";
}

/** `2 running, 1 pending`, in the order of phaseOfTasks; a single state as its lower-case word. */
function countStates(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) {
    const word = stateWord(state).toLowerCase().replace(/_/g, " ");
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const rank = (word: string) => {
    const order = [
      "running",
      "completing",
      "pending",
      "configuring",
      "completed",
      "failed",
      "timeout",
      "cancelled",
      "ended",
    ];
    return order.includes(word) ? order.indexOf(word) : order.length;
  };
  const words = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (words.length === 1 && states.length === 1) return words[0]!;
  return words.map((word) => `${counts.get(word)} ${word}`).join(", ");
}

/** `just now`, `5 min ago`, `3 h ago`, else the date. */
export function timeAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(thenMs).toISOString().slice(0, 10);
}

const where = (cluster: string) => (cluster === LOCAL_CLUSTER ? "this machine" : `cluster "${cluster}"`);

interface Candidate {
  cluster: string;
  jobId: string;
  active: boolean;
}

function byId(a: Candidate, b: Candidate): number {
  return Number(b.active) - Number(a.active) || Number(b.jobId) - Number(a.jobId);
}

/** Items linked to an experiment: by their experiment folder when they have one, else by name. */
class LinkIndex<T extends { experiment: string | undefined; name: string }> {
  private readonly byFolder = new Map<string, T[]>();
  private readonly byName = new Map<string, T[]>();

  add(item: T): void {
    const map = item.experiment !== undefined ? this.byFolder : this.byName;
    const key = item.experiment ?? item.name;
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }

  linkedTo(folder: string): T[] {
    return [...(this.byFolder.get(folder) ?? []), ...(this.byName.get(experimentName(folder)) ?? [])];
  }
}

/** The newest job of an experiment, or its recorded submission when squeue has not seen it yet. */
type NewestJob =
  | { kind: "submitted"; submission: Submission }
  | {
      kind: "job";
      best: Candidate;
      /** The job's tasks in the queue (empty once it ended). */
      tasks: JobEntry[];
      endedJob: EndedJob | undefined;
      recorded: Submission | undefined;
    };

/**
 * The Jobs view's knowledge indexed once per refresh of the Experiments view, so describing many
 * experiments does not scan every job and submission for each.
 */
export class ExperimentJobs {
  private readonly queued = new LinkIndex<JobEntry>();
  private readonly ended = new LinkIndex<EndedJob>();
  private readonly submissionsByFolder = new Map<string, Submission[]>();
  private readonly submissionsById = new Map<string, Submission>();

  constructor(
    knowledge: JobsKnowledge,
    private readonly endedJobs: EndedJobs,
  ) {
    for (const cluster of knowledge.clusters) for (const entry of cluster.entries) this.queued.add(entry);
    for (const job of Object.values(endedJobs)) this.ended.add(job);
    for (const item of knowledge.submissions) {
      this.submissionsById.set(jobKey(item.cluster, item.jobId), item);
      const list = this.submissionsByFolder.get(item.experiment);
      if (list) list.push(item);
      else this.submissionsByFolder.set(item.experiment, [item]);
    }
  }

  /**
   * A job in the queue wins over ended ones; among those the newest id; a recorded submission newer
   * than every job seen wins as submitted.
   */
  private newestJob(folder: string): NewestJob | undefined {
    const queued = new Map<string, { cluster: string; tasks: JobEntry[] }>();
    for (const entry of this.queued.linkedTo(folder)) {
      const key = jobKey(entry.cluster, entry.jobId);
      const group = queued.get(key) ?? { cluster: entry.cluster, tasks: [] };
      group.tasks.push(entry);
      queued.set(key, group);
    }
    const candidates: Candidate[] = [
      ...[...queued.values()].map((group) => ({
        cluster: group.cluster,
        jobId: group.tasks[0]!.jobId,
        active: true,
      })),
      ...this.ended
        .linkedTo(folder)
        .filter((job) => !queued.has(jobKey(job.cluster, job.jobId)))
        .map((job) => ({ cluster: job.cluster, jobId: job.jobId, active: false })),
    ].sort(byId);
    const submission = [...(this.submissionsByFolder.get(folder) ?? [])].sort(
      (a, b) => Date.parse(b.submittedAt) - Date.parse(a.submittedAt),
    )[0];
    const best = candidates[0];
    const submissionIsNewer =
      submission !== undefined &&
      (best === undefined ||
        (best.cluster === submission.cluster && Number(submission.jobId) > Number(best.jobId)));
    if (submissionIsNewer) return { kind: "submitted", submission };
    if (best === undefined) return undefined;
    const key = jobKey(best.cluster, best.jobId);
    return {
      kind: "job",
      best,
      tasks: best.active ? queued.get(key)!.tasks : [],
      endedJob: best.active ? undefined : this.endedJobs[key],
      recorded: this.submissionsById.get(key),
    };
  }

  /**
   * The Slurm state of the experiment in `folder` (a local path), or undefined when Slurm knows
   * nothing about it.
   */
  stateOf(folder: string, now: number): ExperimentSlurmState | undefined {
    const newest = this.newestJob(folder);
    if (newest === undefined) return undefined;
    if (newest.kind === "submitted") {
      const { submission } = newest;
      return {
        cluster: submission.cluster,
        jobId: submission.jobId,
        phase: "submitted",
        description: `job ${submission.jobId} submitted ${timeAgo(Date.parse(submission.submittedAt), now)}`,
        tooltip: [
          `Slurm job ${submission.jobId} on ${where(submission.cluster)}`,
          `Submitted ${new Date(submission.submittedAt).toLocaleString()} with backend ${submission.backend}`,
          "State: not known yet (the Jobs view has not seen it)",
        ],
      };
    }
    return describeJob(folder, newest.best, newest.tasks, newest.endedJob, newest.recorded, now);
  }

  /**
   * The state of each fold (by node name) of the experiment in `folder`: that of the array task of
   * its newest job that runs the fold. Folds the job did not run, and jobs whose tasks cannot be
   * matched to the folds, give no entry.
   */
  foldStatesOf(folder: string, nodeNames: readonly string[], now: number): Map<string, ExperimentSlurmState> {
    const states = new Map<string, ExperimentSlurmState>();
    const newest = this.newestJob(folder);
    if (newest === undefined || nodeNames.length === 0) return states;
    if (newest.kind === "submitted") {
      const { submission } = newest;
      const when = timeAgo(Date.parse(submission.submittedAt), now);
      for (const [taskId, fold] of foldsOfTasks(nodeNames, submission.names)) {
        states.set(fold, {
          cluster: submission.cluster,
          jobId: submission.jobId,
          taskId,
          phase: "submitted",
          description: `job ${submission.jobId} submitted ${when}`,
          tooltip: [
            `Slurm array job ${submission.jobId}, task ${taskId}, on ${where(submission.cluster)}`,
            "State: not known yet (the Jobs view has not seen it)",
          ],
        });
      }
      return states;
    }
    const { best, tasks, endedJob, recorded } = newest;
    const folds = foldsOfTasks(nodeNames, recorded?.names);
    // Task ids as Slurm reports them; a plain (non-array) job runs no single fold.
    const finalByTask = new Map<string, string>();
    endedJob?.taskIds?.forEach((taskId, index) => {
      for (const id of taskId === null ? [] : expandTaskIds(taskId))
        finalByTask.set(id, endedJob.states[index]!);
    });
    const seenTaskIds = best.active
      ? tasks.map((task) => task.arrayTaskId ?? null)
      : endedJob?.taskIds?.some((taskId, index) => taskId === null && endedJob.states[index] !== UNKNOWN_END)
        ? [null]
        : [...finalByTask.keys()];
    // A plain job runs no particular fold; a job linked by name may have run only some folds: if its
    // tasks do not fit the folds, say nothing.
    if (seenTaskIds.some((taskId) => taskId === null || !folds.has(taskId))) return states;
    const head = (taskId: string) =>
      `Slurm array job ${best.jobId}, task ${taskId}, on ${where(best.cluster)}`;
    // Without a record of which folds were picked, the mapping assumes all of them.
    const note = (taskId: string) =>
      recorded === undefined
        ? [
            `Linked by its job name "${experimentName(folder)}"; task ${taskId} runs this fold if every fold was submitted`,
          ]
        : [];
    if (best.active) {
      const byTask = new Map(tasks.map((task) => [task.arrayTaskId!, task]));
      for (const [taskId, fold] of folds) {
        const task = byTask.get(taskId);
        if (task === undefined) {
          states.set(fold, {
            cluster: best.cluster,
            jobId: best.jobId,
            taskId,
            phase: "ended",
            description: "ended",
            tooltip: [
              head(taskId),
              "Left the queue; its final state is known once the whole array job has ended",
              ...note(taskId),
            ],
          });
          continue;
        }
        const described = describeTask(task);
        states.set(fold, {
          cluster: best.cluster,
          jobId: best.jobId,
          taskId,
          phase: described.phase,
          description: described.description,
          tooltip: [head(taskId), `State: ${countStates([task.state])}`, ...described.lines, ...note(taskId)],
        });
      }
      return states;
    }
    if (endedJob === undefined || endedJob.taskIds === undefined) return states;
    const when = timeAgo(endedJob.endedAt, now);
    for (const [taskId, fold] of folds) {
      const state = finalByTask.get(taskId) ?? UNKNOWN_END;
      const lastSeen =
        state === UNKNOWN_END && endedJob.lastSeen !== undefined
          ? [`Slurm no longer knew its final state; the job was last seen ${endedJob.lastSeen}`]
          : [];
      states.set(fold, {
        cluster: best.cluster,
        jobId: best.jobId,
        taskId,
        phase: phaseOfState(state),
        description: `${countStates([state])} ${when}`,
        tooltip: [
          head(taskId),
          `Ended: ${countStates([state])}, seen ${when} (${new Date(endedJob.endedAt).toLocaleString()})`,
          ...lastSeen,
          ...note(taskId),
        ],
      });
    }
    return states;
  }
}

/** sacct reports array tasks that never started as one record, e.g. `12_[2-3%1]`: one id per task. */
function expandTaskIds(taskId: string): string[] {
  const range = /^\[(.*)\]$/.exec(taskId);
  return range ? expandArrayTaskIds(range[1]!) : [taskId];
}

/** Python's `sorted` order for strings (by code point), which thunder uses for the array's nodes. */
function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = left[index]!.codePointAt(0)! - right[index]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/**
 * Which fold each array task runs (task id -> node name). Thunder submits the chosen nodes (every
 * node, or those picked with `--names`) as `--array=1-N`, task i running the i-th of them sorted by
 * name. Picked names that are not nodes of the experiment (any more) are left out.
 */
export function foldsOfTasks(
  nodeNames: readonly string[],
  pickedNames?: readonly string[],
): Map<string, string> {
  const nodes = new Set(nodeNames);
  const submitted = [...new Set(pickedNames && pickedNames.length > 0 ? pickedNames : nodeNames)].sort(
    byCodePoint,
  );
  const folds = new Map<string, string>();
  submitted.forEach((name, index) => {
    if (nodes.has(name)) folds.set(String(index + 1), name);
  });
  return folds;
}

/** experimentSlurmState for one experiment (builds the index; use ExperimentJobs for many). */
export function experimentSlurmState(
  folder: string,
  knowledge: JobsKnowledge,
  ended: EndedJobs,
  now: number,
): ExperimentSlurmState | undefined {
  return new ExperimentJobs(knowledge, ended).stateOf(folder, now);
}

/** One task in the queue: `pending (Priority)` or `running 1:02:03`, and the tooltip lines saying why. */
function describeTask(task: JobEntry): { phase: SlurmPhase; description: string; lines: string[] } {
  const phase = phaseOfState(task.state);
  let description = countStates([task.state]);
  const lines: string[] = [];
  if (task.reason !== undefined) {
    description += ` (${task.reason})`;
    lines.push(`Pending: ${task.reason}${task.reasonText ? ` — ${task.reasonText}` : ""}`);
  } else if (phase === "running" && task.elapsed !== undefined) {
    description += ` ${task.elapsed}`;
    lines.push(`Running for ${task.elapsed}${task.nodes ? ` on ${task.nodes}` : ""}`);
  }
  return { phase, description, lines };
}

function describeJob(
  folder: string,
  best: Candidate,
  tasks: readonly JobEntry[],
  endedJob: EndedJob | undefined,
  recorded: Submission | undefined,
  now: number,
): ExperimentSlurmState {
  const name = experimentName(folder);
  const tooltip: string[] = [];
  const states = endedJob === undefined ? tasks.map((task) => task.state) : endedJob.states;
  const isArray = best.active
    ? tasks.some((task) => task.arrayTaskId !== undefined)
    : states.length > 1 || (endedJob?.taskIds?.some((taskId) => taskId !== null) ?? false);
  tooltip.push(
    isArray
      ? `Slurm array job ${best.jobId} (${states.length} task${states.length === 1 ? "" : "s"}) on ${where(best.cluster)}`
      : `Slurm job ${best.jobId} on ${where(best.cluster)}`,
  );
  const phase = phaseOfTasks(states);
  let description = countStates(states);
  if (best.active) {
    const single = tasks.length === 1 && !isArray ? tasks[0] : undefined;
    if (single !== undefined) description = describeTask(single).description;
    tooltip.push(`State: ${countStates(states)}`);
    for (const task of tasks) {
      const label = isArray ? `Task ${task.arrayTaskId}: ` : "";
      for (const line of describeTask(task).lines) tooltip.push(`${label}${line}`);
    }
  } else if (endedJob !== undefined) {
    const when = timeAgo(endedJob.endedAt, now);
    description += ` ${when}`;
    tooltip.push(
      `Ended: ${countStates(states)}, seen ${when} (${new Date(endedJob.endedAt).toLocaleString()})`,
    );
    if (endedJob.lastSeen !== undefined && states.some((state) => stateWord(state) === UNKNOWN_END))
      tooltip.push(`Slurm no longer knew its final state; the job was last seen ${endedJob.lastSeen}`);
  }
  if (recorded !== undefined)
    tooltip.push(
      `Submitted from VS Code ${new Date(recorded.submittedAt).toLocaleString()} with backend ${recorded.backend}`,
    );
  else tooltip.push(`Linked by its job name "${name}"`);
  return { cluster: best.cluster, jobId: best.jobId, phase, description, tooltip };
}
