/**
 * Runs on Slurm the way the extension submits them, against the real slurmctld/slurmd behind the real
 * sshd: the plan (mapped paths, quoted arguments, setup lines) executed over one connection with the
 * stand-in thunder really calling sbatch, the Jobs view's model on real squeue output, the final state
 * from scontrol, thunder's log file, and a Slurm terminal on a real pty shell.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  interpretSubmission,
  planSlurmCommand,
  type SlurmRunRequest,
} from "../../extension/clusters/slurm-submission";
import { lookUpFinalState } from "../../extension/jobs/job-history";
import { endedJobs, groupJobs, type JobEntry, toJobEntry } from "../../extension/jobs/jobs-model";
import { shQuote } from "../../extension/remote/posix-quote";
import { scancelArgs } from "../../extension/slurm/scancel";
import { parseSqueue, squeueArgs } from "../../extension/slurm/squeue";
import type { Submission } from "../../extension/slurm/submissions";
import { interpretLogListing, pickLogFile } from "../../extension/slurm/thunder-logs";
import { SshPseudoterminal } from "../../extension/slurm-terminal/ssh-pseudoterminal";
import type { SshConnection } from "../../extension/ssh/connection";
import {
  type ClusterInfo,
  loadClusterInfo,
  REPO,
  scratchFolder,
  trustedConnection,
  waitFor,
} from "./cluster-env";

const STAND_IN = join(REPO, "test/stand-in/thunder");
const LOCAL_PROJECT = "/local/workspace/proj";
const SINGLE_CONFIG = "lr = 0.1\nbatch_size = 8\nmodule = None\n";
const FOLDS_CONFIG =
  "from thunder.layout import Split\nfrom sklearn.model_selection import KFold\n" +
  "lr = 0.1\nmodule = None\nids = [1, 2, 3, 4, 5, 6]\nlayout = Split(KFold(3), ids)\n";

let info: ClusterInfo;
let scratch: { path: string; remove: () => void };
let ssh: SshConnection;
/** A private folder on the "cluster" holding the project and a HOME for thunder's logs. */
let base: string;
const submitted: string[] = [];
const submissions: Submission[] = [];

function target(trainSeconds: number) {
  return {
    clusterName: "test-cluster",
    thunderCommand: [STAND_IN],
    // Setup lines are shell on purpose; the values in them are quoted here as a user would.
    setupLines: [
      `export HOME=${shQuote(`${base}/home`)}`,
      `export THUNDER_STANDIN_TRAIN_SECONDS=${trainSeconds}`,
      `export THUNDER_STANDIN_LOG=${shQuote(`${base}/argv.jsonl`)}`,
    ],
    mappings: [{ local: LOCAL_PROJECT, remote: `${base}/proj` }],
    workingFolder: LOCAL_PROJECT,
  };
}

async function writeRemote(path: string, text: string): Promise<void> {
  const result = await ssh.exec(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path], {
    stdin: text,
  });
  assert.equal(result.exitCode, 0, result.stderr);
}

/** Builds and submits like the extension; returns the job ids and the arguments thunder received. */
async function buildAndRun(
  name: string,
  config: string,
  request: Partial<SlurmRunRequest>,
  trainSeconds = 2,
) {
  await writeRemote(
    `${base}/proj/configs/${config}`,
    config === "folds.config" ? FOLDS_CONFIG : SINGLE_CONFIG,
  );
  const experiment = `${LOCAL_PROJECT}/exps/${name}`;
  const common = { experiment, backend: "slurm", engine: "slurm" } as const;
  const build = planSlurmCommand(
    { ...common, kind: "build", config: `${LOCAL_PROJECT}/configs/${config}`, overrides: ["lr=0.5"] },
    target(trainSeconds),
  );
  const built = await ssh.exec(build.args, { cwd: build.cwd, setupLines: build.setupLines });
  assert.equal(built.exitCode, 0, built.stdout + built.stderr);
  const plan = planSlurmCommand({ ...common, kind: "run", ...request }, target(trainSeconds));
  const result = await ssh.exec(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines });
  const outcome = interpretSubmission("test-cluster", result);
  assert.ok(outcome.ok, `${result.stdout}${result.stderr}`);
  submitted.push(...outcome.jobIds);
  for (const jobId of outcome.jobIds) {
    submissions.push({
      experiment,
      cluster: "test-cluster",
      backend: "slurm",
      jobId,
      submittedAt: new Date().toISOString(),
    });
  }
  const argvLog = await ssh.exec(["cat", `${base}/argv.jsonl`]);
  const calls = argvLog.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { argv: string[] });
  return { jobIds: outcome.jobIds, plan, received: calls.at(-1)!.argv };
}

