/**
 * Jobs linked to an experiment only by their name (not submitted from VS Code, so the Jobs service
 * does not watch them) are followed here from one `squeue` to the next: when one leaves the queue,
 * its end is remembered like a recorded job's, its final state from sacct/scontrol when Slurm still
 * knows it, else from the last sighting. Pure: no `vscode`, no commands run.
 */
import type { FinalRecord, JobEntry } from "../jobs/jobs-model";
import type { EndedJob, JobsKnowledge } from "./experiments-jobs";

/** A followed job as squeue showed it last. */
export interface QueueSighting {
  cluster: string;
  jobId: string;
  name: string;
  /** Last state per array task id (`""` for a plain job), tasks that left the queue included. */
  tasks: Record<string, string>;
  /** Epoch milliseconds when it was first seen. */
  firstSeenAt: number;
}

export type QueueSightings = Readonly<Record<string, QueueSighting>>;

/** How many jobs are followed at once; the ones seen first are dropped first. */
export const MAX_FOLLOWED_JOBS = 500;

const jobKey = (cluster: string, jobId: string) => `${cluster}/${jobId}`;

/**
 * Updates the sightings from the Jobs view's latest knowledge. `follow` picks the queue entries to
 * follow. A job counts as departed only when its cluster answered (its cluster is in `knowledge`)
 * and none of its tasks is queued any more; jobs the Jobs service reports finished itself are not
 * departures. Returns the same `sightings` object when nothing changed, so the caller knows whether
 * to store it.
 */
export function followQueue(
  previous: QueueSightings,
  knowledge: JobsKnowledge,
  follow: (entry: JobEntry) => boolean,
  now: number,
): { sightings: QueueSightings; departed: QueueSighting[] } {
  const answered = new Set(knowledge.clusters.map((cluster) => cluster.cluster));
  const next: Record<string, QueueSighting> = {};
  for (const [key, sighting] of Object.entries(previous))
    if (!answered.has(sighting.cluster)) next[key] = sighting;
  const departed: QueueSighting[] = [];
  for (const cluster of knowledge.clusters) {
    const queued = new Set(cluster.entries.map((entry) => entry.jobId));
    const finishedElsewhere = new Set(cluster.finished.map((entry) => entry.jobId));
    for (const entry of cluster.entries) {
      if (!follow(entry)) continue;
      const key = jobKey(cluster.cluster, entry.jobId);
      const sighting = next[key] ?? {
        cluster: cluster.cluster,
        jobId: entry.jobId,
        name: entry.name,
        tasks: { ...previous[key]?.tasks },
        firstSeenAt: previous[key]?.firstSeenAt ?? now,
      };
      sighting.tasks[entry.arrayTaskId ?? ""] = entry.state;
      next[key] = sighting;
    }
    for (const sighting of Object.values(previous)) {
      if (sighting.cluster !== cluster.cluster || queued.has(sighting.jobId)) continue;
      if (!finishedElsewhere.has(sighting.jobId)) departed.push(sighting);
    }
  }
  const kept = Object.values(next)
    .sort((a, b) => a.firstSeenAt - b.firstSeenAt)
    .slice(-MAX_FOLLOWED_JOBS);
  const sightings = Object.fromEntries(kept.map((item) => [jobKey(item.cluster, item.jobId), item]));
  return { sightings: sameSightings(previous, sightings) ? previous : sightings, departed };
}

function sameSightings(a: QueueSightings, b: QueueSightings): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => {
    const left = a[key]!;
    const right = b[key];
    if (right === undefined || left.firstSeenAt !== right.firstSeenAt || left.name !== right.name)
      return false;
    const tasks = Object.keys(left.tasks);
    return (
      tasks.length === Object.keys(right.tasks).length &&
      tasks.every((task) => left.tasks[task] === right.tasks[task])
    );
  });
}

/** `RUNNING`, or `2 RUNNING, 1 PENDING`. */
function summarize(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  if (counts.size === 1 && states.length === 1) return states[0]!;
  return [...counts].map(([state, count]) => `${count} ${state}`).join(", ");
}

function byTaskId(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

/**
 * The remembered end of a departed job: the final records sacct/scontrol gave (none: Slurm no longer
 * knows), else every task seen as `ENDED` with what squeue showed last.
 */
export function endedFromDeparture(
  sighting: QueueSighting,
  records: readonly FinalRecord[],
  now: number,
): EndedJob {
  const base = {
    cluster: sighting.cluster,
    jobId: sighting.jobId,
    name: sighting.name,
    experiment: undefined,
    endedAt: now,
  };
  if (records.length > 0) {
    return {
      ...base,
      states: records.map((record) => record.state),
      taskIds: records.map((record) => record.taskId ?? null),
    };
  }
  const taskIds = Object.keys(sighting.tasks).sort(byTaskId);
  return {
    ...base,
    states: taskIds.map(() => "ENDED"),
    taskIds: taskIds.map((taskId) => (taskId === "" ? null : taskId)),
    lastSeen: summarize(taskIds.map((taskId) => sighting.tasks[taskId]!)),
  };
}
