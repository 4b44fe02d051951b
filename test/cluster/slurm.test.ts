/**
 * The Slurm logic against a real slurmctld/slurmd, reached as thunderci over the real sshd, the way
 * the extension reaches a cluster: one connection, argument arrays, the parsers on real output.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isStuckReason } from "../../extension/slurm/pending-reasons";
import { isAccountingDisabled, sacctArgs } from "../../extension/slurm/sacct";
import {
  classifySbatchRejection,
  parseParsableSubmission,
  parseSubmittedJobIds,
} from "../../extension/slurm/sbatch";
import { scancelArgs } from "../../extension/slurm/scancel";
import { interpretScontrolShowJob, scontrolShowJobArgs } from "../../extension/slurm/scontrol";
import { parseSqueue, type SlurmQueueJob, squeueArgs } from "../../extension/slurm/squeue";
import { interpretLogListing, logListingCommand, pickLogFile } from "../../extension/slurm/thunder-logs";
import type { ExecResult, SshConnection } from "../../extension/ssh/connection";
import { type ClusterInfo, loadClusterInfo, scratchFolder, trustedConnection, waitFor } from "./cluster-env";

let info: ClusterInfo;
let scratch: { path: string; remove: () => void };
let ssh: SshConnection;
const submitted: string[] = [];

async function run(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<ExecResult> {
  return ssh.exec(args, options);
}

async function queue(): Promise<SlurmQueueJob[]> {
  const result = await run(squeueArgs());
  assert.equal(result.exitCode, 0, result.stderr);
  return parseSqueue(result.stdout);
}

/** Submits a batch script through stdin, as `sbatch --parsable`; returns the job id. */
async function submit(script: string, options: string[] = []): Promise<string> {
  const result = await run(["sbatch", "--parsable", "--output", "/dev/null", ...options], { stdin: script });
  assert.equal(result.exitCode, 0, result.stderr);
  const parsed = parseParsableSubmission(result.stdout);
  assert.ok(parsed, `sbatch printed ${JSON.stringify(result.stdout)}`);
  submitted.push(parsed.jobId);
  return parsed.jobId;
}

function ofJob(jobs: SlurmQueueJob[], jobId: string): SlurmQueueJob[] {
  return jobs.filter((job) => job.jobId === jobId || job.arrayJobId === jobId);
}

before(async () => {
  info = loadClusterInfo();
  scratch = scratchFolder();
  ssh = await trustedConnection(info, scratch.path);
  await ssh.connect();
});

after(async () => {
  if (submitted.length > 0) await run(scancelArgs(submitted)).catch(() => undefined);
  await ssh.close();
  scratch.remove();
});

describe("a job's life through squeue and scontrol", () => {
  test("submitted, seen PENDING/RUNNING with its fields, then gone; scontrol still knows it", async () => {
    const name = "exp α with space";
    const jobId = await submit("#!/bin/sh\nsleep 2\n", ["--job-name", name, "--time", "5:00"]);
    const seen = await waitFor("the job in squeue", async () => ofJob(await queue(), jobId)[0]);
    assert.ok(["PENDING", "RUNNING", "CONFIGURING"].includes(seen.state), seen.state);
    assert.equal(seen.name, name);
    assert.equal(seen.displayId, jobId);
    assert.equal(seen.arrayTaskId, undefined);
    assert.equal(seen.partition, info.partition);
    assert.equal(seen.timeLimitSeconds, 300);
    assert.equal(seen.cpus, 1);
    assert.equal(seen.memory, "256M");

    const running = await waitFor("RUNNING", async () =>
      ofJob(await queue(), jobId).find((job) => job.state === "RUNNING"),
    );
    assert.equal(running.nodes, info.nodeName);
    await waitFor("the job to leave squeue", async () =>
      ofJob(await queue(), jobId).length === 0 ? true : undefined,
    );

    const shown = interpretScontrolShowJob(await run(scontrolShowJobArgs(jobId)));
    assert.equal(shown.status, "found");
    assert.ok(shown.status === "found");
    assert.equal(shown.jobs.length, 1);
    assert.equal(shown.jobs[0].state, "COMPLETED");
    assert.equal(shown.jobs[0].exitCode, "0:0");
    assert.equal(shown.jobs[0].name, name);
  });

  test("a purged or never-existing job is not-found", async () => {
    const result = await run(scontrolShowJobArgs("999999"));
    assert.equal(result.exitCode, 1);
    assert.deepEqual(interpretScontrolShowJob(result), { status: "not-found" });
  });

  test("without accounting, sacct says so", async () => {
    const result = await run(sacctArgs("1"));
    assert.ok(isAccountingDisabled(result.stdout + result.stderr), result.stdout + result.stderr);
  });

  test("plain sbatch output: Submitted batch job N", async () => {
    const result = await run(["sbatch", "--output", "/dev/null", "--wrap", "true"]);
    const ids = parseSubmittedJobIds(result.stdout);
    assert.equal(ids.length, 1, result.stdout);
    submitted.push(ids[0]);
  });
});

