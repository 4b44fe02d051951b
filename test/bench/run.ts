/**
 * `npm run bench`: speed and memory of the thunder language server over real stdio, next to
 * pyright on the same text (as a `.py` file) in the same run, on generated realistic configs
 * of 1k, 10k and 100k lines. Then runs every other `test/bench/*.bench.ts` (each a standalone
 * script printing its own table) and reports which ones failed.
 *
 * Options: --sizes=1000,10000   --no-pyright   --no-hooks   --edits=50   --completions=50
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { CompletionItem, CompletionList } from "vscode-languageserver-protocol";
import {
  type LspClient,
  makeWorkspace,
  repoRoot,
  residentBytes,
  startServer,
  type Workspace,
} from "../lsp/harness";
import { batchSizeValue, type GeneratedConfig, generateConfig } from "./generate-config";

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split("=")[1];
const sizes = (option("sizes") ?? "1000,10000,100000").split(",").map(Number);
const editCount = Number(option("edits") ?? 50);
const completionCount = Number(option("completions") ?? 50);
const withPyright = !argv.includes("--no-pyright");
const withHooks = !argv.includes("--no-hooks");

/** Per-phase limits so that a slow server ends up as "timeout" instead of a stuck run. */
const limits = { openMs: 60_000, editMs: 10_000, editPhaseMs: 60_000, completionMs: 10_000 };

type ServerName = "thunder" | "pyright";

interface Figures {
  startMs?: number;
  openMs?: number;
  openCpuMs?: number;
  editCpuMs?: number;
  completionCpuMs?: number;
  editP50?: number;
  editP95?: number;
  completionP50?: number;
  completionP95?: number;
  rssBytes?: number;
  /** Phases that did not finish in time. */
  timeouts: string[];
  error?: string;
}

/**
 * CPU time the server has used so far, in ms: the sum over its threads of the scheduler's
 * on-CPU nanoseconds (Linux /proc). Unlike wall time it does not grow when other work
 * competes for the machine.
 */
function cpuMs(pid: number): number | undefined {
  try {
    let total = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
    }
    return total / 1e6;
  } catch {
    return undefined;
  }
}

function cpuSince(pid: number, before: number | undefined, count = 1): number | undefined {
  const now = cpuMs(pid);
  return now === undefined || before === undefined ? undefined : (now - before) / count;
}

