// The Jobs view driven like a user in a real VS Code (code-server + Chromium) against the local test
// cluster (real slurmctld/slurmd behind a real sshd, see test/cluster/cluster.sh): an array job of a
// Split experiment through its states, cancelling from the view, a job's log followed live, the SSH
// server going away and coming back, and the connection failures a user meets, each with the message
// shown. The main cluster is reached through an sshd of this test's own (on a free port, same host
// key and config), so stopping it disturbs no one else. Run under the cluster:
// `test/cluster/cluster.sh run node scripts/test-e2e.mjs jobs.e2e`; skipped when it is not running.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { utils } from "ssh2";
import { shQuote } from "../../extension/remote/posix-quote";
import type { SshConnection } from "../../extension/ssh/connection";
import { appendKnownHost } from "../../extension/ssh/known-hosts";
import {
  CLUSTER_SCRIPT,
  type ClusterInfo,
  hostKeyBlob,
  loadClusterInfo,
  RUN_DIR,
  scratchFolder,
  trustedConnection,
} from "../cluster/cluster-env";
import { repoRoot, VsCodeSession } from "./harness";

const STAND_IN = join(repoRoot, "test", "stand-in", "thunder");
const SINGLE_CONFIG = "lr = 0.1\nbatch_size = 8\nmodule = None\n";
const FOLDS_CONFIG =
  "from thunder.layout import Split\nfrom sklearn.model_selection import KFold\n" +
  "lr = 0.1\nmodule = None\nids = [1, 2, 3, 4, 5, 6]\nlayout = Split(KFold(3), ids)\n";
const CLUSTER = "testcluster";
/** Seconds each array task "trains": long enough to cancel a running task from the UI on a slow machine. */
const ARRAY_TASK_SECONDS = 15;
const clusterRunning = spawnSync("bash", [CLUSTER_SCRIPT, "status"], { encoding: "utf8" }).status === 0;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Monaco renders spaces as non-breaking spaces. */
function plain(text: string): string {
  return text.replace(/\u00a0/g, " ");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** PIDs whose parent is `parent`, from /proc. */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent PID; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === parent) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** An sshd of the test cluster (its config and host key) on a port of its own. */
class OwnSshd {
  private process: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.process = spawn(
      "/usr/sbin/sshd",
      [
        "-D",
        "-f",
        join(RUN_DIR, "ssh/sshd_config"),
        "-E",
        join(RUN_DIR, "ssh/sshd-jobs-e2e.log"),
        "-p",
        String(this.port),
        "-o",
        "PidFile=none",
      ],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    while (!(await isListening(this.port))) {
      if (Date.now() > deadline) throw new Error(`sshd did not listen on port ${this.port}`);
      await sleep(100);
    }
  }

