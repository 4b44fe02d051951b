/**
 * The final state of a job that left the queue: from `sacct` where the cluster keeps accounting,
 * else from `scontrol show job` (which knows it for MinJobAge seconds).
 */
import { isAccountingDisabled, parseSacct, sacctArgs } from "../slurm/sacct";
import { interpretScontrolShowJob, scontrolShowJobArgs } from "../slurm/scontrol";
import type { CommandRunner } from "./command-runner";
import type { FinalRecord } from "./jobs-model";

export interface FinalState {
  source: "sacct" | "scontrol" | "none";
  records: FinalRecord[];
  /** The job name, when Slurm told it. */
  name: string | undefined;
}

/** Records of the job (or of each array task) with their final state and exit code. */
export async function lookUpFinalState(runner: CommandRunner, jobId: string): Promise<FinalState> {
  const sacct = await runner.exec(sacctArgs(jobId), { timeoutMs: 30_000 });
  const sacctText = `${sacct.stdout}\n${sacct.stderr}`;
  if (sacct.exitCode === 0 && !isAccountingDisabled(sacctText)) {
    const records = parseSacct(sacct.stdout)
      .filter((record) => record.jobId === jobId || record.jobId.startsWith(`${jobId}_`))
      .map((record) => ({
        taskId: record.jobId.includes("_") ? record.jobId.split("_")[1] : undefined,
        state: record.state,
        exitCode: record.exitCode || undefined,
      }));
    if (records.length > 0) return { source: "sacct", records, name: undefined };
  }
  const shown = interpretScontrolShowJob(
    await runner.exec(scontrolShowJobArgs(jobId), { timeoutMs: 30_000 }),
  );
  if (shown.status === "not-found") return { source: "none", records: [], name: undefined };
  const records: FinalRecord[] = [];
  for (const job of shown.jobs) {
    const tasks = job.arrayTaskIds.length > 0 ? job.arrayTaskIds : [undefined];
    for (const taskId of tasks) records.push({ taskId, state: job.state, exitCode: job.exitCode });
  }
  return { source: "scontrol", records, name: shown.jobs[0]?.name };
}