function percentile(values: number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function isTimeout(error: unknown): boolean {
  return /within \d+ ms/.test((error as Error)?.message ?? "");
}

async function startFor(server: ServerName, workspace: Workspace): Promise<LspClient> {
  if (server === "thunder") return startServer({ workspace: workspace.root });
  return startServer({
    workspace: workspace.root,
    command: {
      executable: process.execPath,
      args: [join(repoRoot, "node_modules/pyright/langserver.index.js"), "--stdio"],
    },
    settings: { python: { analysis: { diagnosticMode: "openFilesOnly" } } },
  });
}

async function measure(server: ServerName, config: GeneratedConfig): Promise<Figures> {
  const extension = server === "thunder" ? "config" : "py";
  const workspace = makeWorkspace({ [`base.${extension}`]: config.base, [`exp.${extension}`]: config.text });
  const figures: Figures = { timeouts: [] };
  let client: LspClient | undefined;
  try {
    const spawned = performance.now();
    client = await startFor(server, workspace);
    figures.startMs = performance.now() - spawned;
    const uri = workspace.uri(`exp.${extension}`);
    const languageId = server === "thunder" ? "lazycon" : "python";

    // open -> first diagnostics
    let cpuBefore = cpuMs(client.pid);
    let started = performance.now();
    client.open(uri, config.text, languageId);
    try {
      await client.waitForDiagnostics(uri, () => true, limits.openMs);
      figures.openMs = performance.now() - started;
      figures.openCpuMs = cpuSince(client.pid, cpuBefore);
    } catch (error) {
      if (!isTimeout(error)) throw error;
      figures.timeouts.push("open");
      return figures;
    }

    // edit -> diagnostics: change a value in the middle of the file
    const middle = batchSizeValue(config, Math.floor(config.blocks / 2));
    const editTimes: number[] = [];
    cpuBefore = cpuMs(client.pid);
    const phaseEnd = performance.now() + limits.editPhaseMs;
    for (let edit = 0; edit < editCount && performance.now() < phaseEnd; edit++) {
      started = performance.now();
      const version = client.edit(uri, middle.range, String(33 + (edit % 60)));
      try {
        await client.waitForDiagnostics(
          uri,
          () => {
            const published = client!.diagnostics.get(uri)?.version;
            return published === undefined || published === version;
          },
          limits.editMs,
        );
      } catch (error) {
        if (!isTimeout(error)) throw error;
        figures.timeouts.push("edit");
        break;
      }
      editTimes.push(performance.now() - started);
    }
    if (editTimes.length < editCount && !figures.timeouts.includes("edit"))
      figures.timeouts.push("edit (partly)");
    figures.editP50 = percentile(editTimes, 0.5);
    figures.editP95 = percentile(editTimes, 0.95);
    if (editTimes.length > 0) figures.editCpuMs = cpuSince(client.pid, cpuBefore, editTimes.length);

    // completion: a name prefix in the middle of the file (`*lay|ers_N`)
    const blockLine = middle.line + 3; // `model_N = nn.Sequential(*layers_N)`
    const modelLine = config.text.split("\n")[blockLine] ?? "";
    const character = modelLine.indexOf("*layers_") + 4;
    const completionTimes: number[] = [];
    cpuBefore = cpuMs(client.pid);
    for (let request = 0; request < completionCount; request++) {
      started = performance.now();
      try {
        await client.request<CompletionItem[] | CompletionList | null>(
          "textDocument/completion",
          { textDocument: { uri }, position: { line: blockLine, character } },
          limits.completionMs,
        );
      } catch (error) {
        if (!isTimeout(error)) throw error;
        figures.timeouts.push("completion");
        break;
      }
      completionTimes.push(performance.now() - started);
    }
    figures.completionP50 = percentile(completionTimes, 0.5);
    figures.completionP95 = percentile(completionTimes, 0.95);
    if (completionTimes.length > 0) {
      figures.completionCpuMs = cpuSince(client.pid, cpuBefore, completionTimes.length);
    }
    figures.rssBytes = residentBytes(client.pid);
  } catch (error) {
    figures.error = (error as Error).message.split("\n")[0];
  } finally {
    if (client) {
      figures.rssBytes ??= residentBytes(client.pid);
      try {
        await client.shutdown(5000);
      } catch {
        client.kill();
      }
    }
    workspace.cleanup();
  }
  return figures;
}

// ------------------------------------------------------------------ report

interface Target {
  size: number;
  metric: keyof Figures;
  limit: number;
}

const targets: Target[] = [
  { size: 10_000, metric: "openMs", limit: 150 },
  { size: 10_000, metric: "editP95", limit: 20 },
  { size: 10_000, metric: "completionP95", limit: 10 },
  { size: 10_000, metric: "rssBytes", limit: 80 * 1024 * 1024 },
  { size: 1_000, metric: "editP95", limit: 5 },
];

const metrics: { key: keyof Figures; label: string; phase: string }[] = [
  { key: "startMs", label: "start -> initialize answered (ms)", phase: "start" },
  { key: "openMs", label: "open -> diagnostics (ms)", phase: "open" },
  { key: "openCpuMs", label: "  server CPU for the open (ms)", phase: "open" },
  { key: "editP50", label: "edit -> diagnostics p50 (ms)", phase: "edit" },
  { key: "editP95", label: "edit -> diagnostics p95 (ms)", phase: "edit" },
  { key: "editCpuMs", label: "  server CPU per edit (ms)", phase: "edit" },
  { key: "completionP50", label: "completion p50 (ms)", phase: "completion" },
  { key: "completionP95", label: "completion p95 (ms)", phase: "completion" },
  { key: "completionCpuMs", label: "  server CPU per completion (ms)", phase: "completion" },
  { key: "rssBytes", label: "server RSS (MB)", phase: "rss" },
];

function show(figures: Figures | undefined, key: keyof Figures, phase: string): string {
  if (!figures) return "-";
  const value = figures[key];
  if (typeof value === "number")
    return key === "rssBytes" ? (value / 1024 / 1024).toFixed(1) : value.toFixed(1);
  if (figures.timeouts.includes(phase) || figures.timeouts.includes("open")) return "timeout";
  return figures.error ? "error" : "-";
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")).join("\n");
}

// ------------------------------------------------------------------ other benchmarks

function runBench(file: string): Promise<number | null> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: repoRoot, stdio: "inherit" });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10 * 60_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveRun(signal ? -1 : code);
    });
    child.on("error", () => resolveRun(-1));
  });
}