  /** Stops it and the per-connection processes it forked, by PID. */
  async stop(): Promise<void> {
    const sshd = this.process;
    if (!sshd?.pid) return;
    this.process = undefined;
    const exited = new Promise<void>((resolve) => sshd.once("exit", () => resolve()));
    for (const child of childrenOf(sshd.pid)) {
      try {
        process.kill(child, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    process.kill(sshd.pid, "SIGTERM");
    await exited;
  }
}

describe("The Jobs view against a real Slurm in a real VS Code", {
  timeout: 420_000,
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
  let sshd: OwnSshd;
  let remoteBase = "";
  let arrayId = "";
  const source = mkdtempSync(join(tmpdir(), "thunder-e2e-jobs-"));
  const workspace = join(source, "workspace");
  const knownHosts = join(source, "known_hosts");
  const sshConfig = join(source, "ssh_config");
  const savedEnv = { ...process.env };

  /** The cluster entry the jobs run on, reached through this test's own sshd. */
  function mainCluster(): Record<string, unknown> {
    return {
      name: CLUSTER,
      host: info.host,
      port: sshd.port,
      user: info.username,
      identityFile: info.privateKeyPath,
      // The harness opens a copy of this folder named "workspace".
      folders: { workspace: `${remoteBase}/workspace` },
      // The training time is read at submission, so each test picks its own.
      setup: [`export THUNDER_STANDIN_TRAIN_SECONDS="$(cat ${shQuote(`${remoteBase}/train-seconds`)})"`],
      thunderCommand: STAND_IN,
    };
  }

  function settingsText(extraClusters: Record<string, unknown>[]): string {
    return JSON.stringify(
      {
        "thunder.clusters": [mainCluster(), ...extraClusters],
        "thunder.slurm.localSubmission": "never",
        "thunder.ssh.knownHostsFile": knownHosts,
        // The machine's own ~/.ssh/config must not change where the test connects.
        "thunder.ssh.configFile": sshConfig,
        "thunder.jobs.pollInterval": 10,
      },
      null,
      2,
    );
  }

  /** Edits the workspace settings as a user would; VS Code picks the file up by itself. */
  function writeSettings(extraClusters: Record<string, unknown>[]): void {
    writeFileSync(join(vscode.workspace, ".vscode", "settings.json"), settingsText(extraClusters));
  }

  async function setTrainSeconds(seconds: number): Promise<void> {
    const written = await ssh.exec(["sh", "-c", 'cat > "$1"', "sh", `${remoteBase}/train-seconds`], {
      stdin: `${seconds}\n`,
    });
    assert.equal(written.exitCode, 0, written.stderr);
  }

  before(async () => {
    info = loadClusterInfo();
    scratch = scratchFolder();
    ssh = await trustedConnection(info, scratch.path);
    sshd = new OwnSshd(await freePort());
    await sshd.start();
    const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
    remoteBase = `${home}/thunder-e2e-jobs-${process.pid}`;
    mkdirSync(join(workspace, "configs"), { recursive: true });
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    // The experiments exist on both sides: built locally for the workspace, and on the "cluster".
    for (const [name, text] of [
      ["folds", FOLDS_CONFIG],
      ["single", SINGLE_CONFIG],
    ] as const) {
      const remoteConfig = `${remoteBase}/workspace/configs/${name}.config`;
      const written = await ssh.exec(
        ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", remoteConfig],
        { stdin: text },
      );
      assert.equal(written.exitCode, 0, written.stderr);
      const remoteBuild = await ssh.exec([
        STAND_IN,
        "build",
        remoteConfig,
        `${remoteBase}/workspace/exps/${name}-exp`,
      ]);
      assert.equal(remoteBuild.exitCode, 0, remoteBuild.stdout + remoteBuild.stderr);
      writeFileSync(join(workspace, "configs", `${name}.config`), text);
      const localBuild = spawnSync(
        STAND_IN,
        ["build", join(workspace, "configs", `${name}.config`), join(workspace, "exps", `${name}-exp`)],
        { encoding: "utf8" },
      );
      assert.equal(localBuild.status, 0, localBuild.stderr);
    }
    // The main cluster's key is known (the host-key modal itself is tested below, on port 2222).
    await appendKnownHost(knownHosts, info.host, sshd.port, hostKeyBlob(info));
    writeFileSync(sshConfig, "");
    writeFileSync(join(workspace, ".vscode", "settings.json"), settingsText([]));
    process.env.XDG_CONFIG_HOME = join(source, "config");
    // An ssh-agent of the machine would log in where the test expects a wrong key to fail.
    delete process.env.SSH_AUTH_SOCK;
    vscode = await VsCodeSession.launch({ workspace, viewport: { width: 1400, height: 1000 } });
    page = vscode.page;
  });

  after(async () => {
    if (failed && vscode) console.error(`Thunder log of the failed run:\n${vscode.extensionLog()}`);
    await vscode?.close({ keepRunDir: failed });
    process.env = savedEnv;
    if (remoteBase !== "") {
      // Jobs this test left behind (after a failure) must not hold the cluster's CPUs.
      await ssh
        ?.exec(["sh", "-c", 'scancel --me --name=folds-exp,single-exp; rm -rf "$1"', "sh", remoteBase])
        .catch(() => undefined);
    }
    await ssh?.close();
    await sshd?.stop();
    scratch?.remove();
    rmSync(source, { recursive: true, force: true });
  });

  let failed = false;

  /** Runs a test's body; a failure saves a screenshot and keeps the run folder (logs) for a look. */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await vscode.screenshotOnFailure(name, body);
    } catch (error) {
      failed = true;
      throw error;
    }
  }

  // ---- the Jobs view, as a user sees it --------------------------------------------------------

  const jobsPane = () => page.locator(".pane", { has: page.locator('.pane-header[aria-label^="Jobs"]') });
  const dialog = () => page.locator(".monaco-dialog-box");

  const answer = (text: string, expectTitle?: string) => vscode.answer(text, expectTitle);

  /** Opens the Thunder container with the Jobs view expanded and the other views collapsed. */
  async function showJobsView(): Promise<void> {
    const tab = page.locator('.activitybar .action-item a[aria-label^="Thunder"]').first();
    await tab.waitFor({ state: "visible", timeout: 30_000 });
    const header = page.locator('.pane-header[aria-label^="Jobs"]');
    if (!(await header.isVisible())) await tab.click();
    await header.waitFor({ state: "visible" });
    // Collapsed neighbours leave the Jobs view the whole height (trees render only visible rows).
    for (const other of ["Experiments", "Backends"]) {
      const otherHeader = page.locator(`.pane-header[aria-label^="${other}"]`);
      if ((await otherHeader.getAttribute("aria-expanded")) === "true") await otherHeader.click();
    }
    if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  }

  /** The Jobs view's row whose label is exactly `label`. */
  function jobsRow(label: string): Locator {
    const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
    return jobsPane()
      .locator('.monaco-list-row[role="treeitem"]', { has: page.locator(".label-name", { hasText: exact }) })
      .first();
  }

  async function describeRow(row: Locator): Promise<{ description: string; icon: string }> {
    const description = plain(
      await row
        .locator(".label-description")
        .innerText({ timeout: 2000 })
        .catch(() => ""),
    );
    const icon =
      (await row
        .locator(".custom-view-tree-node-item-icon")
        .getAttribute("class", { timeout: 2000 })
        .catch(() => "")) ?? "";
    return { description, icon };
  }

  async function refreshJobs(): Promise<void> {
    const header = page.locator('.pane-header[aria-label^="Jobs"]');
    await header.hover();
    const button = jobsPane().locator('.actions .action-label[aria-label^="Refresh Jobs"]');
    const clicked = await button
      .click({ timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (!clicked) await vscode.runCommand("Thunder: Refresh Jobs");
  }

  /**
   * Waits until `check` passes on what the view shows, pressing Refresh now and then (the view polls
   * every 10 s by itself; a user in a hurry presses Refresh too).
   */
  async function waitForView<T>(
    what: string,
    check: () => Promise<T | undefined>,
    options: { timeoutMs?: number; refresh?: boolean } = {},
  ): Promise<T> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let lastRefresh = Date.now();
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) assert.fail(`the Jobs view never showed ${what}`);
      if ((options.refresh ?? true) && Date.now() - lastRefresh > 2500) {
        await refreshJobs();
        lastRefresh = Date.now();
      }
      await page.waitForTimeout(300);
    }
  }

  /** Waits until the row labelled `label` has a description matching `pattern`; returns what it shows. */
  async function waitForRow(
    label: string,
    pattern: RegExp,
    options: { timeoutMs?: number; refresh?: boolean } = {},
  ): Promise<{ description: string; icon: string }> {
    let last = { description: "(no row)", icon: "" };
    try {
      return await waitForView(
        `${label}: ${pattern}`,
        async () => {
          const row = jobsRow(label);
          if (!(await row.isVisible())) return undefined;
          last = await describeRow(row);
          return pattern.test(last.description) ? last : undefined;
        },
        options,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; "${label}" showed "${last.description}"`);
    }
  }

  async function expand(label: string): Promise<void> {
    const row = jobsRow(label);
    await row.waitFor({ state: "visible" });
    const deadline = Date.now() + 10_000;
    while ((await row.getAttribute("aria-expanded")) !== "true") {
      if (Date.now() > deadline) assert.fail(`"${label}" did not expand`);
      await row.locator(".monaco-tl-twistie").click();
      await page.waitForTimeout(300);
    }
  }

  const chooseFromContextMenu = (target: Locator, item: RegExp, expected: Locator) =>
    vscode.chooseFromContextMenu(target, item, expected);

  /** Submits an experiment through "Run Experiment on Slurm…" and returns the job id announced. */
  async function submit(experiment: string, engineOptions: string): Promise<string> {
    await vscode.runCommand("Thunder: Run Experiment on Slurm…");
    await answer(experiment, "Run Experiment on Slurm");
    await answer("slurm", "backend");
    await answer(engineOptions, "engine options");
    const submitted = page.locator(".notifications-toasts .notification-list-item-message", {
      hasText: new RegExp(`Submitted ${experiment} to cluster "${CLUSTER}" as job \\d+`),
    });
    await submitted.waitFor({ state: "visible", timeout: 60_000 });
    const jobId = /job (\d+)/.exec(await submitted.innerText())?.[1];
    assert.ok(jobId, "the notification names the job id");
    return jobId;
  }

  /** `JobState` of a job or array task as Slurm itself reports it, over our own SSH connection. */
  async function slurmState(id: string): Promise<string> {
    const shown = await ssh.exec(["scontrol", "show", "job", id]);
    return /JobState=(\S+)/.exec(shown.stdout)?.[1] ?? `(${shown.stdout.trim()}${shown.stderr.trim()})`;
  }

  async function waitForSlurmState(id: string, state: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = "";
    while ((seen = await slurmState(id)) !== state) {
      if (Date.now() > deadline) assert.fail(`Slurm says job ${id} is ${seen}, not ${state}`);
      await sleep(300);
    }
  }

  async function shot(name: string): Promise<void> {
    await vscode.screenshot(`jobs-${name}`);
  }

  function activeEditorText(): Promise<string> {
    return page.locator(".editor-instance .monaco-editor .view-lines").first().innerText().then(plain);
  }

  // ---- 1-3: an array job through its states, cancelled in part, its log followed -------------

  test("a Split experiment runs as an array job: one task RUNNING, the others PENDING with the reason", async () => {
    await step("jobs-array-submit", async () => {
      await showJobsView();
      await jobsRow(CLUSTER).waitFor({ state: "visible", timeout: 30_000 });
      await setTrainSeconds(ARRAY_TASK_SECONDS);
      // limit=1: one task at a time, whatever the number of CPUs; the others wait for their turn.
      arrayId = await submit("folds-exp", "limit=1");
      const calls = await ssh.exec(["scontrol", "show", "job", arrayId]);
      assert.match(calls.stdout, /ArrayTaskThrottle=1/, "thunder passed --array=1-3%1");

      await waitForRow("folds-exp", new RegExp(`^${arrayId} · \\d+ `));
      await expand("folds-exp");
      // The first task runs, the other two wait because of the array's limit.
      const waiting = await waitForView("task 1 RUNNING while tasks 2 and 3 wait", async () => {
        const rows = await Promise.all([1, 2, 3].map((task) => describeRow(jobsRow(`task ${task}`))));
        const [first, second, third] = rows;
        return first.description.startsWith(`${arrayId}_1 · RUNNING`) &&
          second.description.startsWith(`${arrayId}_2 · PENDING · (JobArrayTaskLimit)`) &&
          third.description.startsWith(`${arrayId}_3 · PENDING · (JobArrayTaskLimit)`)
          ? rows
          : undefined;
      });
      assert.match(waiting[0].icon, /codicon-sync/, "a running task spins");
      assert.match(waiting[1].icon, /codicon-clock/, "a waiting task shows a clock");
      const array = await describeRow(jobsRow("folds-exp"));
      assert.match(array.description, new RegExp(`^${arrayId} · 1 RUNNING, 2 PENDING`));
      assert.match(array.icon, /codicon-sync/, "the array runs while one of its tasks does");
      await shot("array-running-and-pending");
    });
  });

  test("cancel one running task from the view (confirmed in a dialog): Slurm cancels it, the next starts", async (context) => {
    await step("jobs-cancel-task", async () => {
      const confirm = dialog();
      await chooseFromContextMenu(jobsRow("task 1"), /^Cancel Job…/, confirm);
      const question = plain(await confirm.innerText());
      assert.match(question, new RegExp(`Cancel job ${arrayId}_1 \\(folds-exp, RUNNING\\) on ${CLUSTER}\\?`));
      await shot("cancel-task-dialog");
      await confirm.locator(".monaco-button", { hasText: /^Cancel Task 1$/ }).click();
      await confirm.waitFor({ state: "hidden" });
      // Slurm itself: the task was cancelled, not finished.
      await waitForSlurmState(`${arrayId}_1`, "CANCELLED");
      const ran = /RunTime=(\S+)/.exec(
        (await ssh.exec(["scontrol", "show", "job", `${arrayId}_1`])).stdout,
      )?.[1];
      context.diagnostic(`task 1 ran ${ran} of its ${ARRAY_TASK_SECONDS} s before it was cancelled`);
      // The others go on: task 2 starts, task 3 still waits.
      await waitForRow("task 2", new RegExp(`^${arrayId}_2 · RUNNING`));
      await waitForRow("task 3", new RegExp(`^${arrayId}_3 · PENDING · \\(JobArrayTaskLimit\\)`));
      assert.equal(await slurmState(`${arrayId}_2`), "RUNNING");
      // The cancelled task stays in the view with how it ended, while its array goes on.
      const cancelled = await waitForRow("task 1", new RegExp(`^${arrayId}_1 · CANCELLED`));
      assert.match(cancelled.icon, /codicon-circle-slash/);
      // Why task 3 waits, in plain words, on hover.
      await jobsRow("task 3").hover();
      await page
        .locator(".monaco-hover, .workbench-hover", { hasText: "only run a limited number of tasks at once" })
        .first()
        .waitFor({ state: "visible", timeout: 10_000 });
      await shot("array-after-task-cancel");
    });
  });

  test("a waiting task's log opens from the view and fills in live once the task runs", async () => {
    await step("jobs-log", async () => {
      await jobsRow("task 3").click();
      const tab = page.locator(".tabs-container .tab.active", { hasText: `folds-exp ${arrayId}_3.log` });
      await tab.waitFor({ state: "visible", timeout: 30_000 });
      // Task 3 has not started: no log file yet, and the editor says it will update by itself.
      await page
        .locator(".editor-instance .view-line", { hasText: `No log file for job ${arrayId} task 3` })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      assert.match(await activeEditorText(), /updates by itself/);
      await shot("log-before-start");
      // Once Slurm starts it, the same editor shows thunder's log file of that job id as it grows.
      const editor = page.locator(".editor-instance .monaco-editor .view-lines").first();
      await editor
        .locator(".view-line", { hasText: /training\sfolds-exp/ })
        .first()
        .waitFor({ state: "visible", timeout: 60_000 });
      await editor
        .locator(".view-line", { hasText: /Trainer\.fit.\sstopped/ })
        .first()
        .waitFor({ state: "visible", timeout: 60_000 });
      const shown = (await activeEditorText()).trim();
      const file = await ssh.exec(
        ["sh", "-c", 'cat "$HOME"/.cache/thunder/slurm/logs/folds-exp-*.o"$1".3', "sh", arrayId],
        {},
      );
      assert.equal(file.exitCode, 0, file.stderr);
      assert.equal(shown, file.stdout.trim(), "the editor shows thunder's log file of the task");
      await shot("log-followed");
    });
  });

  test("when the array ends, each task shows how it ended; the job leads to its experiment", async () => {
    await step("jobs-array-ended", async () => {
      await showJobsView();
      const ended = `Slurm job ${arrayId} (folds-exp) on cluster "${CLUSTER}" ended: 2 COMPLETED, 1 CANCELLED.`;
      const array = await waitForRow("folds-exp", new RegExp(`^${arrayId} · 2 COMPLETED, 1 CANCELLED$`));
      assert.match(array.icon, /codicon-circle-slash/, "partly cancelled, not all green");
      await expand("folds-exp");
      const tasks = await Promise.all([1, 2, 3].map((task) => describeRow(jobsRow(`task ${task}`))));
      assert.match(tasks[0].description, new RegExp(`^${arrayId}_1 · CANCELLED`));
      assert.match(tasks[0].icon, /codicon-circle-slash/);
      for (const task of [1, 2]) {
        assert.match(tasks[task].description, new RegExp(`^${arrayId}_${task + 1} · COMPLETED`));
        assert.match(tasks[task].icon, /codicon-pass/);
      }
      await vscode.waitForLog(ended);
      await shot("array-ended");

      await chooseFromContextMenu(
        jobsRow("folds-exp"),
        /^Reveal Job's Experiment/,
        page.locator('.explorer-folders-view .monaco-list-row[aria-selected="true"]', {
          hasText: "folds-exp",
        }),
      );
      await shot("reveal-experiment");

      // The other way: the experiment's row in the Experiments view says how its job ended and
      // leads to it in the Jobs view.
      await showJobsView();
      const experimentsHeader = page.locator('.pane-header[aria-label^="Experiments"]');
      await experimentsHeader.click();
      const experimentRow = page
        .locator(".pane", { has: experimentsHeader })
        .locator('.monaco-list-row[role="treeitem"]', {
          has: page.locator(".label-name", { hasText: /^folds-exp$/ }),
        })
        .first();
      await experimentRow.waitFor({ state: "visible", timeout: 30_000 });
      assert.match(await describeRow(experimentRow).then((row) => row.description), /^Slurm: /);
      await chooseFromContextMenu(
        experimentRow,
        /^Show Jobs$/,
        jobsPane().locator('.monaco-list-row[aria-selected="true"]', { hasText: "folds-exp" }),
      );
      await shot("experiment-show-jobs");
      await showJobsView();
    });
  });

  // ---- 4: the SSH server goes away while a job runs, and comes back ----------------------------

  let singleId = "";

  test("sshd stops mid-poll: the view says the cluster is unreachable and keeps the last jobs", async () => {
    await step("jobs-sshd-stopped", async () => {
      await setTrainSeconds(600);
      singleId = await submit("single-exp", "");
      await waitForRow("single-exp", new RegExp(`^${singleId} · RUNNING`));
      await sshd.stop();
      const message = await waitForView("a message that the cluster cannot be reached", async () => {
        const rows = jobsPane().locator('.monaco-list-row[role="treeitem"]', {
          has: page.locator(".label-name", { hasText: `cluster "${CLUSTER}"` }),
        });
        // The first failed poll may report the broken channel; the next says what happens now.
        const text = (await rows.count()) > 0 ? plain(await rows.first().innerText()) : "";
        return /reconnects by itself/.test(text) ? text : undefined;
      });
      assert.match(message, new RegExp(`127\\.0\\.0\\.1:${sshd.port}`), message);
      assert.match(message, /reconnects by itself/, message);
      const cluster = await waitForRow(CLUSTER, /^connection lost, retrying/, { refresh: false });
      assert.doesNotMatch(cluster.icon, /spin/, "no endless spinner");
      // The last known jobs stay on screen.
      assert.match(
        (await describeRow(jobsRow("single-exp"))).description,
        new RegExp(`^${singleId} · RUNNING`),
      );
      // The log still open from before keeps its lines and says why they stopped updating.
      const editor = page.locator(".editor-instance .monaco-editor .view-lines").first();
      await editor
        .locator(".view-line", { hasText: /The\slines\sabove\sare\sthe\slast\sones\sread/ })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      assert.match(await activeEditorText(), /Trainer\.fit. stopped/);
      await shot("sshd-stopped");
    });
  });

  test("sshd back: the next refresh shows the jobs again; then the whole job is cancelled from the view", async () => {
    await step("jobs-sshd-back", async () => {
      await sshd.start();
      await waitForView("the cluster connected again without a message", async () => {
        const cluster = await describeRow(jobsRow(CLUSTER));
        const messages = await jobsPane()
          .locator('.monaco-list-row[role="treeitem"]', {
            has: page.locator(".label-name", { hasText: `cluster "${CLUSTER}"` }),
          })
          .count();
        return /^connected/.test(cluster.description) && messages === 0 ? true : undefined;
      });
      await waitForRow("single-exp", new RegExp(`^${singleId} · RUNNING`));
      await shot("sshd-back");

      const confirm = dialog();
      await chooseFromContextMenu(jobsRow("single-exp"), /^Cancel Job…/, confirm);
      assert.match(
        plain(await confirm.innerText()),
        new RegExp(`Cancel job ${singleId} \\(single-exp, RUNNING\\) on ${CLUSTER}\\?`),
      );
      await confirm.locator(".monaco-button", { hasText: /^Cancel Job$/ }).click();
      await confirm.waitFor({ state: "hidden" });
      await waitForSlurmState(singleId, "CANCELLED");
      const shown = await waitForRow("single-exp", new RegExp(`^${singleId} · CANCELLED`));
      assert.match(shown.icon, /codicon-circle-slash/);
      await shot("job-cancelled");
    });
  });

  // ---- 5: connection failures, each with the message the user sees -----------------------------

  /** Adds one more cluster to the settings and waits until the Jobs view lists it, not connected. */
  async function addCluster(entry: Record<string, unknown>): Promise<void> {
    writeSettings([entry]);
    await waitForRow(entry.name as string, /not connected/, { timeoutMs: 30_000, refresh: false });
  }

  /**
   * Presses the cluster row's Connect button. A press that reaches the command without the row (the
   * tree was redrawn under the pointer) makes it ask which cluster: then the user answers that.
   */
  async function connectFromView(name: string): Promise<void> {
    const row = jobsRow(name);
    const which = page.locator(".quick-input-widget .quick-input-title", { hasText: "Connect to cluster" });
    for (let attempt = 1; ; attempt++) {
      await row.hover();
      await row.locator('.action-label[aria-label^="Connect to Cluster"]').click();
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if ((await dialog().count()) > 0) return;
        if (!/not connected/.test((await describeRow(row)).description)) return;
        if (await which.isVisible()) {
          console.log(`[jobs.e2e] Connect on "${name}" asked which cluster; answering`);
          await shot(`connect-asked-${name}`);
          await answer(name, "Connect to cluster");
          return;
        }
        await page.waitForTimeout(200);
      }
      await shot(`connect-no-effect-${name}-${attempt}`);
      if (attempt === 3) assert.fail(`pressing Connect on "${name}" did nothing`);
      console.log(`[jobs.e2e] pressing Connect on "${name}" showed no effect within 5 s; pressing again`);
    }
  }

  /** The error toast for `cluster`, and the same text under the cluster in the Jobs view. */
  async function failureShown(name: string, pattern: RegExp): Promise<string> {
    const toast = vscode.notifications().filter({ hasText: pattern }).first();
    await toast.waitFor({ state: "visible", timeout: 60_000 });
    const text = plain(await toast.innerText());
    assert.ok(text.toLowerCase().includes(`cluster "${name}"`), `the message names the cluster: ${text}`);
    await waitForRow(name, /^failed/, { timeoutMs: 10_000, refresh: false });
    const below = jobsPane().locator('.monaco-list-row[role="treeitem"]', {
      has: page.locator(".label-name", { hasText: pattern }),
    });
    await below.first().waitFor({ state: "visible", timeout: 10_000 });
    return text;
  }

  async function clearNotifications(): Promise<void> {
    await vscode.runCommand("Notifications: Clear All Notifications");
  }

  test("a closed port: refused, naming the cluster, its address and what to check", async () => {
    await step("jobs-closed-port", async () => {
      await clearNotifications();
      const port = await freePort();
      await addCluster({ name: "closed-port", host: info.host, port, user: info.username });
      await connectFromView("closed-port");
      const text = await failureShown("closed-port", /refused the connection/);
      assert.match(text, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.match(text, /no SSH server is listening/);
      await shot("closed-port");
    });
  });

  test("a key the server does not accept: login refused, naming the cluster, the user and what to check", async () => {
    await step("jobs-wrong-key", async () => {
      await clearNotifications();
      await addCluster({
        name: "wrong-key",
        host: info.host,
        port: sshd.port,
        user: info.username,
        identityFile: info.wrongKeyPath,
      });
      await connectFromView("wrong-key");
      const text = await failureShown("wrong-key", /Could not log in/);
      assert.match(text, new RegExp(`${info.username}@127\\.0\\.0\\.1:${sshd.port}`));
      assert.match(text, /authorized_keys/);
      await shot("wrong-key");
    });
  });

  const stranger = () => ({ name: "new-host", host: info.host, port: info.port, user: info.username });

  test("a changed host key: refused loudly, no question asked, known_hosts untouched", async () => {
    await step("jobs-changed-key", async () => {
      await clearNotifications();
      const otherKey = utils.generateKeyPairSync("ed25519").public.split(" ").slice(0, 2).join(" ");
      const before = `${readFileSync(knownHosts, "utf8")}[${info.host}]:${info.port} ${otherKey}\n`;
      writeFileSync(knownHosts, before);
      await addCluster({ ...stranger(), name: "changed-key" });
      await connectFromView("changed-key");
      const text = await failureShown("changed-key", /has CHANGED/);
      assert.match(text, /WARNING/);
      assert.match(text, /SHA256:/);
      assert.equal(await dialog().count(), 0, "no host-key question for a changed key");
      assert.equal(readFileSync(knownHosts, "utf8"), before);
      await shot("changed-key");
      // The cluster goes first, so nothing can retry it against the known_hosts restored below (it
      // would then ask about an unknown key).
      writeSettings([]);
      await jobsRow("changed-key").waitFor({ state: "detached", timeout: 30_000 });
      writeFileSync(knownHosts, `${before.split("\n").slice(0, -2).join("\n")}\n`);
    });
  });

  test("an unknown host key: the modal shows its SHA256 fingerprint; Cancel stores nothing", async () => {
    await step("jobs-unknown-key", async () => {
      await clearNotifications();
      const before = readFileSync(knownHosts, "utf8");
      assert.doesNotMatch(before, new RegExp(`\\[${info.host}\\]:${info.port} `));
      await addCluster(stranger());
      await connectFromView("new-host");
      const modal = dialog();
      await modal.waitFor({ state: "visible", timeout: 30_000 });
      const fingerprint = spawnSync("ssh-keygen", ["-lf", "-"], {
        input: info.hostPublicKey,
        encoding: "utf8",
      }).stdout.split(" ")[1];
      assert.ok(fingerprint?.startsWith("SHA256:"), fingerprint);
      const question = plain(await modal.innerText());
      assert.ok(question.includes(fingerprint), `the modal shows ${fingerprint}:\n${question}`);
      assert.match(question, /cluster "new-host"/);
      await shot("unknown-key-modal");
      await modal.locator(".monaco-button", { hasText: /^Cancel$/ }).click();
      const text = await failureShown("new-host", /was not accepted/);
      assert.ok(text.includes(fingerprint), text);
      assert.equal(readFileSync(knownHosts, "utf8"), before, "nothing was added to known_hosts");
      await shot("unknown-key-cancelled");
      // The main cluster was never disturbed by its neighbours' failures.
      assert.match((await describeRow(jobsRow(CLUSTER))).description, /^connected/);
    });
  });
});
