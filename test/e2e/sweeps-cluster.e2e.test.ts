// W&B sweep agents launched from the palette of a real VS Code onto the local test cluster (real
// slurmctld/slurmd behind a real sshd on 127.0.0.1:2222, see test/cluster/cluster.sh): as a Slurm
// array job, and as background processes on the login node whose runs become Slurm jobs. The stand-in
// thunder on the "cluster" reads the sweep's runs from a file (THUNDER_STANDIN_SWEEPS in the
// cluster's setup lines). Run under the cluster: `test/cluster/cluster.sh run node
// scripts/test-e2e.mjs sweeps-cluster`; skipped when the cluster is not running.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { shQuote } from "../../extension/remote/posix-quote";
import type { SshConnection } from "../../extension/ssh/connection";
import { appendKnownHost } from "../../extension/ssh/known-hosts";
import {
  CLUSTER_SCRIPT,
  type ClusterInfo,
  hostKeyBlob,
  loadClusterInfo,
  scratchFolder,
  trustedConnection,
  waitFor,
} from "../cluster/cluster-env";
import { repoRoot, VsCodeSession } from "./harness";

const STAND_IN = join(repoRoot, "test", "stand-in", "thunder");
const CONFIG =
  "from thunder.placeholders import ExpName, GroupName\nlr = 0.01\nbatch_size = 8\nmodule = None\n";
const BACKENDS =
  'gpu:\n  backend: slurm\n  config:\n    cpu: 1\n    ram: 300M\n    time: "10:00"\nmeta:\n  default: gpu\n';
const clusterRunning = spawnSync("bash", [CLUSTER_SCRIPT, "status"], { encoding: "utf8" }).status === 0;

