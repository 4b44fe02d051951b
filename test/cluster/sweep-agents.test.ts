/**
 * W&B sweep agents on the real local Slurm behind the real sshd, both ways the extension starts them:
 * agents as long-lived processes in Slurm terminals on the login node (each sweep run becomes a Slurm
 * job through the slurm backend, `sbatch --wait`), and agents as the tasks of one array job (each run trained with
 * the cli backend inside the task's allocation). The stand-in thunder reads the sweep's runs from a
 * local file instead of the W&B server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { shQuote } from "../../extension/remote/posix-quote";
import { parseParsableSubmission } from "../../extension/slurm/sbatch";
import { scancelArgs } from "../../extension/slurm/scancel";
import { SshPseudoterminal } from "../../extension/slurm-terminal/ssh-pseudoterminal";
import type { SshConnection } from "../../extension/ssh/connection";
import { loginNodeAgentTerminals } from "../../extension/sweep-commands/cluster-agents";
import { planArrayJob, planLoginNodeAgents } from "../../extension/sweeps/agent-plan";
import {
  type ClusterInfo,
  loadClusterInfo,
  REPO,
  scratchFolder,
  trustedConnection,
  waitFor,
} from "./cluster-env";

const STAND_IN = join(REPO, "test/stand-in/thunder");
const CONFIG =
  "from thunder.placeholders import ExpName, GroupName\nlr = 0.01\nbatch_size = 8\nmodule = None\n";
const RESOURCES = { time: "10:00", cpu: 1, ram: "300M" };

let info: ClusterInfo;
let scratch: { path: string; remove: () => void };
let ssh: SshConnection;
/** A private folder on the "cluster": the project, a HOME for thunder's files, the sweep files. */
let base: string;
const jobIds: string[] = [];
const runNames: string[] = [];

async function writeRemote(path: string, text: string): Promise<void> {
  const result = await ssh.exec(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path], {
    stdin: text,
  });
  assert.equal(result.exitCode, 0, result.stderr);
}

async function readRemote(path: string): Promise<string> {
  const result = await ssh.exec(["cat", path]);
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout;
}

function setupLines(): string[] {
  // Setup lines are the user's shell; values in them are quoted as a user would.
  return [
    `export HOME=${shQuote(`${base}/home`)}`,
    `export THUNDER_STANDIN_SWEEPS=${shQuote(`${base}/wandb`)}`,
    `export THUNDER_STANDIN_LOG=${shQuote(`${base}/argv.jsonl`)}`,
    "export THUNDER_STANDIN_TRAIN_SECONDS=1",
  ];
}

async function agentCalls(sweepPath: string): Promise<string[][]> {
  return (await readRemote(`${base}/argv.jsonl`))
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    .filter((argv) => argv[0] === "wandb" && argv[2] === sweepPath);
}

async function waitForCheckpoints(root: string, runs: string[]): Promise<void> {
  await waitFor(
    `checkpoints of ${runs.join(", ")} under ${root}`,
    async () => {
      const checks = await Promise.all(
        runs.map((run) => ssh.exec(["test", "-f", `${root}/${run}/checkpoints/last.ckpt`])),
      );
      return checks.every((check) => check.exitCode === 0) ? true : undefined;
    },
    100_000,
  );
}

before(async () => {
  info = loadClusterInfo();
  scratch = scratchFolder();
  ssh = await trustedConnection(info, scratch.path);
  const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
  base = `${home}/thunder-sweeps-${process.pid}`;
  await writeRemote(`${base}/proj/it's train.config`, CONFIG);
  await ssh.exec(["mkdir", "-p", `${base}/home`]);
});

after(async () => {
  if (jobIds.length > 0) await ssh.exec(scancelArgs(jobIds)).catch(() => undefined);
  for (const name of runNames) await ssh.exec(["scancel", `--name=${name}`]).catch(() => undefined);
  await ssh.exec(["rm", "-rf", base]).catch(() => undefined);
  await ssh.close();
  scratch.remove();
});

