// The backends, build and run features in a real VS Code (code-server + Chromium) on a copy of
// examples/workspace, with the stand-in thunder on PATH and backends.yml in a temporary
// XDG_CONFIG_HOME: add a backend through the UI (comments kept on disk), build with an override
// from the Explorer's context menu, see the experiment in the tree, run it from the status bar.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { repoRoot, VsCodeSession } from "./harness";

const workspace = join(repoRoot, "examples", "workspace");
const standInFolder = join(repoRoot, "test", "stand-in");
const backendsText = `# Backends for the e2e test: this comment must survive every edit.
local:
  backend: cli   # runs on this machine
  config:
    n_workers: 1
meta:
  default: local
`;

describe("Thunder backends, build and run in a real VS Code", { timeout: 300_000 }, () => {
  let vscode: VsCodeSession;
  let page: Page;
  const home = mkdtempSync(join(tmpdir(), "thunder-e2e-home-"));
  const backendsFile = join(home, "config", "thunder", "backends.yml");
  const argvLog = join(home, "thunder-argv.jsonl");
  const workspaceCopy = join(home, "workspace");
  const savedEnv = { ...process.env };

  before(async () => {
    mkdirSync(join(home, "config", "thunder"), { recursive: true });
    writeFileSync(backendsFile, backendsText);
    // code-server, its extension host and the tasks it starts inherit these.
    process.env.XDG_CONFIG_HOME = join(home, "config");
    // The server side re-reads a login shell's environment, which resets PATH: name the stand-in
    // in the workspace settings instead (the thunder.executable setting).
    cpSync(workspace, workspaceCopy, { recursive: true });
    mkdirSync(join(workspaceCopy, ".vscode"), { recursive: true });
    writeFileSync(
      join(workspaceCopy, ".vscode", "settings.json"),
      JSON.stringify({ "thunder.executable": join(standInFolder, "thunder") }, null, 2),
    );
    process.env.THUNDER_STANDIN_LOG = argvLog;
    process.env.THUNDER_STANDIN_TRAIN_SECONDS = "1";
    vscode = await VsCodeSession.launch({ workspace: workspaceCopy, viewport: { width: 1280, height: 800 } });
    page = vscode.page;
  });

  after(async () => {
    // THUNDER_E2E_KEEP=1 keeps the run folder (code-server and extension logs) for a look afterwards.
    await vscode?.close({ keepRunDir: process.env.THUNDER_E2E_KEEP === "1" });
    process.env = savedEnv;
    rmSync(home, { recursive: true, force: true });
  });

  const quickInput = () => page.locator(".quick-input-widget .quick-input-box input");

  const answer = (text: string, expectTitle?: string) => vscode.answer(text, expectTitle);

  /** The context menu of `target`, until `expected` shows (a quick input's title text or a locator). */
  const chooseFromContextMenu = (target: Locator, item: RegExp, expected: string | Locator) =>
    vscode.chooseFromContextMenu(
      target,
      item,
      typeof expected === "string"
        ? page.locator(".quick-input-widget .quick-input-title", { hasText: expected })
        : expected,
    );

  async function showThunderView(): Promise<void> {
    const tab = page.locator('.activitybar .action-item a[aria-label^="Thunder"]').first();
    await tab.waitFor({ state: "visible", timeout: 30_000 });
    const pane = page.locator('.pane-header[aria-label^="Experiments"]');
    if (!(await pane.isVisible())) await tab.click();
    await pane.waitFor({ state: "visible" });
  }

  function treeRow(view: string, label: string): Locator {
    return page
      .locator(".pane", { has: page.locator(`.pane-header[aria-label^="${view}"]`) })
      .locator('.monaco-list-row[role="treeitem"]', { has: page.locator(".label-name", { hasText: label }) })
      .first();
  }

  async function waitForFile(file: string, contains: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let text = "";
    while (Date.now() < deadline) {
      text = existsSync(file) ? readFileSync(file, "utf8") : "";
      if (text.includes(contains)) return text;
      await page.waitForTimeout(200);
    }
    assert.fail(`${file} did not come to contain ${JSON.stringify(contains)}; it holds:\n${text}`);
  }

  test("the Backends view shows backends.yml, and Add Backend writes it keeping comments", async () => {
    await vscode.screenshotOnFailure("add-backend", async () => {
      await showThunderView();
      await treeRow("Backends", "local").waitFor({ state: "visible", timeout: 30_000 });
      await treeRow("Backends", "slurm").waitFor({ state: "visible" });
      await vscode.runCommand("Thunder: Add Backend…");
      await answer("gpu_short", "name");
      await answer("slurm", "engine");
      await answer("cpu", "options");
      await answer("4", "cpu");
      await answer("time", "options");
      await answer("2h30m", "time");
      await answer("Done", "options");
      const text = await waitForFile(backendsFile, "gpu_short");
      assert.ok(
        text.startsWith("# Backends for the e2e test: this comment must survive every edit.\n"),
        text,
      );
      assert.match(text, /backend: cli +# runs on this machine/);
      assert.match(text, /gpu_short:\n {2}backend: slurm\n {2}config:\n {4}cpu: 4\n {4}time: 0-02:30:00\n/);
      // The default stays, and the new entry comes before `meta`, as thunder's own files have it.
      assert.ok(text.indexOf("gpu_short") < text.indexOf("meta:"), text);
      await treeRow("Backends", "gpu_short").waitFor({ state: "visible", timeout: 15_000 });
      await vscode.screenshot("backends-view");
    });
  });

  test("Build Experiment from the Explorer's context menu, with an override", async () => {
    await vscode.screenshotOnFailure("build-from-explorer", async () => {
      await page.keyboard.press("Control+Shift+E");
      const row = page
        .locator('.explorer-folders-view .monaco-list-row[aria-label^="single.config"]')
        .first();
      await row.waitFor({ state: "visible" });
      await chooseFromContextMenu(row, /^Build Experiment$/, "experiment folder");
      await answer("experiments/single", "experiment folder");
      await answer("lr", "overrides");
      // The box opens with the current value, 1e-3, and says at once that thunder reads it as a
      // string (a YAML 1.1 trap), before thunder ever sees it.
      await page.locator(".quick-input-widget .quick-input-title", { hasText: "-u lr=VALUE" }).waitFor();
      await page.locator(".quick-input-widget", { hasText: "thunder reads this as str 1e-3" }).waitFor();
      assert.equal(await quickInput().inputValue(), "1e-3");
      await vscode.screenshot("build-override-trap");
      await quickInput().fill("0.01");
      await page.locator(".quick-input-widget", { hasText: "thunder reads this as float 0.01" }).waitFor();
      await vscode.screenshot("build-override-value");
      await page.keyboard.press("Enter");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "→ 0.01" }).waitFor();
      await vscode.screenshot("build-overrides");
      await answer("Build", "overrides");
      const built = join(vscode.workspace, "experiments", "single", "experiment.config");
      const text = await waitForFile(built, "lr = 0.01");
      assert.match(text, /ExpName = 'single'/);
      const calls = readFileSync(argvLog, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).argv);
      assert.deepEqual(calls.at(-1), [
        "build",
        join(vscode.workspace, "single.config"),
        join(vscode.workspace, "experiments", "single"),
        "-u",
        "lr=0.01",
      ]);
      await vscode.notifications().filter({ hasText: "Built single." }).first().waitFor({ state: "visible" });
    });
  });

  test("the built experiment appears in the Experiments view", async () => {
    await vscode.screenshotOnFailure("experiments-view", async () => {
      await showThunderView();
      const row = treeRow("Experiments", "single");
      await row.waitFor({ state: "visible", timeout: 30_000 });
      assert.match((await row.textContent()) ?? "", /not run/);
      await vscode.screenshot("experiments-view");
    });
  });

  test("the status-bar button runs the experiment in a terminal named after it", async () => {
    await vscode.screenshotOnFailure("status-bar-run", async () => {
      await vscode.openFile("single.config");
      const button = page.locator('.statusbar [id="thunder-tools.thunder-vscode.run"]');
      await button.filter({ hasText: "Run single" }).waitFor({ state: "visible", timeout: 30_000 });
      await button.click();
      // No backend used yet in this workspace: the picker offers the default first.
      await page.locator(".quick-input-list .monaco-list-row").first().filter({ hasText: "local" }).waitFor();
      await answer("", "backend");
      await answer("", "engine options");
      const checkpoint = join(vscode.workspace, "experiments", "single", "checkpoints", "last.ckpt");
      const deadline = Date.now() + 60_000;
      while (!existsSync(checkpoint) && Date.now() < deadline) await page.waitForTimeout(200);
      assert.ok(existsSync(checkpoint), "the run wrote no checkpoint");
      await vscode
        .notifications()
        .filter({ hasText: "Run of single finished." })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      await page
        .locator(".terminal-tabs-entry, .terminal-tab, .single-terminal-tab", { hasText: "single" })
        .first()
        .waitFor({ state: "visible" })
        .catch(() => undefined);
      const calls = readFileSync(argvLog, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).argv);
      assert.ok(
        calls.some(
          (argv) =>
            argv[0] === "run" &&
            argv[1] === join(vscode.workspace, "experiments", "single") &&
            argv.includes("--backend=local"),
        ),
        JSON.stringify(calls),
      );
      await vscode.screenshot("status-bar-run");
      await showThunderView();
      await treeRow("Experiments", "single")
        .filter({ hasText: "checkpoint" })
        .waitFor({ state: "visible", timeout: 30_000 });
      await vscode.screenshot("experiment-after-run");
    });
  });
  test("Run Chosen Folds runs only the picked folds of a Split experiment (--names)", async () => {
    await vscode.screenshotOnFailure("run-folds", async () => {
      await vscode.openFile("split.config");
      await vscode.runCommand("Thunder: Build Experiment");
      await answer("experiments/split", "experiment folder");
      await answer("Build", "overrides");
      const split = join(vscode.workspace, "experiments", "split");
      await waitForFile(join(split, "nodes.json"), '"name"');
      await showThunderView();
      const row = treeRow("Experiments", "split");
      await row.waitFor({ state: "visible", timeout: 30_000 });
      await chooseFromContextMenu(row, /^Run Chosen Folds…$/, "Run folds of split");
      for (const fold of ["0", "2"]) {
        await page
          .locator(".quick-input-list .monaco-list-row", {
            has: page.locator(".label-name", { hasText: new RegExp(`^${fold}$`) }),
          })
          .first()
          .locator('input[type="checkbox"], .monaco-checkbox, .quick-input-list-checkbox')
          .first()
          .click();
      }
      await vscode.screenshot("run-folds-pick");
      await page.locator(".quick-input-widget .monaco-button", { hasText: /^OK$/ }).click();
      await answer("", "backend");
      await answer("", "engine options");
      const ckpt = (fold: number) => join(split, `fold_${fold}`, "checkpoints", "last.ckpt");
      const deadline = Date.now() + 60_000;
      while (!(existsSync(ckpt(0)) && existsSync(ckpt(2))) && Date.now() < deadline)
        await page.waitForTimeout(200);
      assert.ok(existsSync(ckpt(0)) && existsSync(ckpt(2)), "folds 0 and 2 were not trained");
      await vscode
        .notifications()
        .filter({ hasText: "Run of split finished." })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      assert.ok(!existsSync(ckpt(1)), "fold 1 was trained although it was not picked");
      const calls = readFileSync(argvLog, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).argv);
      assert.ok(
        calls.some((argv) => argv[0] === "run" && argv[1] === split && argv.includes("--names=0,2")),
        JSON.stringify(calls),
      );
    });
  });

  test("diff with the source, rebuild with overwrite (confirmed), delete", async () => {
    await vscode.screenshotOnFailure("experiment-actions", async () => {
      const single = join(vscode.workspace, "experiments", "single");
      const checkpoint = join(single, "checkpoints", "last.ckpt");
      assert.ok(existsSync(checkpoint), "the earlier run's checkpoint is missing");
      await showThunderView();
      const row = treeRow("Experiments", "single");
      await chooseFromContextMenu(
        row,
        /^Diff Built Config with Source$/,
        page.locator(".tabs-container .tab.active", { hasText: "↔" }),
      );
      await vscode.screenshot("diff-with-source");

      const dialog = page.locator(".monaco-dialog-box");
      await chooseFromContextMenu(
        row,
        /^Rebuild \(Overwrite\)…$/,
        dialog.filter({ hasText: "Rebuild single" }),
      );
      assert.match((await dialog.textContent()) ?? "", /checkpoints .*and logs/);
      assert.match((await dialog.textContent()) ?? "", /lr=0\.01/);
      await vscode.screenshot("rebuild-confirm");
      await dialog.locator(".monaco-button", { hasText: "Overwrite and Rebuild" }).click();
      const deadline = Date.now() + 30_000;
      while (existsSync(checkpoint) && Date.now() < deadline) await page.waitForTimeout(200);
      assert.ok(!existsSync(checkpoint), "the overwrite kept the old checkpoint");
      await waitForFile(join(single, "experiment.config"), "lr = 0.01");
      const calls = readFileSync(argvLog, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).argv);
      assert.deepEqual(calls.at(-1)?.slice(-3), ["-u", "lr=0.01", "-o"]);

      await chooseFromContextMenu(row, /^Delete Experiment/, dialog.filter({ hasText: "to the trash" }));
      await dialog.locator(".monaco-button", { hasText: "Move to Trash" }).click();
      // Without a trash on the server side the extension offers to delete for good.
      const permanently = dialog.locator(".monaco-button", { hasText: "Delete Permanently" });
      const gone = Date.now() + 30_000;
      while (existsSync(single) && Date.now() < gone) {
        if (await permanently.isVisible()) await permanently.click();
        await page.waitForTimeout(200);
      }
      assert.ok(!existsSync(single), "the experiment folder is still there");
      await row.waitFor({ state: "detached", timeout: 15_000 });
    });
  });

  test("a backends.yml that does not parse is shown with its line and never written", async () => {
    await vscode.screenshotOnFailure("broken-backends", async () => {
      const broken = "# keep me\nlocal:\n  backend: cli\n  config: [unclosed\n";
      writeFileSync(backendsFile, broken);
      await showThunderView();
      await vscode.runCommand("Thunder: Refresh Backends");
      await page
        .locator(".pane", { has: page.locator('.pane-header[aria-label^="Backends"]') })
        .locator('.monaco-list-row[role="treeitem"]', { hasText: /^Line \d+: YAML syntax error/ })
        .first()
        .waitFor({ state: "visible", timeout: 15_000 });
      await vscode.screenshot("broken-backends");
      await vscode.runCommand("Thunder: Add Backend…");
      const toast = vscode.notifications().filter({ hasText: "cannot be edited" }).first();
      await toast.waitFor({ state: "visible" });
      await page
        .locator(".notifications-toasts .notification-toast .monaco-button", { hasText: "Open File" })
        .first()
        .click();
      await page
        .locator('.tabs-container .tab.active[data-resource-name="backends.yml"]')
        .waitFor({ state: "visible" });
      assert.equal(readFileSync(backendsFile, "utf8"), broken);
    });
  });
});