async function entries(): Promise<JobEntry[]> {
  const result = await ssh.exec(squeueArgs());
  assert.equal(result.exitCode, 0, result.stderr);
  return parseSqueue(result.stdout).map((job) =>
    toJobEntry("test-cluster", job, submissions, () => undefined),
  );
}

before(async () => {
  info = loadClusterInfo();
  scratch = scratchFolder();
  ssh = await trustedConnection(info, scratch.path);
  const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
  base = `${home}/thunder-slurm-runs-${process.pid}`;
  assert.equal((await ssh.exec(["mkdir", "-p", `${base}/home`])).exitCode, 0);
});

after(async () => {
  if (submitted.length > 0) await ssh.exec(scancelArgs(submitted)).catch(() => undefined);
  await ssh.exec(["rm", "-rf", base]).catch(() => undefined);
  await ssh.close();
  scratch.remove();
});

describe("runs submitted over SSH", { timeout: 120_000 }, () => {
  test("a hostile experiment name arrives intact; the job goes to COMPLETED and its log is read", async () => {
    const name = "it's a $(touch pwned) `exp` α";
    const { jobIds, plan, received } = await buildAndRun(name, "single.config", {
      engineOptions: { time: "10:00", cpu: 1, ram: "300M" },
    });
    assert.equal(jobIds.length, 1);
    const [jobId] = jobIds;
    assert.deepEqual(received, plan.args.slice(1), "thunder received exactly the planned arguments");
    assert.equal(received[1], `${base}/proj/exps/${name}`);

    const states = new Set<string>();
    await waitFor(
      "the job to leave the queue",
      async () => {
        const now = await entries();
        const ours = now.find((entry) => entry.jobId === jobId);
        if (ours) {
          states.add(ours.state);
          assert.equal(ours.name, name, "the job is named after the experiment folder");
          assert.equal(ours.ours, true);
          assert.equal(ours.experiment, `${LOCAL_PROJECT}/exps/${name}`);
        }
        const queue = parseSqueue((await ssh.exec(squeueArgs())).stdout);
        return endedJobs([jobId], queue).length === 1 ? true : undefined;
      },
      60_000,
    );
    assert.ok(states.has("RUNNING"), [...states].join());
    const final = await lookUpFinalState(ssh, jobId);
    assert.equal(final.source, "scontrol", "the test cluster has no accounting");
    assert.deepEqual(final.records, [{ taskId: undefined, state: "COMPLETED", exitCode: "0:0" }]);
    assert.equal(final.name, name);

    const logDir = `${base}/home/.cache/thunder/slurm/logs`;
    const names = interpretLogListing(await ssh.exec(["ls", "-1"], { cwd: logDir }));
    const file = pickLogFile(names, { jobId, experimentName: name });
    assert.ok(file, names.join(", "));
    const log = await ssh.exec(["tail", "-c", "2000000", "--", file], { cwd: logDir });
    assert.match(log.stdout, /Epoch 0/);
    const pwned = await ssh.exec(["ls", "-a"], { cwd: base });
    assert.doesNotMatch(pwned.stdout, /pwned/, "nothing in the name was run by a shell");
  });

  test("folds become one array job: tasks wait for the limit, one is cancelled, the rest complete", async () => {
    const { jobIds } = await buildAndRun("folds exp", "folds.config", { engineOptions: { limit: 1 } }, 3);
    const [arrayId] = jobIds;
    const grouped = await waitFor("a running task and two waiting", async () => {
      const items = groupJobs("test-cluster", await entries());
      const array = items.find((item) => item.kind === "array" && item.arrayJobId === arrayId);
      if (array?.kind !== "array" || array.tasks.length !== 3) return undefined;
      return array.tasks.some((task) => task.state === "RUNNING") ? array : undefined;
    });
    assert.equal(grouped.name, "folds exp");
    assert.equal(grouped.ours, true);
    const waiting = grouped.tasks.filter((task) => task.state === "PENDING");
    assert.equal(waiting.length, 2);
    assert.ok(waiting.every((task) => task.reason === "JobArrayTaskLimit"));
    assert.match(grouped.state, /1 RUNNING, 2 PENDING/);

    const last = grouped.tasks.at(-1)!;
    assert.equal((await ssh.exec(scancelArgs([last.displayId]))).exitCode, 0);
    await waitFor(
      "the array to end",
      async () =>
        endedJobs([arrayId], parseSqueue((await ssh.exec(squeueArgs())).stdout)).length ? true : undefined,
      60_000,
    );
    const final = await lookUpFinalState(ssh, arrayId);
    const completed = final.records.filter((record) => record.state === "COMPLETED");
    assert.equal(completed.length, 2, JSON.stringify(final.records));
  });

  test("sbatch refusing a GPU on a GPU-less cluster is reported with the option to change", async () => {
    await writeRemote(`${base}/proj/configs/single.config`, SINGLE_CONFIG);
    const experiment = `${LOCAL_PROJECT}/exps/gpu-exp`;
    const build = planSlurmCommand(
      {
        kind: "build",
        experiment,
        config: `${LOCAL_PROJECT}/configs/single.config`,
        backend: "slurm",
        engine: "slurm",
      },
      target(1),
    );
    assert.equal((await ssh.exec(build.args, { cwd: build.cwd, setupLines: build.setupLines })).exitCode, 0);
    const plan = planSlurmCommand(
      { kind: "run", experiment, backend: "gpu", engine: "slurm", engineOptions: { gpu: 1 } },
      target(1),
    );
    const outcome = interpretSubmission(
      "test-cluster",
      await ssh.exec(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines }),
    );
    assert.ok(!outcome.ok);
    assert.match(outcome.message, /cluster "test-cluster" refused the job/);
    assert.match(outcome.message, /`gpu`/);
  });
});