describe("W&B sweep agents on a Slurm cluster from a real VS Code", {
  timeout: 300_000,
  // CI must never skip it silently: there the cluster is always started by `npm run test:e2e`.
  skip:
    clusterRunning || process.env.CI
      ? false
      : "the test cluster is not running (test/cluster/cluster.sh run ...)",
}, () => {
  let vscode: VsCodeSession;
  let page: Page;
  let info: ClusterInfo;
  let ssh: SshConnection;
  let scratch: { path: string; remove: () => void };
  let remoteBase = "";
  const runNames: string[] = [];
  const source = mkdtempSync(join(tmpdir(), "thunder-e2e-sweeps-cluster-"));
  const workspace = join(source, "workspace");
  const knownHosts = join(source, "known_hosts");
  const savedEnv = { ...process.env };

  async function writeRemote(path: string, text: string): Promise<void> {
    const result = await ssh.exec(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path], {
      stdin: text,
    });
    assert.equal(result.exitCode, 0, result.stderr);
  }

  before(async () => {
    info = loadClusterInfo();
    scratch = scratchFolder();
    ssh = await trustedConnection(info, scratch.path);
    const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
    remoteBase = `${home}/thunder-e2e-sweeps-${process.pid}`;
    await writeRemote(`${remoteBase}/workspace/configs/train.config`, CONFIG);
    // The cluster has its own backends.yml (thunder reads it there); the same entry as locally.
    await writeRemote(`${remoteBase}/home/.config/thunder/backends.yml`, BACKENDS);
    mkdirSync(join(workspace, "configs"), { recursive: true });
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    writeFileSync(join(workspace, "configs", "train.config"), CONFIG);
    await appendKnownHost(knownHosts, info.host, info.port, hostKeyBlob(info));
    writeFileSync(
      join(workspace, ".vscode", "settings.json"),
      JSON.stringify(
        {
          "thunder.clusters": [
            {
              name: "testcluster",
              host: info.host,
              port: info.port,
              user: info.username,
              identityFile: info.privateKeyPath,
              // The harness opens a copy of this folder named "workspace".
              folders: { workspace: `${remoteBase}/workspace` },
              setup: [
                `export HOME=${shQuote(`${remoteBase}/home`)}`,
                `export THUNDER_STANDIN_SWEEPS=${shQuote(`${remoteBase}/wandb`)}`,
                `export THUNDER_STANDIN_LOG=${shQuote(`${remoteBase}/argv.jsonl`)}`,
                "export THUNDER_STANDIN_TRAIN_SECONDS=1",
              ],
              thunderCommand: STAND_IN,
            },
          ],
          "thunder.slurm.localSubmission": "never",
          "thunder.ssh.knownHostsFile": knownHosts,
        },
        null,
        2,
      ),
    );
    mkdirSync(join(source, "config", "thunder"), { recursive: true });
    writeFileSync(join(source, "config", "thunder", "backends.yml"), BACKENDS);
    process.env.XDG_CONFIG_HOME = join(source, "config");
    vscode = await VsCodeSession.launch({ workspace, viewport: { width: 1280, height: 800 } });
    page = vscode.page;
  });

  after(async () => {
    await vscode?.close();
    process.env = savedEnv;
    for (const name of runNames) await ssh?.exec(["scancel", `--name=${name}`]).catch(() => undefined);
    await ssh?.exec(["scancel", "--name=sweep-arr9"]).catch(() => undefined);
    if (remoteBase !== "") await ssh?.exec(["rm", "-rf", remoteBase]).catch(() => undefined);
    await ssh?.close();
    scratch?.remove();
    rmSync(source, { recursive: true, force: true });
  });

  const quickInput = () => page.locator(".quick-input-widget .quick-input-box input");

  const answer = (text: string, expectTitle?: string) => vscode.answer(text, expectTitle);

  async function launch(sweep: string, root: string, engineOptions: string, where: string): Promise<void> {
    // The extension is active once its language server's status shows for an open config.
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    await quickInput().fill("configs/train.config");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "train.config" }).first().click();
    await page
      .locator('.tabs-container .tab.active[data-resource-name="train.config"]')
      .waitFor({ state: "visible" });
    await vscode.serverStatus().waitFor({ state: "visible", timeout: 30_000 });
    await vscode.runCommand("Thunder: Launch Sweep Agents…");
    await answer(`wandb agent ${sweep}`, "W&B sweep");
    await answer("train.config", "config for the runs");
    await answer(root, "root folder");
    await answer("gpu", "backend");
    await answer(engineOptions, "engine options");
    await answer("2", "number of agents");
    await answer(where, "where the agents");
  }

  async function waitForRemoteRuns(root: string, runs: string[]): Promise<void> {
    await waitFor(
      `trained runs ${runs.join(", ")} under ${root}`,
      async () => {
        const checks = await Promise.all(
          runs.map((run) => ssh.exec(["test", "-f", `${root}/${run}/checkpoints/last.ckpt`])),
        );
        return checks.every((check) => check.exitCode === 0) ? true : undefined;
      },
      120_000,
    );
  }

  async function agentCalls(sweepPath: string): Promise<string[][]> {
    const text = (await ssh.exec(["cat", `${remoteBase}/argv.jsonl`])).stdout;
    return text
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
      .filter((argv) => argv[0] === "wandb" && argv[2] === sweepPath);
  }

  test("agents as a Slurm array job: each task trains runs with the cli backend", async () => {
    await vscode.screenshotOnFailure("sweep-array-job", async () => {
      const runs = ["q1a", "q2b", "q3c"];
      runNames.push(...runs);
      await writeRemote(
        `${remoteBase}/wandb/team__mnist__arr9.yaml`,
        runs.map((run, index) => `- {id: ${run}, params: {lr: 0.${index + 1}}}\n`).join(""),
      );
      await launch("team/mnist/arr9", "sweeps/arr9", "cpu=1", "array job");
      await vscode
        .notifications()
        .filter({ hasText: /Submitted array job \d+ \(2 agent\(s\) of team\/mnist\/arr9\) to "testcluster"/ })
        .first()
        .waitFor({ state: "visible", timeout: 60_000 });
      await vscode.screenshot("sweep-array-job-submitted");
      await waitForRemoteRuns(`${remoteBase}/workspace/sweeps/arr9`, runs);
      const calls = await agentCalls("team/mnist/arr9");
      assert.equal(calls.length, 2);
      for (const argv of calls) {
        assert.deepEqual(argv, [
          "wandb",
          "agent",
          "team/mnist/arr9",
          `${remoteBase}/workspace/configs/train.config`,
          `${remoteBase}/workspace/sweeps/arr9`,
          "--backend",
          "cli",
        ]);
      }
      assert.match(
        vscode.extensionLog(),
        /sbatch --parsable '?--array=1-2'? --job-name sweep-arr9 --output \.thunder-sweeps\/arr9-%A_%a\.log --error \.thunder-sweeps\/arr9-%A_%a\.log --mem 300M --cpus-per-task 1 --time 10:00 '?--signal=B:INT@30'? \.thunder-sweeps\/arr9-array\.sh/,
      );
    });
  });

  test("agents on the login node: each run is submitted as its own Slurm job", async () => {
    await vscode.screenshotOnFailure("sweep-login-node", async () => {
      const runs = ["w1a", "w2b"];
      runNames.push(...runs);
      await writeRemote(
        `${remoteBase}/wandb/mnist__lgn9.yaml`,
        runs.map((run, index) => `- {id: ${run}, params: {batch_size: ${16 * (index + 1)}}}\n`).join(""),
      );
      await launch("mnist/lgn9", "sweeps/lgn9", "time=20:00", "login node");
      await vscode
        .notifications()
        .filter({
          hasText: 'Started 2 agent(s) of mnist/lgn9 in Slurm terminals on the login node of "testcluster"',
        })
        .first()
        .waitFor({ state: "visible", timeout: 60_000 });
      await waitForRemoteRuns(`${remoteBase}/workspace/sweeps/lgn9`, runs);
      const calls = await agentCalls("mnist/lgn9");
      assert.equal(calls.length, 2);
      for (const argv of calls) {
        assert.deepEqual(argv.slice(0, 7), [
          "wandb",
          "agent",
          "mnist/lgn9",
          `${remoteBase}/workspace/configs/train.config`,
          `${remoteBase}/workspace/sweeps/lgn9`,
          "--backend",
          "gpu",
        ]);
        assert.deepEqual(argv.slice(7), ["--time", "20:00"]);
      }
      // The runs went through sbatch (thunder's slurm engine left a log per job).
      const logs = await ssh.exec(["ls", `${remoteBase}/home/.cache/thunder/slurm/logs`]);
      for (const run of runs) assert.match(logs.stdout, new RegExp(`^${run}-`, "m"), logs.stdout);
      // Each agent runs in its own Slurm terminal, named after the agent and the sweep.
      const terminalLabels = await page
        .locator(".tabs-list .monaco-list-row")
        .evaluateAll((rows) =>
          rows.map((row) => `${row.getAttribute("aria-label") ?? ""} ${row.textContent ?? ""}`),
        );
      for (const index of [1, 2]) {
        assert.ok(
          terminalLabels.some((label) => label.includes(`Sweep agent ${index}/2 – mnist/lgn9`)),
          JSON.stringify(terminalLabels),
        );
      }
      assert.match(
        vscode.extensionLog(),
        /\[testcluster\] \$ \S*thunder wandb agent mnist\/lgn9 \S+train\.config \S+sweeps\/lgn9 --backend gpu --time 20:00 {3}\(terminal "Sweep agent 2\/2 – mnist\/lgn9"\)/,
      );
      await vscode.screenshot("sweep-login-node-started");
    });
  });
});
