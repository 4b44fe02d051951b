// Slurm over SSH in a real VS Code (code-server + Chromium) against the local test cluster (real
// slurmctld/slurmd behind a real sshd on 127.0.0.1:2222, see test/cluster/cluster.sh). The workspace
// configures the cluster in .vscode/settings.json with an empty known_hosts file, so the host-key
// modal is answered in the UI. Run under the cluster: `test/cluster/cluster.sh run node
// scripts/test-e2e.mjs slurm`; skipped when the cluster is not running.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { shQuote } from "../../extension/remote/posix-quote";
import type { SshConnection } from "../../extension/ssh/connection";
import {
  CLUSTER_SCRIPT,
  type ClusterInfo,
  loadClusterInfo,
  scratchFolder,
  trustedConnection,
} from "../cluster/cluster-env";
import { repoRoot, VsCodeSession } from "./harness";

const STAND_IN = join(repoRoot, "test", "stand-in", "thunder");
const CONFIG = "lr = 0.1\nbatch_size = 8\nmodule = None\n";
const clusterRunning = spawnSync("bash", [CLUSTER_SCRIPT, "status"], { encoding: "utf8" }).status === 0;

describe("Slurm over SSH in a real VS Code", {
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
  const source = mkdtempSync(join(tmpdir(), "thunder-e2e-slurm-"));
  const workspace = join(source, "workspace");
  const knownHosts = join(source, "known_hosts");
  const savedEnv = { ...process.env };

  before(async () => {
    info = loadClusterInfo();
    scratch = scratchFolder();
    ssh = await trustedConnection(info, scratch.path);
    const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
    remoteBase = `${home}/thunder-e2e-slurm-${process.pid}`;
    // thunder's logs go to the test user's ~/.cache/thunder/slurm/logs, where the Jobs view looks.
    const setup = [`export THUNDER_STANDIN_LOG=${shQuote(`${remoteBase}/argv.jsonl`)}`];
    // The experiment exists on both sides: built locally for the workspace, and on the "cluster".
    const remoteConfig = `${remoteBase}/workspace/configs/e2e.config`;
    const written = await ssh.exec(
      ["sh", "-c", 'mkdir -p "$(dirname "$1")" "$2" && cat > "$1"', "sh", remoteConfig, `${remoteBase}/home`],
      { stdin: CONFIG },
    );
    assert.equal(written.exitCode, 0, written.stderr);
    const remoteBuild = await ssh.exec(
      [STAND_IN, "build", remoteConfig, `${remoteBase}/workspace/exps/e2e-exp`],
      { setupLines: setup },
    );
    assert.equal(remoteBuild.exitCode, 0, remoteBuild.stdout + remoteBuild.stderr);
    mkdirSync(join(workspace, "configs"), { recursive: true });
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    writeFileSync(join(workspace, "configs", "e2e.config"), CONFIG);
    const localBuild = spawnSync(
      STAND_IN,
      ["build", join(workspace, "configs", "e2e.config"), join(workspace, "exps", "e2e-exp")],
      {
        encoding: "utf8",
      },
    );
    assert.equal(localBuild.status, 0, localBuild.stderr);
    writeFileSync(knownHosts, "");
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
              setup: [...setup, "export THUNDER_STANDIN_TRAIN_SECONDS=4"],
              thunderCommand: STAND_IN,
            },
          ],
          "thunder.slurm.localSubmission": "never",
          "thunder.ssh.knownHostsFile": knownHosts,
          "thunder.jobs.pollInterval": 10,
          // The DOM renderer, so the terminal's text can be read from its rows.
          "terminal.integrated.gpuAcceleration": "off",
        },
        null,
        2,
      ),
    );
    process.env.XDG_CONFIG_HOME = join(source, "config");
    vscode = await VsCodeSession.launch({ workspace, viewport: { width: 1400, height: 900 } });
    page = vscode.page;
  });

  after(async () => {
    await vscode?.close();
    process.env = savedEnv;
    if (remoteBase !== "") await ssh?.exec(["rm", "-rf", remoteBase]).catch(() => undefined);
    await ssh?.close();
    scratch?.remove();
    rmSync(source, { recursive: true, force: true });
  });

  const answer = (text: string, expectTitle?: string) => vscode.answer(text, expectTitle);

  async function showJobsView(): Promise<void> {
    const tab = page.locator('.activitybar .action-item a[aria-label^="Thunder"]').first();
    await tab.waitFor({ state: "visible", timeout: 30_000 });
    const header = page.locator('.pane-header[aria-label^="Jobs"]');
    if (!(await header.isVisible())) await tab.click();
    await header.waitFor({ state: "visible" });
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  }

  function jobsRow(label: string): Locator {
    return page
      .locator(".pane", { has: page.locator('.pane-header[aria-label^="Jobs"]') })
      .locator('.monaco-list-row[role="treeitem"]', { has: page.locator(".label-name", { hasText: label }) })
      .first();
  }

  /** The text of the terminal panel's rows (DOM renderer; Chromium shows spaces as non-breaking). */
  async function terminalText(): Promise<string> {
    const rows = page.locator(".terminal-wrapper.active .xterm-rows, .xterm .xterm-rows").first();
    return ((await rows.innerText().catch(() => "")) ?? "").replace(/\u00a0/g, " ");
  }

  /** Waits until the terminal shows `text`, ignoring where its rows wrapped. */
  async function terminalShows(text: string, timeoutMs = 30_000): Promise<string> {
    const wanted = text.replace(/\s+/g, "");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = await terminalText();
      if (shown.replace(/\s+/g, "").includes(wanted)) return shown;
      if (Date.now() > deadline) assert.fail(`the terminal does not show ${JSON.stringify(text)}:\n${shown}`);
      await page.waitForTimeout(300);
    }
  }

  test("submit from the UI, accept the host key, watch the job complete, open its log", async () => {
    await vscode.screenshotOnFailure("slurm-submit", async () => {
      await showJobsView();
      await jobsRow("testcluster").waitFor({ state: "visible", timeout: 30_000 });

      await vscode.runCommand("Thunder: Run Experiment on Slurm…");
      await answer("e2e-exp", "Run Experiment on Slurm");
      await answer("slurm", "backend");
      await answer("time=10:00", "engine options");

      const dialog = page.locator(".monaco-dialog-box");
      await dialog.waitFor({ state: "visible", timeout: 30_000 });
      const dialogText = await dialog.innerText();
      const fingerprint = spawnSync("ssh-keygen", ["-lf", "-"], {
        input: info.hostPublicKey,
        encoding: "utf8",
      }).stdout.split(" ")[1];
      assert.ok(fingerprint?.startsWith("SHA256:"), fingerprint);
      assert.ok(dialogText.includes(fingerprint), `the modal shows ${fingerprint}:\n${dialogText}`);
      await vscode.screenshot("slurm-host-key-modal");
      await dialog.locator(".monaco-button", { hasText: "Accept and Connect" }).click();

      const submitted = page.locator(".notifications-toasts .notification-list-item-message", {
        hasText: /Submitted e2e-exp to cluster "testcluster" as job \d+/,
      });
      await submitted.waitFor({ state: "visible", timeout: 60_000 });
      const jobId = /job (\d+)/.exec(await submitted.innerText())?.[1];
      assert.ok(jobId);
      assert.match(readFileSync(knownHosts, "utf8"), /^\[127\.0\.0\.1\]:2222 ssh-ed25519 /m);
      // What thunder received on the cluster: the mapped path and the built-in slurm engine + options.
      const calls = (await ssh.exec(["cat", `${remoteBase}/argv.jsonl`])).stdout.trim().split("\n");
      // (The job itself logs `thunder start` once it runs.)
      const argv =
        calls
          .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
          .find((args) => args[0] === "run") ?? [];
      assert.deepEqual(argv.slice(0, 3), ["run", `${remoteBase}/workspace/exps/e2e-exp`, "--backend=slurm"]);
      assert.ok(
        argv.some((arg) => arg.startsWith("--time=")),
        argv.join(" "),
      );

      // The experiment's Slurm terminal shows the command that was submitted and sbatch's answer,
      // then a live shell in the experiment's folder on the cluster.
      await page
        .locator(".terminal-tabs-entry, .terminal-tab, .single-terminal-tab", {
          hasText: "e2e-exp @ testcluster",
        })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      // Only the rows in view are in the DOM: room for the whole transcript and the shell's lines.
      await vscode.runCommand("View: Toggle Maximized Panel");
      await terminalShows(`Submitted batch job ${jobId}`);
      const shown = await terminalShows(
        `${shQuote(STAND_IN)} run ${shQuote(`${remoteBase}/workspace/exps/e2e-exp`)} '--backend=slurm'`,
      );
      assert.match(shown, /# Submitted from VS Code at \d\d:\d\d:\d\d/);
      assert.ok(shown.replace(/\s+/g, "").includes(`$cd${shQuote(`${remoteBase}/workspace`)}&&`), shown);
      await page.locator(".terminal-wrapper.active .xterm, .xterm").first().click();
      await page.keyboard.type('echo "in:$PWD"');
      await page.keyboard.press("Enter");
      await terminalShows(`in:${remoteBase}/workspace/exps/e2e-exp`);
      await vscode.screenshot("slurm-submission-terminal");
      await vscode.runCommand("View: Toggle Maximized Panel");
      // Submitted once: the terminal only showed the command.
      const runs = (await ssh.exec(["cat", `${remoteBase}/argv.jsonl`])).stdout
        .trim()
        .split("\n")
        .filter((line) => (JSON.parse(line) as { argv: string[] }).argv[0] === "run");
      assert.equal(runs.length, 1, runs.join("\n"));

      const row = jobsRow("e2e-exp");
      await row.waitFor({ state: "visible", timeout: 30_000 });
      await vscode.screenshot("slurm-jobs-queued");
      // The view polls every 10 s while the job waits; the refresh button asks at once.
      const deadline = Date.now() + 90_000;
      for (;;) {
        const description =
          (await row
            .locator(".label-description")
            .innerText()
            .catch(() => "")) ?? "";
        if (description.includes(`${jobId} · COMPLETED`)) break;
        if (Date.now() > deadline) assert.fail(`the job did not show COMPLETED; row says "${description}"`);
        await page.waitForTimeout(2000);
        await page
          .locator(".pane", { has: page.locator('.pane-header[aria-label^="Jobs"]') })
          .locator('.actions .action-label[aria-label^="Refresh Jobs"]')
          .click()
          .catch(() => undefined);
      }
      await vscode.screenshot("slurm-jobs-completed");
      // The Experiments view tells the same: the experiment's Slurm job completed.
      const experimentRow = page
        .locator(".pane", { has: page.locator('.pane-header[aria-label^="Experiments"]') })
        .locator('.monaco-list-row[role="treeitem"]', {
          has: page.locator(".label-name", { hasText: "e2e-exp" }),
        })
        .first();
      await experimentRow
        .locator(".label-description", { hasText: /Slurm: completed/ })
        .waitFor({ state: "visible", timeout: 30_000 });
      // The end of a job started from VS Code is announced (in the log and as a notification).
      const ended = `Slurm job ${jobId} (e2e-exp) on cluster "testcluster" ended: COMPLETED.`;
      const logDeadline = Date.now() + 30_000;
      while (!vscode.extensionLog().includes(ended)) {
        if (Date.now() > logDeadline) assert.fail(`no "${ended}" in the log:\n${vscode.extensionLog()}`);
        await page.waitForTimeout(500);
      }
      await vscode.runCommand("Notifications: Show Notifications");
      await page
        .locator(".notifications-center .notification-list-item-message", { hasText: ended })
        .waitFor({ state: "visible", timeout: 10_000 });
      await vscode.screenshot("slurm-job-ended-notification");
      await page.keyboard.press("Escape");

      await row.click();
      const editor = page.locator(".editor-instance .monaco-editor .view-lines").first();
      await editor.waitFor({ state: "visible" });
      // Monaco renders spaces as non-breaking spaces.
      await editor
        .locator(".view-line", { hasText: /Epoch\s0:/ })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      const shownLog = (await editor.innerText()).replace(/\u00a0/g, " ");
      assert.match(shownLog, /training e2e-exp in .*\/workspace\/exps\/e2e-exp/);
      await page
        .locator(`.tabs-container .tab.active`, { hasText: `e2e-exp ${jobId}.log` })
        .waitFor({ state: "visible" });
      await vscode.screenshot("slurm-job-log");
      assert.ok(existsSync(join(vscode.workspace, "exps", "e2e-exp", "experiment.config")));

      // Submitting again writes into the same terminal, still open, instead of opening another.
      await vscode.runCommand("Thunder: Run Experiment on Slurm…");
      await answer("e2e-exp", "Run Experiment on Slurm");
      await answer("slurm", "backend");
      await answer("time=10:00", "engine options");
      const again = page.locator(".notifications-toasts .notification-list-item-message", {
        hasText: new RegExp(`Submitted e2e-exp to cluster "testcluster" as job (?!${jobId}\\b)\\d+`),
      });
      await again.waitFor({ state: "visible", timeout: 60_000 });
      const secondId = /job (\d+)/.exec(await again.innerText())?.[1];
      assert.ok(secondId);
      await vscode.runCommand("View: Toggle Maximized Panel");
      await terminalShows(`Submitted batch job ${secondId}`);
      assert.ok(
        (await page.locator(".terminal-tabs-entry").count()) < 2,
        "no second terminal was opened for the same experiment",
      );
      await vscode.screenshot("slurm-submission-terminal-reused");
      await ssh.exec(["scancel", secondId]);
    });
  });
});
