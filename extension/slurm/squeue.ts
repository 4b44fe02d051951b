/**
 * One `squeue --me` call per refresh, in a fixed format whose fields are separated by a control
 * character no Slurm field contains. The job name, the only free-text field, comes last so that even
 * a name holding the separator cannot shift the other fields.
 */
import { parseSlurmDuration } from "./duration";

export const SQUEUE_FIELD_SEPARATOR = "\x1f";

/** squeue format letters, in output order (name last, see above). */
const FIELDS = [
  ["jobId", "%A"],
  ["displayId", "%i"],
  ["arrayJobId", "%F"],
  ["arrayTaskId", "%K"],
  ["state", "%T"],
  ["reason", "%r"],
  ["elapsed", "%M"],
  ["timeLimit", "%l"],
  ["partition", "%P"],
  ["nodes", "%N"],
  ["cpus", "%C"],
  ["memory", "%m"],
  ["gres", "%b"],
  ["name", "%j"],
] as const;

type FieldName = (typeof FIELDS)[number][0];

export const SQUEUE_FORMAT = FIELDS.map(([, letter]) => letter).join(SQUEUE_FIELD_SEPARATOR);

/** The argument list for the refresh: only our jobs, one line per array task, no header. */
export function squeueArgs(): string[] {
  return ["squeue", "--me", "--array", "--noheader", "--format", SQUEUE_FORMAT];
}

export type SlurmJobState =
  | "PENDING"
  | "CONFIGURING"
  | "RUNNING"
  | "COMPLETING"
  | "COMPLETED"
  | "CANCELLED"
  | "FAILED"
  | "TIMEOUT"
  | "NODE_FAIL"
  | "PREEMPTED"
  | "OUT_OF_MEMORY"
  | "SUSPENDED"
  | "REQUEUED"
  | "RESIZING"
  | "STOPPED"
  | (string & {});

export interface SlurmQueueJob {
  /** The unique job id (for an array task, the task's own id). */
  jobId: string;
  /** What users see and type: `123` or `120_3`. */
  displayId: string;
  /** For array tasks: the array's job id and the task index. */
  arrayJobId: string | undefined;
  arrayTaskId: string | undefined;
  name: string;
  state: SlurmJobState;
  /** Why it waits (e.g. `Priority`, `Resources`, `JobArrayTaskLimit`); undefined for `None`. */
  reason: string | undefined;
  elapsed: string;
  elapsedSeconds: number | undefined;
  timeLimit: string;
  /** undefined for UNLIMITED. */
  timeLimitSeconds: number | undefined;
  partition: string;
  /** Allocated nodes; undefined while pending. */
  nodes: string | undefined;
  cpus: number | undefined;
  /** Minimum memory requested (per CPU or per node, as squeue prints it), e.g. `256M`. */
  memory: string | undefined;
  /** Generic resources / TRES per node, e.g. `gres:gpu:1`; undefined for none. */
  gres: string | undefined;
}

function orUndefined(value: string): string | undefined {
  return value === "" || value === "N/A" || value === "(null)" || value === "None" ? undefined : value;
}

/**
 * Task indices in squeue's array task field. Even with `--array`, Slurm prints a pending remainder
 * not yet split into tasks as one line, e.g. `2%1` or `5-7,9%2` (`%N`: the running-task limit).
 */
export function expandArrayTaskIds(field: string): string[] {
  const spec = field.replace(/%\d+$/, "");
  const ids: string[] = [];
  for (const part of spec.split(",")) {
    const range = /^(\d+)-(\d+)(?::(\d+))?$/.exec(part);
    if (range) {
      const step = Math.max(1, Number(range[3] ?? 1));
      // Bounded so a huge pending range cannot flood the view.
      for (let id = Number(range[1]); id <= Number(range[2]) && ids.length < 10_000; id += step)
        ids.push(String(id));
    } else if (/^\d+$/.test(part)) {
      ids.push(part);
    }
  }
  return ids;
}

/** Parses the output of `squeueArgs()`; lines that do not have the format are skipped. */
export function parseSqueue(stdout: string): SlurmQueueJob[] {
  const jobs: SlurmQueueJob[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const parts = line.split(SQUEUE_FIELD_SEPARATOR);
    if (parts.length < FIELDS.length) continue;
    const nameIndex = FIELDS.length - 1;
    const values = Object.fromEntries(FIELDS.map(([field], index) => [field, parts[index]])) as Record<
      FieldName,
      string
    >;
    values.name = parts.slice(nameIndex).join(SQUEUE_FIELD_SEPARATOR);
    const taskField = orUndefined(values.arrayTaskId);
    const cpus = Number(values.cpus);
    const common = {
      name: values.name,
      state: values.state,
      reason: orUndefined(values.reason),
      elapsed: values.elapsed,
      elapsedSeconds: parseSlurmDuration(values.elapsed),
      timeLimit: values.timeLimit,
      timeLimitSeconds: parseSlurmDuration(values.timeLimit),
      partition: values.partition,
      nodes: orUndefined(values.nodes),
      cpus: values.cpus !== "" && Number.isFinite(cpus) ? cpus : undefined,
      memory: orUndefined(values.memory),
      gres: orUndefined(values.gres),
    };
    if (taskField === undefined) {
      jobs.push({
        jobId: values.jobId,
        displayId: values.displayId,
        arrayJobId: undefined,
        arrayTaskId: undefined,
        ...common,
      });
      continue;
    }
    const taskIds = expandArrayTaskIds(taskField);
    for (const taskId of taskIds) {
      jobs.push({
        // A task not yet split off has no id of its own; the array's id stands in.
        jobId: taskIds.length === 1 ? values.jobId : values.arrayJobId,
        displayId: `${values.arrayJobId}_${taskId}`,
        arrayJobId: values.arrayJobId,
        arrayTaskId: taskId,
        ...common,
      });
    }
  }
  return jobs;
}

/** States in which a job has not started yet; the view polls faster while one of ours is in them. */
export function isWaitingState(state: SlurmJobState): boolean {
  return state === "PENDING" || state === "CONFIGURING";
}
