// The packaged extension in a real VS Code (code-server + Chromium) on examples/workspace:
// language mode, the language server's diagnostics and completion, XML `.config` files, commands.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot, VsCodeSession } from "./harness";

const workspace = join(repoRoot, "examples", "workspace");
/** Set THUNDER_E2E_DOCS_IMAGES=1 to refresh the screenshots under docs/images. */
const updateDocsImages = process.env.THUNDER_E2E_DOCS_IMAGES === "1";

describe("Thunder in a real VS Code", { timeout: 240_000 }, () => {
  let vscode: VsCodeSession;
  let activationMs = 0;

  before(async () => {
    vscode = await VsCodeSession.launch({ workspace, viewport: { width: 1100, height: 700 } });
  });

  after(async () => {
    const serverStart = vscode?.extensionLog().match(/Language server started in (\d+) ms/)?.[1];
    await vscode?.close();
    console.log(
      `[timings] code-server start ${vscode?.timings.codeServerStartMs} ms, workbench ready ` +
        `${vscode?.timings.workbenchReadyMs} ms, open web.config -> extension active and language server running ${activationMs} ms ` +
        `(of which the server's own start ${serverStart} ms)`,
    );
  });

  test("an XML web.config opened first activates the extension and goes to XML", async () => {
    await vscode.screenshotOnFailure("web-config-xml", async () => {
      const started = Date.now();
      await vscode.openFile("web.config");
      // VS Code opens it as lazycon (that activates the extension), which hands it to XML.
      await vscode.waitForLog("web.config starts with '<': opening it as XML.", 60_000);
      await vscode.waitForLog("Language server started", 60_000);
      activationMs = Date.now() - started;
      await assertText(vscode.languageMode(), "XML");
      // The lazycon server never reports on it.
      const rows = await vscode.problems();
      await vscode.page.waitForTimeout(1000);
      assert.equal(await rows.filter({ hasText: "web.config" }).count(), 0);
    });
  });

  test("a .config file opens as lazycon with the language server running", async () => {
    await vscode.screenshotOnFailure("lazycon-active", async () => {
      await vscode.openFile("single.config");
      await assertText(vscode.languageMode(), "Lazycon Config");
      // The zap icon in the extension's status bar item means the server runs.
      await vscode.serverStatus().locator(".codicon-zap").waitFor({ state: "visible" });
      await assertText(vscode.serverStatus(), "Thunder");
    });
  });

  test("the grammar colours thunder's entries and placeholders", async () => {
    await vscode.screenshotOnFailure("grammar-colours", async () => {
      await vscode.openFile("child.config");
      const entry = await vscode.tokenColors("trainer");
      const placeholder = await vscode.tokenColors("ExpName");
      const ordinary = await vscode.tokenColors(/^lr\b/);
      assert.equal(entry.token.length, 1, "one `trainer = ...` token");
      assert.notEqual(entry.token[0], entry.plain);
      assert.ok(placeholder.token.length >= 2, "ExpName in the import and in the logger");
      for (const colour of placeholder.token) assert.notEqual(colour, placeholder.plain);
      // An ordinary entry keeps the default colour.
      assert.deepEqual(ordinary.token, [ordinary.plain]);
    });
  });

  test("broken.config shows its errors in the Problems panel", async () => {
    await vscode.screenshotOnFailure("broken-problems", async () => {
      await vscode.openFile("broken.config");
      await assertText(vscode.languageMode(), "Lazycon Config");
      const rows = await vscode.problems();
      await rows
        .filter({ hasText: "was never closed" })
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
    });
  });

  test("hovering an undefined name shows the problem", async () => {
    await vscode.screenshotOnFailure("broken-hover", async () => {
      await vscode.problems(); // keeps the Problems panel in the picture
      await vscode.openFile("broken.config");
      // `epochs` on line 6: trainer = Trainer(max_epochs=epochs)
      await vscode.goTo(6, 32);
      const hover = await vscode.showHover();
      await hover.filter({ hasText: "epochs" }).waitFor({ state: "visible", timeout: 15_000 });
      await vscode.screenshot("broken-hover");
      if (updateDocsImages) {
        await vscode.screenshot("diagnostic-hover", {
          path: join(repoRoot, "docs", "images", "diagnostic-hover.png"),
          clip: [vscode.page.locator(".part.editor"), vscode.page.locator(".part.panel")],
        });
      }
    });
  });

  test("completion in a child config offers entries inherited from its parent", async () => {
    await vscode.screenshotOnFailure("completion", async () => {
      await vscode.openFile("child.config");
      await vscode.page.keyboard.press("Control+End");
      await vscode.page.keyboard.press("Enter");
      // `num_classes` is defined only in base.config, the parent.
      await vscode.page.keyboard.type("classes = num_cl");
      const labels = await vscode.triggerSuggest();
      await labels
        .filter({ hasText: /^num_classes$/ })
        .first()
        .waitFor({ state: "visible", timeout: 15_000 });
      await vscode.page.keyboard.press("Escape");
      await vscode.runCommand("File: Revert File");
    });
  });

  test("changing thunder.configShortcuts reaches the language server", async () => {
    await vscode.screenshotOnFailure("config-shortcuts", async () => {
      const settingsFile = join(vscode.workspace, ".vscode", "settings.json");
      const settings = readFileSync(settingsFile, "utf8");
      await vscode.openFile("tuned.config");
      const tunedProblems = (await vscode.problems()).filter({ hasText: "tuned.config" });
      // The `shared` shortcut from the folder settings resolves the parent: nothing to report.
      await vscode.page.waitForTimeout(1500);
      assert.equal(await tunedProblems.count(), 0);
      try {
        writeFileSync(settingsFile, JSON.stringify({ "thunder.configShortcuts": {} }));
        await tunedProblems.first().waitFor({ state: "visible" });
      } finally {
        writeFileSync(settingsFile, settings);
      }
      await tunedProblems.first().waitFor({ state: "hidden" });
    });
  });

  test("a crashing server is restarted 4 times, then one notification offers the log", async () => {
    await vscode.screenshotOnFailure("crash-loop", async () => {
      await vscode.openFile("single.config");
      let pid = await vscode.waitForLanguageServer();
      const running = vscode.serverStatus().locator(".codicon-zap");
      // Kill only a server that finished initializing (its "ready" line is in the log): a process
      // killed while starting is a failed start, not the crash this test is about.
      const readyLines = () =>
        vscode.extensionLog().match(/thunder-language-server \S* ?ready/g)?.length ?? 0;
      const waitForReady = async (count: number) => {
        const deadline = Date.now() + 20_000;
        while (readyLines() < count && Date.now() < deadline) await vscode.page.waitForTimeout(100);
        assert.ok(readyLines() >= count, `server start ${count} never logged "ready"`);
      };
      await waitForReady(1);
      const readyBefore = readyLines();
      for (let restart = 1; restart <= 4; restart++) {
        await running.waitFor({ state: "visible" });
        process.kill(pid, "SIGKILL");
        pid = await vscode.waitForLanguageServer({ other: pid });
        await waitForReady(readyBefore + restart);
        assert.equal(await vscode.notifications().count(), 0, `a notification after crash ${restart}`);
      }
      await running.waitFor({ state: "visible" });
      process.kill(pid, "SIGKILL");
      const message = vscode.notifications().filter({ hasText: "will not be restarted" });
      await message.waitFor({ state: "visible" });
      await vscode.serverStatus().locator(".codicon-error").waitFor({ state: "visible" });
      // Typing in the editor while the server is down must not pop anything up.
      // (The editor keeps the focus; Escape would hide the toast, so no goTo here.)
      await vscode.page.keyboard.press("Control+Home");
      await vscode.page.keyboard.type("x = 1\n");
      await vscode.page.waitForTimeout(1500);
      assert.equal(await vscode.notifications().count(), 1);
      assert.deepEqual(vscode.languageServerPids(), []);
      await vscode.screenshot("crash-notification");
      await vscode.page
        .locator(".notifications-toasts .notification-toast .monaco-button", { hasText: "Show Log" })
        .click();
      await vscode.page
        .locator(".part.panel .monaco-select-box[title='Thunder']")
        .or(vscode.page.locator(".part.panel select.monaco-select-box", { hasText: "Thunder" }))
        .first()
        .waitFor({ state: "visible" });
      await vscode.waitForLog("will not be restarted");
      await vscode.runCommand("File: Revert File");
    });
  });

  test("Thunder: Restart Language Server starts it again", async () => {
    await vscode.screenshotOnFailure("restart", async () => {
      await vscode.openFile("single.config");
      await vscode.runCommand("Thunder: Restart Language Server");
      await vscode.serverStatus().locator(".codicon-zap").waitFor({ state: "visible", timeout: 30_000 });
      await vscode.waitForLanguageServer();
      assert.deepEqual(await vscode.notifications().allTextContents(), []);
    });
  });

  test("Thunder: Show Log shows the Thunder output", async () => {
    await vscode.screenshotOnFailure("show-log", async () => {
      await vscode.runCommand("Thunder: Show Log");
      await vscode.page
        .locator(".part.panel .view-lines", { hasText: "thunder-language-server" })
        .first()
        .waitFor({ state: "visible", timeout: 15_000 });
      await vscode.waitForLog("Language server started");
      // web.config was switched to XML by the extension, not by chance.
      await vscode.waitForLog("web.config starts with '<': opening it as XML.");
    });
  });
});

async function assertText(locator: import("playwright-core").Locator, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = "";
  while (Date.now() < deadline) {
    last = (
      (await locator
        .first()
        .textContent()
        .catch(() => "")) ?? ""
    ).trim();
    if (last.includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`expected ${JSON.stringify(text)}, saw ${JSON.stringify(last)}`);
}
