/**
 * `scontrol show job ID`: what Slurm still knows about a job after it left `squeue` (for MinJobAge
 * seconds), including the per-task records of an array job.
 */

import { expandArrayTaskIds } from "./squeue";

/** Keys whose value is the rest of the line and may contain spaces or `=`. */
const WHOLE_LINE_KEYS = new Set([
  "Command",
  "WorkDir",
  "StdErr",
  "StdIn",
  "StdOut",
  "Comment",
  "AdminComment",
  "SystemComment",
  "Reason",
]);

export interface ScontrolJob {
  jobId: string;
  arrayJobId: string | undefined;
  /**
   * The task index as printed. A record for tasks that never started covers several and reads like
   * `2%1` or `5-7%2`; `arrayTaskIds` lists them.
   */
  arrayTaskId: string | undefined;
  arrayTaskIds: string[];
  name: string;
  state: string;
  reason: string | undefined;
  /** `exit:signal`, e.g. `0:0`, `1:0`, `0:15`. */
  exitCode: string | undefined;
  runTime: string | undefined;
  timeLimit: string | undefined;
  submitTime: string | undefined;
  startTime: string | undefined;
  endTime: string | undefined;
  partition: string | undefined;
  nodeList: string | undefined;
  workDir: string | undefined;
  stdOut: string | undefined;
  stdErr: string | undefined;
  /** Every key=value pair, as printed. */
  fields: Record<string, string>;
}

export type ScontrolResult = { status: "found"; jobs: ScontrolJob[] } | { status: "not-found" };

/** Splits one record into key=value pairs; keys look like `JobId`, `AllocNode:Sid`, `CPUs/Task`. */
export function parseKeyValues(record: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const rawLine of record.split("\n")) {
    const line = rawLine.trim();
    if (line === "") continue;
    const whole = /^([A-Za-z][\w/:]*)=(.*)$/.exec(line);
    if (whole && WHOLE_LINE_KEYS.has(whole[1])) {
      fields[whole[1]] = whole[2];
      continue;
    }
    // A key starts at the line start or after whitespace; its value runs to the next key.
    const keyStarts = [...line.matchAll(/(?:^|\s)([A-Za-z][\w/:.]*)=/g)];
    keyStarts.forEach((match, index) => {
      const valueStart = match.index! + match[0].length;
      const valueEnd = index + 1 < keyStarts.length ? keyStarts[index + 1].index! : line.length;
      fields[match[1]] = line.slice(valueStart, valueEnd).trim();
    });
  }
  return fields;
}

function meaningful(value: string | undefined): string | undefined {
  return value === undefined || value === "" || value === "(null)" || value === "N/A" || value === "None"
    ? undefined
    : value;
}

function toJob(fields: Record<string, string>): ScontrolJob {
  return {
    jobId: fields.JobId,
    arrayJobId: meaningful(fields.ArrayJobId),
    arrayTaskId: meaningful(fields.ArrayTaskId),
    arrayTaskIds: meaningful(fields.ArrayTaskId) === undefined ? [] : expandArrayTaskIds(fields.ArrayTaskId),
    name: fields.JobName ?? "",
    state: fields.JobState ?? "UNKNOWN",
    reason: meaningful(fields.Reason),
    exitCode: meaningful(fields.ExitCode),
    runTime: meaningful(fields.RunTime),
    timeLimit: meaningful(fields.TimeLimit),
    submitTime: meaningful(fields.SubmitTime),
    startTime: meaningful(fields.StartTime),
    endTime: meaningful(fields.EndTime),
    partition: meaningful(fields.Partition),
    nodeList: meaningful(fields.NodeList),
    workDir: meaningful(fields.WorkDir),
    stdOut: meaningful(fields.StdOut),
    stdErr: meaningful(fields.StdErr),
    fields,
  };
}

/** Parses `scontrol show job` output: one record per job or array task, separated by blank lines. */
export function parseScontrolShowJob(stdout: string): ScontrolJob[] {
  return stdout
    .split(/\n\s*\n/)
    .map(parseKeyValues)
    .filter((fields) => fields.JobId !== undefined)
    .map(toJob);
}

/** `scontrol show job ID` arguments; the id is always one argument. */
export function scontrolShowJobArgs(jobId: string): string[] {
  return ["scontrol", "show", "job", jobId];
}

/**
 * Interprets a finished `scontrol show job`: the job (or its tasks), or not-found once Slurm purged it
 * (`Invalid job id specified`) or for an unknown array task (`Job 12_3 not found`).
 */
export function interpretScontrolShowJob(result: {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}): ScontrolResult {
  const text = `${result.stdout}\n${result.stderr}`;
  if (/Invalid job id specified|Job \S+ not found/i.test(text)) return { status: "not-found" };
  if (result.exitCode !== 0) {
    throw new Error(`scontrol failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
  }
  return { status: "found", jobs: parseScontrolShowJob(result.stdout) };
}
