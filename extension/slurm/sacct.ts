/**
 * `sacct` only works where the cluster keeps accounting. Many small clusters do not, and then the
 * history of a finished job is only available from `scontrol show job` for a few minutes.
 */

export function isAccountingDisabled(output: string): boolean {
  return /Slurm accounting storage is disabled/i.test(output);
}

export interface SacctRecord {
  jobId: string;
  state: string;
  exitCode: string;
  elapsed: string;
}

/** `sacct` arguments for the main records of one job, machine-readable. */
export function sacctArgs(jobId: string): string[] {
  return [
    "sacct",
    "--jobs",
    jobId,
    "--allocations",
    "--noheader",
    "--parsable2",
    "--format=JobID,State,ExitCode,Elapsed",
  ];
}

/** Parses `sacctArgs()` output; `CANCELLED by 1000` keeps its first word. */
export function parseSacct(stdout: string): SacctRecord[] {
  return stdout
    .split("\n")
    .filter((line) => line.includes("|"))
    .map((line) => {
      const [jobId, state, exitCode, elapsed] = line.split("|");
      return { jobId, state: (state ?? "").split(" ")[0], exitCode: exitCode ?? "", elapsed: elapsed ?? "" };
    });
}
