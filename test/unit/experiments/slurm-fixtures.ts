/** Queue answers and Jobs-service records, built the way the extension builds them, for the Experiments view's Slurm tests. */
import { type JobEntry, toJobEntry } from "../../../extension/jobs/jobs-model";
import { parseSqueue, SQUEUE_FIELD_SEPARATOR } from "../../../extension/slurm/squeue";
import type { Submission } from "../../../extension/slurm/submissions";

export const NOW = Date.parse("2026-11-25T15:00:00Z");

/** One squeue line in the fixed format of squeueArgs(); `task` may be a pending range such as `2-3%1`. */
export function squeueLine(fields: {
  jobId: string;
  arrayJobId?: string;
  task?: string;
  state: string;
  reason?: string;
  name: string;
  elapsed?: string;
}): string {
  const display = fields.task === undefined ? fields.jobId : `${fields.arrayJobId}_${fields.task}`;
  return [
    fields.jobId,
    display,
    fields.arrayJobId ?? fields.jobId,
    fields.task ?? "N/A",
    fields.state,
    fields.reason ?? "None",
    fields.elapsed ?? (fields.state === "RUNNING" ? "1:05" : "0:00"),
    "5:00",
    "debug",
    fields.state === "RUNNING" ? "n1" : "",
    "4",
    "1G",
    "N/A",
    fields.name,
  ].join(SQUEUE_FIELD_SEPARATOR);
}

export function submission(
  experiment: string,
  jobId: string,
  minutesAgo: number,
  extra: Partial<Submission> = {},
): Submission {
  return {
    experiment,
    cluster: "hpc",
    backend: "gpu",
    jobId,
    submittedAt: new Date(NOW - minutesAgo * 60_000).toISOString(),
    ...extra,
  };
}

/** The Jobs view's entries for one squeue answer, linked the way the Jobs service links them. */
export function queueEntries(cluster: string, lines: string[], submissions: Submission[]): JobEntry[] {
  return parseSqueue(lines.join("\n")).map((job) => toJobEntry(cluster, job, submissions, () => undefined));
}

/** A job seen ending, shaped as the Jobs service records it from sacct (one entry per task id). */
export function finishedTasks(
  cluster: string,
  jobId: string,
  name: string,
  tasks: Record<string, string>,
  experiment?: string,
): JobEntry[] {
  return Object.entries(tasks).map(
    ([taskId, state]): JobEntry => ({
      cluster,
      displayId: `${jobId}_${taskId}`,
      jobId,
      arrayTaskId: taskId,
      name,
      state,
      reason: undefined,
      reasonText: undefined,
      stuck: false,
      elapsed: undefined,
      timeLimit: undefined,
      partition: undefined,
      nodes: undefined,
      resources: undefined,
      experiment,
      ours: experiment !== undefined,
      finished: true,
    }),
  );
}
