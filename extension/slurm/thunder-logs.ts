/**
 * Where thunder's slurm engine writes a job's output: `~/.cache/thunder/slurm/logs/<unique>.o<jobid>`,
 * or `<unique>.o<arrayjob>.<task>` for array tasks, where `<unique>` is the experiment folder name plus
 * a timestamp. The timestamp is not known here, so the file is found by listing the folder on the cluster.
 */

export const THUNDER_LOG_DIR = "~/.cache/thunder/slurm/logs";

/** The file-name ending for a job, or for one task of an array job (`arrayJobId` + task index). */
export function logFileSuffix(jobId: string, arrayTaskId?: string): string {
  return arrayTaskId === undefined ? `.o${jobId}` : `.o${jobId}.${arrayTaskId}`;
}

/** The remote command listing candidate log files for a job: run in the log folder, one name per line. */
export function logListingCommand(jobId: string, arrayTaskId?: string): { args: string[]; cwd: string } {
  return {
    cwd: THUNDER_LOG_DIR,
    args: ["find", ".", "-maxdepth", "1", "-type", "f", "-name", `*${logFileSuffix(jobId, arrayTaskId)}`],
  };
}

/**
 * The names in a listing (`find` output or `ls -1`); an absent folder (thunder never ran a Slurm job
 * there) is an empty listing, not an error.
 */
export function interpretLogListing(result: {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}): string[] {
  if (result.exitCode !== 0) {
    if (/No such file or directory|can't cd|cannot cd/i.test(result.stderr)) return [];
    throw new Error(
      `Listing thunder's Slurm logs failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`,
    );
  }
  return result.stdout
    .split("\n")
    .map((line) => line.trim().replace(/^\.\//, ""))
    .filter((line) => line !== "");
}

/** Timestamp thunder appends to the experiment folder name, e.g. `-2026-nov25-14-03-59`. */
const UNIQUE_TIMESTAMP = /-\d{4}-[a-z]{3}\d{1,2}-\d{1,2}-\d{1,2}-\d{1,2}$/i;

/** The experiment folder name a log file belongs to, or undefined if the name is not thunder's. */
export function experimentOfLogFile(fileName: string): string | undefined {
  const match = /^(.*)\.o\d+(?:\.\d+)?$/.exec(fileName);
  if (!match || !UNIQUE_TIMESTAMP.test(match[1])) return undefined;
  return match[1].replace(UNIQUE_TIMESTAMP, "");
}

/**
 * Picks the log of this job from a listing. Job ids are unique per cluster, so the suffix decides;
 * the experiment name (the job name) breaks a tie should old logs from a reset Slurm share an id.
 */
export function pickLogFile(
  names: readonly string[],
  job: { jobId: string; arrayTaskId?: string; experimentName?: string },
): string | undefined {
  const suffix = logFileSuffix(job.jobId, job.arrayTaskId);
  const candidates = names.filter((name) => name.endsWith(suffix) && name.length > suffix.length).sort();
  if (job.experimentName !== undefined) {
    const named = candidates.filter((name) => experimentOfLogFile(name) === job.experimentName);
    if (named.length > 0) return named[named.length - 1];
  }
  // Sorted by name, the latest timestamp of the same experiment comes last.
  return candidates[candidates.length - 1];
}

/** The remote path of a log file found in the listing (with `~`, for `quoteRemotePath`). */
export function logFilePath(fileName: string): string {
  return `${THUNDER_LOG_DIR}/${fileName}`;
}
