/**
 * How much a batched refresh saves: 100 jobs refreshed with one `squeue --me` over a reused SSH
 * connection, versus one new SSH connection plus `squeue -j ID` per job (what a naive per-job poller
 * does). Runs against the real test cluster inside `cluster.sh run` (which starts it, locks it against
 * the cluster tests and stops it); prints "skipped" where it cannot (not root, packages missing).
 *
 *   node --import tsx test/bench/slurm-refresh.bench.ts        (as root)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scancelArgs } from "../../extension/slurm/scancel";
import { parseSqueue, SQUEUE_FORMAT, squeueArgs } from "../../extension/slurm/squeue";
import { acceptNothing, CLUSTER_SCRIPT, loadClusterInfo, trustedConnection } from "../cluster/cluster-env";

const JOB_COUNT = 100;
const BATCHED_ROUNDS = 5;

const WITH_CLUSTER = "--with-cluster";

/** Why this machine cannot run the benchmark, or undefined if it can. */
function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return "it needs root to start the test cluster";
  for (const binary of [
    "/usr/sbin/slurmctld",
    "/usr/sbin/slurmd",
    "/usr/sbin/munged",
    "/usr/sbin/sshd",
    "/usr/bin/flock",
  ]) {
    if (!existsSync(binary))
      return `${binary} is missing (apt-get install munge slurmctld slurmd slurm-client openssh-server)`;
  }
  return undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  if (!process.argv.includes(WITH_CLUSTER)) {
    const missing = missingPrerequisite();
    if (missing) {
      console.log(`slurm-refresh: skipped, ${missing}`);
      return;
    }
    // Again, inside `cluster.sh run`: cluster up, and locked against the cluster tests.
    const run = spawnSync(
      "bash",
      [CLUSTER_SCRIPT, "run", process.execPath, ...process.execArgv, __filename, WITH_CLUSTER],
      {
        stdio: "inherit",
      },
    );
    process.exitCode = run.status ?? 1;
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), "slurm-bench-"));
  const info = loadClusterInfo();
  const shared = await trustedConnection(info, scratch);
  let jobIds: string[] = [];
  try {
    // Held jobs stay PENDING without using the node, so all 100 are in the queue at once.
    const submit = await shared.exec([
      "sh",
      "-c",
      `for i in $(seq ${JOB_COUNT}); do sbatch --parsable --hold --job-name "bench-$i" --output /dev/null --wrap true; done`,
    ]);
    jobIds = submit.stdout.split("\n").filter((line) => /^\d+$/.test(line));
    if (jobIds.length !== JOB_COUNT) throw new Error(`submitted ${jobIds.length} jobs: ${submit.stderr}`);

    const batched: number[] = [];
    for (let round = 0; round < BATCHED_ROUNDS; round++) {
      const started = performance.now();
      const jobs = parseSqueue((await shared.exec(squeueArgs())).stdout);
      batched.push(performance.now() - started);
      const seen = new Set(jobs.map((job) => job.jobId));
      if (!jobIds.every((id) => seen.has(id))) throw new Error("the batched refresh missed jobs");
    }

    const perJobStarted = performance.now();
    for (const jobId of jobIds) {
      const connection = await trustedConnection(info, scratch, { prompts: acceptNothing });
      const result = await connection.exec([
        "squeue",
        "--noheader",
        "--jobs",
        jobId,
        "--format",
        SQUEUE_FORMAT,
      ]);
      if (parseSqueue(result.stdout)[0]?.jobId !== jobId) throw new Error(`job ${jobId} not found`);
      await connection.close();
    }
    const perJob = performance.now() - perJobStarted;

    const batchedMs = median(batched);
    console.log(`jobs in the queue:                               ${JOB_COUNT}`);
    console.log(
      `one squeue --me over a reused connection:        ${batchedMs.toFixed(1)} ms (median of ${BATCHED_ROUNDS})`,
    );
    console.log(`new connection + squeue -j ID per job:           ${perJob.toFixed(0)} ms`);
    console.log(`ratio (per-job / batched):                       ${(perJob / batchedMs).toFixed(0)}x`);
  } finally {
    if (jobIds.length > 0) await shared.exec(scancelArgs(jobIds)).catch(() => undefined);
    await shared.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