describe("sweep agents on a real Slurm cluster", { timeout: 240_000 }, () => {
  test("two agents on the login node: every sweep run becomes a Slurm job and is trained", async () => {
    const runs = ["l1a", "l2b", "l3c"];
    runNames.push(...runs);
    await writeRemote(
      `${base}/wandb/team__mnist__login1.yaml`,
      runs.map((run, index) => `- {id: ${run}, params: {lr: 0.${index + 1}}}\n`).join(""),
    );
    const planned = planLoginNodeAgents({
      sweepPath: "team/mnist/login1",
      configPath: "it's train.config",
      root: "runs login",
      thunder: STAND_IN,
      backend: "slurm",
      engine: "slurm",
      options: RESOURCES,
      agents: 2,
      remoteFolder: `${base}/proj`,
      setupLines: setupLines(),
    });
    assert.ok(planned.ok, planned.ok ? "" : planned.message);
    const plan = planned.plan;
    // Started like the extension does: one Slurm terminal (a pty shell on the shared connection) per agent.
    const terminals = loginNodeAgentTerminals("testcluster", "team/mnist/login1", plan);
    assert.ok(terminals.ok, terminals.ok ? "" : terminals.message);
    assert.deepEqual(
      terminals.terminals.map((terminal) => terminal.name),
      ["Sweep agent 1/2 – team/mnist/login1", "Sweep agent 2/2 – team/mnist/login1"],
    );
    const output = terminals.terminals.map(() => "");
    const ptys = terminals.terminals.map((spec, index) => {
      const pty = new SshPseudoterminal({
        clusterName: "testcluster",
        openShell: (size) => ssh.shell(size),
        cwd: spec.cwd,
        initialLines: spec.initialLines,
      });
      pty.onDidWrite((text) => (output[index] += text));
      pty.open({ columns: 200, rows: 40 });
      return pty;
    });

    await waitForCheckpoints(`${base}/proj/runs login`, runs);
    for (const [index, run] of runs.entries()) {
      const built = await readRemote(`${base}/proj/runs login/${run}/experiment.config`);
      assert.match(built, new RegExp(`^lr = 0\\.${index + 1}$`, "m"));
    }
    const calls = await agentCalls("team/mnist/login1");
    assert.equal(calls.length, 2);
    for (const argv of calls) assert.deepEqual(argv, plan.agents[0]!.argv.slice(1));
    // Each run went through sbatch: thunder's slurm engine left one log per job.
    const logs = await ssh.exec(["sh", "-c", `ls "$HOME"/.cache/thunder/slurm/logs`], {
      setupLines: setupLines(),
    });
    for (const run of runs) assert.match(logs.stdout, new RegExp(`^${run}-`, "m"), logs.stdout);
    // Each terminal shows its agent's output.
    await waitFor("both agents' output in their terminals", async () =>
      output.every((text) => /wandb: Agent Starting Run: /.test(text)) ? true : undefined,
    );
    for (const pty of ptys) pty.close();
  });

  test("an array job of two agents: runs trained with the cli backend inside the tasks", async () => {
    const runs = ["a1x", "a2y", "a3z"];
    await writeRemote(
      `${base}/wandb/mnist__array1.yaml`,
      runs.map((run, index) => `- {id: ${run}, params: {batch_size: ${16 * (index + 1)}}}\n`).join(""),
    );
    const planned = planArrayJob({
      sweepPath: "mnist/array1",
      configPath: "it's train.config",
      root: "runs-array",
      thunder: STAND_IN,
      agents: 2,
      remoteFolder: `${base}/proj`,
      setupLines: setupLines(),
      slurm: RESOURCES,
      scriptPath: ".thunder-sweeps/array1.sh",
    });
    assert.ok(planned.ok, planned.ok ? "" : planned.message);
    const plan = planned.plan;
    const submitted = await ssh.exec(["sh", "-c", plan.submitCommand]);
    assert.equal(submitted.exitCode, 0, submitted.stdout + submitted.stderr);
    const jobId = parseParsableSubmission(submitted.stdout)?.jobId;
    assert.ok(jobId, submitted.stdout);
    jobIds.push(jobId);

    await waitForCheckpoints(`${base}/proj/runs-array`, runs);
    for (const [index, run] of runs.entries()) {
      const built = await readRemote(`${base}/proj/runs-array/${run}/experiment.config`);
      assert.match(built, new RegExp(`^batch_size = ${16 * (index + 1)}$`, "m"));
    }
    const calls = await agentCalls("mnist/array1");
    assert.equal(calls.length, 2);
    for (const argv of calls) assert.deepEqual(argv, plan.agentArgv.slice(1));
    assert.deepEqual(plan.agentArgv.slice(-2), ["--backend", "cli"]);
    // Each task logged to its own file, named after the array job and the task.
    await waitFor("both task logs", async () => {
      const listing = await ssh.exec(["ls", `${base}/proj/.thunder-sweeps`]);
      const names = listing.stdout.split("\n");
      return [1, 2].every((task) => names.includes(`array1-${jobId}_${task}.log`)) ? true : undefined;
    });
  });
});
