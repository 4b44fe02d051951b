// Runs the extension-host tests: the suite in test/extension-host/suite runs INSIDE a real VS Code
// extension host (code-server in smoke-test-driver mode, opened by Debian's Chromium) against a
// development copy of the extension. Prints each test's result and a final `N passed, M failed`.
// Usage: node test/extension-host/run.mjs [--no-build]   (--no-build: use the dist/ already there)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { require as tsRequire } from "tsx/cjs/api";
import { setup } from "../e2e/setup.mjs";

const hereDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(hereDir, "..", "..");
const suiteBundle = join(repoRoot, "out", "test", "suite", "index.js");
const globalTimeoutMs = Number(process.env.THUNDER_EXTHOST_TIMEOUT_MS ?? 180_000);
/** Must match `resultPrefix` in suite/framework.ts. */
const resultPrefix = "[exthost-test]";
/** THUNDER_EXTHOST_VERBOSE=1: also print the workbench's own log and console. */
const verbose = process.env.THUNDER_EXTHOST_VERBOSE === "1";
/** What the extension needs at run time (the snapshot keeps parallel rebuilds of dist/ out of a run). */
const extensionFiles = [
  "package.json",
  "dist",
  "syntaxes",
  "images",
  "LICENSE",
  "extension/backends/backends.schema.json",
];

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function step(label, body) {
  const stepStarted = Date.now();
  const result = body();
  console.log(`[exthost] ${label}: ${seconds(Date.now() - stepStarted)}`);
  return result;
}

async function buildAll() {
  if (!process.argv.includes("--no-build")) {
    step("build extension", () => {
      const result = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], {
        cwd: repoRoot,
        stdio: "inherit",
      });
      if (result.status !== 0) throw new Error(`building the extension failed (exit code ${result.status})`);
    });
  }
  const suiteStarted = Date.now();
  await build({
    entryPoints: [join(hereDir, "suite", "index.ts")],
    outfile: suiteBundle,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    external: ["vscode"],
    logLevel: "warning",
  });
  console.log(`[exthost] build suite: ${seconds(Date.now() - suiteStarted)}`);
}

function snapshotExtension(into) {
  for (const relative of extensionFiles) {
    const source = join(repoRoot, relative);
    if (!existsSync(source)) continue;
    mkdirSync(dirname(join(into, relative)), { recursive: true });
    cpSync(source, join(into, relative), { recursive: true });
  }
  if (!existsSync(join(into, "dist", "extension.js")))
    throw new Error("dist/extension.js is missing: run `npm run build`");
}

/** Counts the suite's result lines as they stream in. */
class ResultCounter {
  passed = 0;
  failed = 0;
  sawSummary = false;

  observe(text) {
    for (const line of text.split("\n")) {
      if (!line.startsWith(resultPrefix)) continue;
      const rest = line.slice(resultPrefix.length + 1);
      if (rest.startsWith("ok ")) this.passed++;
      else if (rest.startsWith("FAILED ")) this.failed++;
      else if (rest.startsWith("summary ")) this.sawSummary = true;
    }
  }
}

/** The end of the extension's own "Thunder" log, which usually says why a feature did not answer. */
function printExtensionLog(session) {
  const lines = session.extensionLog().trimEnd().split("\n").slice(-40);
  if (lines.length === 0 || lines[0] === "") return;
  console.log("[exthost] the Thunder log ended with:");
  for (const line of lines) console.log(`  | ${line}`);
}

