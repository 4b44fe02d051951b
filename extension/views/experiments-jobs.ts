/**
 * What Slurm says about an experiment, for the Experiments view: the state of its newest job (from
 * the Jobs view's last `squeue`, the jobs seen ending, or at least the recorded submission), linked
 * like the Jobs view links them (by recorded submission, else by job name = experiment folder name).
 * Array jobs (folds) are summarised, e.g. "2 running, 1 pending". Pure: no `vscode`.
 */
import type { ExperimentSlurmState, SlurmPhase } from "../experiments/experiment-status";
import { LOCAL_CLUSTER } from "../jobs/command-runner";
import { experimentName, type JobEntry } from "../jobs/jobs-model";
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
  /** Epoch milliseconds. */
  endedAt: number;
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
  const additions: Record<string, EndedJob> = {};
  for (const cluster of knowledge.clusters) {
    for (const entry of cluster.finished) {
      const key = jobKey(cluster.cluster, entry.jobId);
      if (previous[key] !== undefined) continue;
      const known = additions[key];
      if (known) known.states.push(entry.state);
      else
        additions[key] = {
          cluster: cluster.cluster,
          jobId: entry.jobId,
          name: entry.name,
          experiment: entry.experiment,
          states: [entry.state],
          endedAt: now,
        };
    }
  }
  if (Object.keys(additions).length === 0) return previous;
  const all = [...Object.values(previous), ...Object.values(additions)]
    .sort((a, b) => a.endedAt - b.endedAt)
    .slice(-MAX_REMEMBERED_ENDS);
  return Object.fromEntries(all.map((item) => [jobKey(item.cluster, item.jobId), item]));
}

/** `CANCELLED by 1000` -> `CANCELLED`. */
const stateWord = (state: string) => state.split(/\s/)[0]!.toUpperCase();

function phaseOfState(state: string): SlurmPhase {
  switch (stateWord(state)) {
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
  for (const phase of ["running", "pending", "failed", "timeout", "cancelled", "completed"] as const)
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
   * The Slurm state of the experiment in `folder` (a local path), or undefined when Slurm knows
   * nothing about it. A job in the queue wins over ended ones; among those the newest id; a recorded
   * submission newer than every job seen shows as submitted.
   */
  stateOf(folder: string, now: number): ExperimentSlurmState | undefined {
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
    if (submissionIsNewer) {
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
    if (best === undefined) return undefined;
    const recorded = this.submissionsById.get(jobKey(best.cluster, best.jobId));
    const tasks = best.active ? queued.get(jobKey(best.cluster, best.jobId))!.tasks : [];
    const endedJob = best.active ? undefined : this.endedJobs[jobKey(best.cluster, best.jobId)];
    return describeJob(folder, best, tasks, endedJob, recorded, now);
  }
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
  const isArray = best.active ? tasks.some((task) => task.arrayTaskId !== undefined) : states.length > 1;
  tooltip.push(
    isArray
      ? `Slurm array job ${best.jobId} (${states.length} task${states.length === 1 ? "" : "s"}) on ${where(best.cluster)}`
      : `Slurm job ${best.jobId} on ${where(best.cluster)}`,
  );
  const phase = phaseOfTasks(states);
  let description = countStates(states);
  if (best.active) {
    const single = tasks.length === 1 && !isArray ? tasks[0] : undefined;
    if (single?.reason !== undefined) description += ` (${single.reason})`;
    if (single !== undefined && phase === "running" && single.elapsed !== undefined)
      description += ` ${single.elapsed}`;
    tooltip.push(`State: ${countStates(states)}`);
    for (const task of tasks) {
      const label = isArray ? `Task ${task.arrayTaskId}: ` : "";
      if (task.reason !== undefined)
        tooltip.push(`${label}Pending: ${task.reason}${task.reasonText ? ` — ${task.reasonText}` : ""}`);
      else if (phaseOfState(task.state) === "running" && task.elapsed !== undefined)
        tooltip.push(`${label}Running for ${task.elapsed}${task.nodes ? ` on ${task.nodes}` : ""}`);
    }
  } else if (endedJob !== undefined) {
    const when = timeAgo(endedJob.endedAt, now);
    description += ` ${when}`;
    tooltip.push(
      `Ended: ${countStates(states)}, seen ${when} (${new Date(endedJob.endedAt).toLocaleString()})`,
    );
  }
  if (recorded !== undefined)
    tooltip.push(
      `Submitted from VS Code ${new Date(recorded.submittedAt).toLocaleString()} with backend ${recorded.backend}`,
    );
  else tooltip.push(`Linked by its job name "${name}"`);
  return { cluster: best.cluster, jobId: best.jobId, phase, description, tooltip };
}