describe("array jobs and cancelling", () => {
  test("--array=1-3%1 runs one task at a time; one task and then the job can be cancelled", async () => {
    const jobId = await submit("#!/bin/sh\nsleep 30\n", ["--array=1-3%1", "--job-name", "folds"]);
    const tasks = await waitFor("one running task", async () => {
      const found = ofJob(await queue(), jobId);
      return found.length === 3 && found.some((task) => task.state === "RUNNING") ? found : undefined;
    });
    assert.deepEqual(tasks.map((task) => task.arrayTaskId).sort(), ["1", "2", "3"]);
    assert.ok(tasks.every((task) => task.arrayJobId === jobId));
    const waiting = tasks.filter((task) => task.state === "PENDING");
    assert.equal(waiting.length, 2);
    assert.ok(waiting.every((task) => task.reason === "JobArrayTaskLimit"));
    assert.deepEqual(waiting.map((task) => task.displayId).sort(), [`${jobId}_2`, `${jobId}_3`]);

    const cancelTask = await run(scancelArgs([`${jobId}_3`]));
    assert.equal(cancelTask.exitCode, 0, cancelTask.stderr);
    const left = await waitFor("task 3 to go", async () => {
      const found = ofJob(await queue(), jobId);
      return found.some((task) => task.arrayTaskId === "3") ? undefined : found;
    });
    assert.deepEqual(left.map((task) => task.arrayTaskId).sort(), ["1", "2"]);

    assert.equal((await run(scancelArgs([jobId]))).exitCode, 0);
    await waitFor("the array to go", async () =>
      ofJob(await queue(), jobId).length === 0 ? true : undefined,
    );
    const shown = interpretScontrolShowJob(await run(scontrolShowJobArgs(jobId)));
    assert.ok(shown.status === "found");
    // Task 3, cancelled before it started, leaves no record; task 2's record is the unsplit `2%1`.
    assert.deepEqual(shown.jobs.flatMap((task) => task.arrayTaskIds).sort(), ["1", "2"]);
    assert.ok(
      shown.jobs.every((task) => task.state === "CANCELLED"),
      shown.jobs.map((task) => task.state).join(),
    );
  });

  test("a running plain job is cancelled", async () => {
    const jobId = await submit("#!/bin/sh\nsleep 60\n");
    await waitFor("RUNNING", async () => ofJob(await queue(), jobId).find((job) => job.state === "RUNNING"));
    assert.equal((await run(scancelArgs([jobId]))).exitCode, 0);
    await waitFor("the job to go", async () => (ofJob(await queue(), jobId).length === 0 ? true : undefined));
    const shown = interpretScontrolShowJob(await run(scontrolShowJobArgs(jobId)));
    assert.ok(shown.status === "found");
    assert.equal(shown.jobs[0].state, "CANCELLED");
  });

  test("too many CPUs: accepted, but stuck with PartitionConfig", async () => {
    const jobId = await submit("#!/bin/sh\ntrue\n", ["--cpus-per-task=64"]);
    const job = await waitFor("the reason", async () =>
      ofJob(await queue(), jobId).find((found) => found.reason),
    );
    assert.equal(job.state, "PENDING");
    assert.equal(job.reason, "PartitionConfig");
    assert.ok(isStuckReason(job.reason));
    await run(scancelArgs([jobId]));
  });
});

describe("sbatch rejections are classified", () => {
  const cases: [string, string[]][] = [
    ["gres", ["--gpus-per-node=1"]],
    ["memory", ["--mem=999G"]],
    ["partition", ["--partition", "no-such-partition"]],
    ["time", ["--time", "not-a-time"]],
  ];
  for (const [kind, options] of cases) {
    test(`${kind}: ${options.join(" ")}`, async () => {
      const result = await run(["sbatch", ...options, "--output", "/dev/null", "--wrap", "true"]);
      assert.notEqual(result.exitCode, 0);
      assert.deepEqual(parseSubmittedJobIds(result.stdout), []);
      const rejection = classifySbatchRejection(result.stderr);
      assert.ok(rejection, result.stderr);
      assert.equal(rejection.kind, kind, result.stderr);
    });
  }
});

describe("thunder's log files", () => {
  test("found by listing the log folder for a job and for an array task", async () => {
    const logs = ".cache/thunder/slurm/logs";
    // Job ids can repeat across test clusters: logs of an earlier run must not be mistaken for ours.
    assert.equal((await run(["rm", "-rf", logs], { cwd: "~" })).exitCode, 0);
    assert.equal((await run(["mkdir", "-p", logs], { cwd: "~" })).exitCode, 0);
    const unique = "log-exp-2026-nov25-14-03-59";
    const single = await submit("#!/bin/sh\necho single-output\n", [
      "--job-name",
      "log-exp",
      "--output",
      `${logs}/${unique}.o%j`,
    ]);
    const array = await submit('#!/bin/sh\necho "task $SLURM_ARRAY_TASK_ID"\n', [
      "--array=1-2",
      "--job-name",
      "log-exp",
      "--output",
      `${logs}/${unique}.o%A.%a`,
    ]);
    for (const jobId of [single, array]) {
      await waitFor("the job to finish", async () =>
        ofJob(await queue(), jobId).length === 0 ? true : undefined,
      );
    }

    const listSingle = logListingCommand(single);
    const singleName = pickLogFile(interpretLogListing(await run(listSingle.args, { cwd: listSingle.cwd })), {
      jobId: single,
      experimentName: "log-exp",
    });
    assert.equal(singleName, `${unique}.o${single}`);
    assert.equal((await run(["cat", singleName!], { cwd: listSingle.cwd })).stdout, "single-output\n");

    const listTask = logListingCommand(array, "2");
    const taskName = pickLogFile(interpretLogListing(await run(listTask.args, { cwd: listTask.cwd })), {
      jobId: array,
      arrayTaskId: "2",
    });
    assert.equal(taskName, `${unique}.o${array}.2`);
    assert.equal((await run(["cat", taskName!], { cwd: listTask.cwd })).stdout, "task 2\n");
  });
});