async function main(): Promise<void> {
  // Figures depend on what else runs: say so next to them.
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(`${cpus().length} CPUs, load average ${load()} at start`);
  const results: { size: number; lines: number; thunder: Figures; pyright?: Figures }[] = [];

  for (const size of sizes) {
    const config = generateConfig(size);
    const lines = config.text.split("\n").length;
    process.stdout.write(`measuring ${lines} lines: thunder...`);
    const thunder = await measure("thunder", config);
    let pyright: Figures | undefined;
    if (withPyright) {
      process.stdout.write(" pyright...");
      pyright = await measure("pyright", config);
    }
    process.stdout.write(" done\n");
    results.push({ size, lines, thunder, pyright });
  }

  const rows: string[][] = [
    ["lines", "metric", "thunder", "pyright", "pyright/thunder", "target", "verdict"],
  ];
  let misses = 0;
  let checked = 0;
  for (const { size, lines, thunder, pyright } of results) {
    for (const { key, label, phase } of metrics) {
      const ours = thunder[key];
      const theirs = pyright?.[key];
      const ratio =
        typeof ours === "number" && typeof theirs === "number" && ours > 0
          ? `${(theirs / ours).toFixed(1)}x`
          : "-";
      const target = targets.find((each) => each.size === size && each.metric === key);
      let targetText = "";
      let verdict = "";
      if (target) {
        targetText = key === "rssBytes" ? `<= ${target.limit / 1024 / 1024} MB` : `<= ${target.limit} ms`;
        const pass = typeof ours === "number" && ours <= target.limit;
        verdict = pass ? "PASS" : "MISS";
        checked++;
        if (!pass) misses++;
      }
      rows.push([
        String(lines),
        label,
        show(thunder, key, phase),
        show(pyright, key, phase),
        ratio,
        targetText,
        verdict,
      ]);
    }
  }
  console.log(`\n${table(rows)}\n`);
  console.log(
    `load average ${load()} at the end (above ${cpus().length}, the CPU count, other work inflates wall times;` +
      " the server CPU rows do not depend on it)",
  );
  for (const { lines, thunder, pyright } of results) {
    if (thunder.error) console.log(`thunder ${lines} lines: ${thunder.error}`);
    if (pyright?.error) console.log(`pyright ${lines} lines: ${pyright.error}`);
  }
  console.log(
    `${checked - misses}/${checked} targets met (edits: ${editCount}, completions: ${completionCount})`,
  );

  let failedHooks = 0;
  if (withHooks) {
    const benchFolder = join(repoRoot, "test", "bench");
    const files = readdirSync(benchFolder)
      .filter((name) => name.endsWith(".bench.ts"))
      .sort();
    const outcomes: string[] = [];
    for (const name of files) {
      console.log(`\n=== ${name} ===`);
      const code = await runBench(join(benchFolder, name));
      if (code !== 0) failedHooks++;
      outcomes.push(`${name}: ${code === 0 ? "ok" : `FAILED (exit ${code === -1 ? "killed" : code})`}`);
    }
    if (files.length > 0) console.log(`\nother benchmarks:\n  ${outcomes.join("\n  ")}`);
  }

  process.exitCode = failedHooks > 0 || results.some((result) => result.thunder.error) ? 1 : 0;
}

void main();
