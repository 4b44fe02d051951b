// W&B sweeps in a real VS Code (code-server + Chromium) on a copy of examples/workspace, with the
// stand-in thunder on PATH: its `wandb agent` reads the sweep's runs from a local file prepared
// here (THUNDER_STANDIN_SWEEPS) instead of the W&B server. Launch two local agents from the
// palette, see both start with the right arguments and the runs built on disk and grouped under
// their sweep in the Experiments view, with their overrides; create a sweep YAML from the Explorer and launch an agent from its button.
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { repoRoot, VsCodeSession } from "./harness";

const workspace = join(repoRoot, "examples", "workspace");
const standInFolder = join(repoRoot, "test", "stand-in");
const backendsText = "local:\n  backend: cli\n  config:\n    n_workers: 1\nmeta:\n  default: local\n";

describe("W&B sweep agents in a real VS Code", { timeout: 300_000 }, () => {
  let vscode: VsCodeSession;
  let page: Page;
  const home = mkdtempSync(join(tmpdir(), "thunder-e2e-sweeps-"));
  const sweeps = join(home, "wandb-server");
  const argvLog = join(home, "thunder-argv.jsonl");
  const workspaceCopy = join(home, "workspace");
  const savedEnv = { ...process.env };

  before(async () => {
    mkdirSync(join(home, "config", "thunder"), { recursive: true });
    writeFileSync(join(home, "config", "thunder", "backends.yml"), backendsText);
    mkdirSync(sweeps);
    writeFileSync(
      join(sweeps, "team__mnist__abc123.yaml"),
      [
        "- {id: r1a, params: {lr: 0.1, batch_size: 16}}",
        "- {id: r2b, params: {lr: 0.001}}",
        "- {id: r3c, params: {hidden: 512}}",
        "",
      ].join("\n"),
    );
    writeFileSync(join(sweeps, "mnist__def456.yaml"), "- {id: r9z, params: {max_epochs: 2}}\n");
    // code-server, its extension host and the tasks it starts inherit these, except PATH: the
    // server side re-reads a login shell's environment. The stand-in is named in the settings.
    process.env.XDG_CONFIG_HOME = join(home, "config");
    cpSync(workspace, workspaceCopy, { recursive: true });
    mkdirSync(join(workspaceCopy, ".vscode"), { recursive: true });
    writeFileSync(
      join(workspaceCopy, ".vscode", "settings.json"),
      JSON.stringify({ "thunder.executable": join(standInFolder, "thunder") }, null, 2),
    );
    process.env.THUNDER_STANDIN_LOG = argvLog;
    process.env.THUNDER_STANDIN_SWEEPS = sweeps;
    process.env.THUNDER_STANDIN_TRAIN_SECONDS = "1";
    vscode = await VsCodeSession.launch({ workspace: workspaceCopy, viewport: { width: 1280, height: 800 } });
    page = vscode.page;
  });

  after(async () => {
    await vscode?.close({ keepRunDir: process.env.THUNDER_E2E_KEEP === "1" });
    process.env = savedEnv;
    rmSync(home, { recursive: true, force: true });
  });

  const quickInput = () => page.locator(".quick-input-widget .quick-input-box input");

  async function waitForTitle(title: string): Promise<void> {
    await page
      .locator(".quick-input-widget .quick-input-title", { hasText: title })
      .waitFor({ state: "visible", timeout: 20_000 });
  }

  const answer = (text: string, expectTitle?: string) => vscode.answer(text, expectTitle);

  function agentCalls(): { argv: string[]; cwd: string }[] {
    if (!existsSync(argvLog)) return [];
    return readFileSync(argvLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { argv: string[]; cwd: string })
      .filter((call) => call.argv[0] === "wandb");
  }

  /** Waits until every run folder has its checkpoint; returns the run folders found. */
  async function waitForRuns(root: string, runs: string[], timeoutMs = 90_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const done = () => runs.every((run) => existsSync(join(root, run, "checkpoints", "last.ckpt")));
    while (!done() && Date.now() < deadline) await page.waitForTimeout(250);
    const found = existsSync(root) ? readdirSync(root).sort() : [];
    assert.ok(
      done(),
      `runs not all trained under ${root}: ${found.join(", ")}\nThunder log:\n${vscode.extensionLog().slice(-3000)}`,
    );
    return found;
  }

  function treeRow(view: string, label: string): Locator {
    return page
      .locator(".pane", { has: page.locator(`.pane-header[aria-label^="${view}"]`) })
      .locator('.monaco-list-row[role="treeitem"]', { has: page.locator(".label-name", { hasText: label }) })
      .first();
  }

  test("Launch Sweep Agents from the palette: two local agents build the sweep's runs", async () => {
    await vscode.screenshotOnFailure("sweep-launch-local", async () => {
      await vscode.openFile("single.config");
      // The window has settled (the language server answers for the open config) before the palette is used.
      await vscode.serverStatus().waitFor({ state: "visible", timeout: 30_000 });
      await vscode.runCommand("Thunder: Launch Sweep Agents…");
      await waitForTitle("W&B sweep");
      // Live validation: pasted shell noise beyond one command is refused with a reason.
      await quickInput().fill("wandb agent team/mnist/abc123; rm -rf ~");
      await page
        .locator(".quick-input-widget", { hasText: "several commands" })
        .waitFor({ state: "visible", timeout: 10_000 });
      await vscode.screenshot("sweep-input-refused");
      await answer("$ wandb agent team/mnist/abc123\n", "W&B sweep");
      await answer("single.config", "config for the runs");
      await answer("sweeps/abc123", "root folder");
      await answer("local", "backend");
      await answer("", "engine options");
      await answer("2", "number of agents");
      await answer("this machine", "where the agents");

      const root = join(vscode.workspace, "sweeps", "abc123");
      const runs = await waitForRuns(root, ["r1a", "r2b", "r3c"]);
      assert.deepEqual(runs, ["r1a", "r2b", "r3c"]);
      assert.match(readFileSync(join(root, "r1a", "experiment.config"), "utf8"), /^lr = 0\.1$/m);
      assert.match(readFileSync(join(root, "r3c", "experiment.config"), "utf8"), /^hidden = 512$/m);

      const calls = agentCalls();
      assert.equal(calls.length, 2, JSON.stringify(calls));
      for (const call of calls) {
        assert.deepEqual(call.argv, [
          "wandb",
          "agent",
          "team/mnist/abc123",
          join(vscode.workspace, "single.config"),
          root,
          "--backend",
          "local",
        ]);
      }
      for (const index of [1, 2]) {
        await vscode.waitForLog(`(terminal "Sweep agent ${index}/2 – team/mnist/abc123"`);
      }
      assert.match(
        vscode.extensionLog(),
        /\$ \S*thunder wandb agent team\/mnist\/abc123 \S*single\.config \S*sweeps\/abc123 --backend local/,
      );
      // Each agent has its own terminal, named after the agent and the sweep.
      const terminalLabels = await page
        .locator(".tabs-list .monaco-list-row")
        .evaluateAll((rows) =>
          rows.map((row) => `${row.getAttribute("aria-label") ?? ""} ${row.textContent ?? ""}`),
        );
      for (const index of [1, 2]) {
        assert.ok(
          terminalLabels.some((label) => label.includes(`Sweep agent ${index}/2 – team/mnist/abc123`)),
          JSON.stringify(terminalLabels),
        );
      }
      await vscode
        .notifications()
        .filter({ hasText: "The agents of team/mnist/abc123 have finished." })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      await vscode.screenshot("sweep-agents-local");

      // The runs are built experiments: the Experiments view lists them.
      const tab = page.locator('.activitybar .action-item a[aria-label^="Thunder"]').first();
      const pane = page.locator('.pane-header[aria-label^="Experiments"]');
      if (!(await pane.isVisible())) await tab.click();
      for (const run of runs)
        await treeRow("Experiments", run).waitFor({ state: "visible", timeout: 30_000 });
      // ...grouped under their sweep (one level down), each with what the sweep changed in the config.
      const sweepRow = treeRow("Experiments", "team/mnist/abc123");
      await sweepRow.waitFor({ state: "visible", timeout: 30_000 });
      assert.equal(await sweepRow.getAttribute("aria-level"), "1");
      assert.match((await sweepRow.locator(".label-description").textContent()) ?? "", /sweep · 3 runs/);
      const descriptionOf = async (run: string) => {
        const row = treeRow("Experiments", run);
        assert.equal(await row.getAttribute("aria-level"), "2", `${run} is not under its sweep`);
        return (await row.locator(".label-description").textContent()) ?? "";
      };
      const first = await descriptionOf("r1a");
      assert.match(first, /\bbatch_size=16\b/);
      assert.match(first, /\blr=0\.1\b/);
      // lr: 0.001 is the source's 1e-3 written another way: no change.
      assert.match(await descriptionOf("r2b"), /^no changes from the config/);
      assert.match(await descriptionOf("r3c"), /^hidden=512 · /);
      await vscode.screenshot("sweep-runs-in-experiments");
    });
  });

  test("Create Sweep Config from the Explorer, then Launch Agents… from its notification", async () => {
    await vscode.screenshotOnFailure("sweep-create-config", async () => {
      await page.keyboard.press("Control+Shift+E");
      const row = page
        .locator('.explorer-folders-view .monaco-list-row[aria-label^="single.config"]')
        .first();
      await row.waitFor({ state: "visible" });
      await row.click({ button: "right" });
      const menuItem = page
        .locator(".monaco-menu .action-item", { hasText: /^Create Sweep Config…$/ })
        .first();
      const entriesTitle = page.locator(".quick-input-widget .quick-input-title", {
        hasText: "entries of single.config",
      });
      // A click that lands while the context menu is still settling is sometimes dropped: click again.
      for (let attempt = 0; attempt < 3 && !(await entriesTitle.isVisible()); attempt++) {
        if (await menuItem.isVisible()) {
          await menuItem.hover();
          await menuItem.click();
        }
        await entriesTitle.waitFor({ state: "visible", timeout: 5_000 }).catch(() => undefined);
      }
      await waitForTitle("entries of single.config");
      await vscode.screenshot("sweep-config-entries");
      await answer("", "entries of single.config");
      await answer("random", "search method");

      const yamlPath = join(vscode.workspace, "single.sweep.yaml");
      const deadline = Date.now() + 20_000;
      while (!existsSync(yamlPath) && Date.now() < deadline) await page.waitForTimeout(200);
      const yaml = readFileSync(yamlPath, "utf8");
      assert.match(yaml, /^program: single\.config$/m);
      assert.match(yaml, /^method: random$/m);
      for (const name of ["batch_size", "lr", "max_epochs", "hidden"]) {
        assert.match(yaml, new RegExp(`^ {2}${name}:`, "m"), yaml);
      }
      assert.doesNotMatch(yaml, /^ {2}(module|trainer|train_data):/m);
      await page
        .locator('.tabs-container .tab.active[data-resource-name="single.sweep.yaml"]')
        .waitFor({ state: "visible" });
      const notification = vscode
        .notifications()
        .filter({ hasText: "wandb sweep single.sweep.yaml" })
        .first();
      await notification.waitFor({ state: "visible", timeout: 15_000 });
      await vscode.screenshot("sweep-config-created");
      await page
        .locator(".notification-toast", { hasText: "wandb sweep single.sweep.yaml" })
        .locator(".monaco-button", { hasText: "Launch Agents…" })
        .first()
        .click();

      // The config is known from the YAML: the launch asks for the sweep, then skips the config step.
      await answer("wandb: Run sweep agent with: wandb agent mnist/def456", "W&B sweep");
      await answer("sweeps/def456", "root folder");
      await answer("local", "backend");
      await answer("", "engine options");
      await answer("1", "number of agents");
      await answer("this machine", "where the agents");
      await waitForRuns(join(vscode.workspace, "sweeps", "def456"), ["r9z"]);
      const last = agentCalls().at(-1);
      assert.deepEqual(last?.argv, [
        "wandb",
        "agent",
        "mnist/def456",
        join(vscode.workspace, "single.config"),
        join(vscode.workspace, "sweeps", "def456"),
        "--backend",
        "local",
      ]);
    });
  });
});