/** Builds and installs what a run needs; the harness's session class, or undefined after a failure. */
async function prepare() {
  try {
    await buildAll();
    step("setup code-server", () => setup());
    // Loaded as CommonJS: the harness finds its tools relative to its own __dirname.
    return tsRequire("../e2e/harness.ts", import.meta.url).VsCodeSession;
  } catch (error) {
    console.error(`[exthost] ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function main() {
  const VsCodeSession = await prepare();
  if (!VsCodeSession) {
    console.log("0 passed, 1 failed");
    process.exit(1);
  }

  const extensionDir = mkdtempSync(join(tmpdir(), "thunder-exthost-extension-"));
  snapshotExtension(extensionDir);
  // code-server passes its environment on to the extension host and to task processes: the suite
  // runs the stand-in thunder, which records every invocation in this file.
  process.env.THUNDER_EXTHOST_STANDIN = join(repoRoot, "test", "stand-in", "thunder");
  process.env.THUNDER_STANDIN_LOG = join(extensionDir, "stand-in-invocations.jsonl");
  const counter = new ResultCounter();
  let resolveExit;
  const exited = new Promise((resolve) => {
    resolveExit = resolve;
  });
  let workbenchReadyAt;
  const print = (text) => {
    counter.observe(text);
    // The workbench delivers log lines in batches, so the suite stamps its own start.
    const suiteStart = /\[exthost-metric\] suite started at (\d+)/.exec(text);
    if (suiteStart && workbenchReadyAt !== undefined) {
      const waited = Number(suiteStart[1]) - workbenchReadyAt;
      console.log(`[exthost] the suite started ${seconds(waited)} after the workbench was visible`);
      return;
    }
    for (const line of text.split("\n")) console.log(`  ${line}`);
  };

  let session;
  let timer;
  const cleanUp = async () => {
    clearTimeout(timer);
    await session?.close().catch(() => undefined);
    rmSync(extensionDir, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    console.error(`[exthost] ${signal}: stopping`);
    void cleanUp().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve("timeout"), globalTimeoutMs);
  });
  let exitCode = 1;
  try {
    const launching = VsCodeSession.launch({
      workspace: join(repoRoot, "examples", "workspace"),
      installVsix: false,
      codeServerArgs: ["--vscode-option", "enable-smoke-test-driver"],
      extraQuery: (port) => ({
        payload: JSON.stringify([
          ["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${extensionDir}`],
          // A plain path would be a file:// URI of the browser's machine, which no extension host serves.
          ["extensionTestsPath", `vscode-remote://127.0.0.1:${port}${suiteBundle}`],
        ]),
      }),
      beforeLoad: async (page) => {
        // The workbench's log, which includes what the extension host's console.log forwards.
        await page.exposeFunction("codeAutomationLog", (level, message) => {
          const text = String(message);
          if (verbose) console.log(`[workbench ${level}] ${text}`);
          const index = text.search(/\[exthost-(test|metric)\]/);
          if (index >= 0) print(text.slice(index));
        });
        await page.exposeFunction("codeAutomationExit", (code) => resolveExit(Number(code)));
        // Launch problems of the test runner show up only in the page's console.
        page.on("console", (message) => {
          const text = message.text();
          if (verbose) console.log(`[console] ${text}`);
          if (text.includes("No extension host found that can launch the test runner")) {
            console.error(`[exthost] ${text}`);
            resolveExit(1);
          }
        });
      },
    });
    session = await Promise.race([launching, timedOut.then(() => undefined)]);
    if (!session) {
      // A launch that finishes after the deadline must still be stopped.
      launching.then((late) => late.close()).catch(() => undefined);
      throw new Error(`code-server did not start within ${seconds(globalTimeoutMs)}`);
    }
    workbenchReadyAt = Date.now();
    console.log(
      `[exthost] code-server up in ${seconds(session.timings.codeServerStartMs)}, workbench in ${seconds(session.timings.workbenchReadyMs)}`,
    );
    const outcome = await Promise.race([exited, timedOut]);
    if (outcome === "timeout") {
      console.error(`[exthost] the suite did not finish within ${seconds(globalTimeoutMs)}`);
      counter.failed++;
    } else {
      exitCode = outcome;
      if (exitCode !== 0 && counter.failed === 0) {
        console.error(`[exthost] the extension host exited with code ${exitCode} before reporting a failure`);
        counter.failed++;
      } else if (!counter.sawSummary) {
        console.error("[exthost] the suite ended without its summary line (did it load?)");
        counter.failed++;
      }
    }
    if (counter.failed > 0) printExtensionLog(session);
  } catch (error) {
    console.error(`[exthost] ${error instanceof Error ? error.message : String(error)}`);
    counter.failed++;
  } finally {
    const cleanUpStarted = Date.now();
    await cleanUp();
    console.log(`[exthost] clean-up: ${seconds(Date.now() - cleanUpStarted)}`);
  }
  console.log(`[exthost] total ${seconds(Date.now() - started)}`);
  console.log(`${counter.passed} passed, ${counter.failed} failed`);
  process.exit(counter.failed > 0 ? Math.max(exitCode, 1) : exitCode);
}

await main();