describe("a Slurm terminal on a real pty", { timeout: 60_000 }, () => {
  test("starts in the folder, follows resizes, Ctrl-C interrupts, the exit status closes it", async () => {
    const folder = `${base}/term dir 'q'`;
    assert.equal((await ssh.exec(["mkdir", "-p", folder])).exitCode, 0);
    let output = "";
    let closedWith: number | undefined | null = null;
    const pty = new SshPseudoterminal({
      clusterName: "test-cluster",
      openShell: (size) => ssh.shell(size),
      cwd: folder,
      initialLines: ["export PS1='$ '"],
    });
    pty.onDidWrite((text) => {
      output += text;
    });
    pty.onDidClose((code) => {
      closedWith = code;
    });
    pty.open({ columns: 90, rows: 20 });
    const seen = (marker: string) =>
      waitFor(
        `"${marker}" in the terminal`,
        async () => (output.includes(marker) ? true : undefined),
        15_000,
      );

    pty.handleInput('echo "at:$(pwd)"\r');
    await seen(`at:${folder}`);
    // Sent once the shell is ready: echoed once by its line editor, not also by the pty before.
    assert.equal(output.split("export PS1=").length - 1, 1, JSON.stringify(output));
    pty.handleInput("stty size\r");
    await seen("20 90");
    pty.setDimensions({ columns: 101, rows: 33 });
    pty.handleInput("stty size\r");
    await seen("33 101");
    pty.handleInput("sleep 60; echo not-interrupted\r");
    await new Promise((resolve) => setTimeout(resolve, 500));
    pty.handleInput("\x03");
    pty.handleInput("echo after-$((40+2))\r");
    await seen("after-42");
    assert.doesNotMatch(output, /[\r\n]not-interrupted/, "the sleep was interrupted before its echo");
    pty.handleInput("exit 7\r");
    await waitFor("the terminal to close", async () => (closedWith === null ? undefined : true), 15_000);
    assert.equal(closedWith, 7);
    assert.match(output, /exited with status 7/);
  });
});
