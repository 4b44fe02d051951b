/**
 * Hostile input over real stdio: binary junk, NUL, BOM, CRLF, tabs, a 1 MB line, deep
 * nesting, cyclic and broken parents, and random edit sequences. After each case every kind
 * of request, at random positions, must be answered within 1 s (stretched when the machine is
 * overloaded, see `starvation`) and the server must live; and
 * diagnostics after random incremental edits must equal those of the final text opened fresh.
 * Deterministic (seeded; THUNDER_FUZZ_SEED=N explores other seeds) and bounded in time.
 */
import assert from "node:assert/strict";
import { chmodSync, symlinkSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type {
  FileChangeType,
  Position,
  Range,
  TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol";
import { configEntriesRequest } from "../../language-server/protocol";
import { generateConfig } from "../bench/generate-config";
import { type LspClient, makeWorkspace, offsetAt, startServer, type Workspace } from "./harness";

const seed = Number(process.env.THUNDER_FUZZ_SEED ?? 20261125);
/** The limit for every answer, on a machine that is not busy with other work. */
const answerWithinMs = 1000;

/**
 * How starved of CPU this process is right now: wall time over CPU time of a short busy loop
 * (about 1 on an idle machine, 5 when five processes compete for each core). The server runs on
 * the same machine, so the answer limit stretches by the same factor, at most tenfold.
 */
function starvation(): number {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let sink = 0;
  while (performance.now() - wallStart < 20) sink += Math.sqrt(sink + 1);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return Math.min(10, Math.max(1, (performance.now() - wallStart) / Math.max(cpuMs, 1)));
}
let largestLimitMs = answerWithinMs;

function answerLimitMs(): number {
  const limit = Math.round(answerWithinMs * starvation());
  largestLimitMs = Math.max(largestLimitMs, limit);
  return limit;
}

/** mulberry32: small, fast, good enough for choosing test inputs reproducibly. */
function createRandom(initial: number) {
  let state = initial >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (below: number) => Math.floor(next() * below),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Random = ReturnType<typeof createRandom>;

function lineLengths(text: string): number[] {
  return text.split("\n").map((line) => line.replace(/\r$/, "").length);
}

/** Mostly valid positions, some past the end of a line or of the document. */
function randomPosition(random: Random, lengths: number[]): Position {
  const roll = random.next();
  if (roll < 0.05) return { line: lengths.length + random.int(5), character: random.int(10) };
  const line = random.int(lengths.length);
  if (roll < 0.1) return { line, character: (lengths[line] ?? 0) + 1 + random.int(5) };
  return { line, character: random.int((lengths[line] ?? 0) + 1) };
}

interface Outcome {
  method: string;
  ms: number;
  error?: string;
}

/** Every request the server offers, at random positions; each must answer within the limit. */
async function askEverything(
  client: LspClient,
  uri: string,
  text: string,
  random: Random,
): Promise<Outcome[]> {
  const lengths = lineLengths(text);
  const at = () => ({ textDocument: { uri }, position: randomPosition(random, lengths) });
  const range = (): Range => {
    const start = randomPosition(random, lengths);
    return { start, end: { line: start.line + random.int(3), character: random.int(20) } };
  };
  const requests: [string, unknown][] = [
    ["textDocument/completion", at()],
    ["textDocument/completion", { ...at(), context: { triggerKind: 2, triggerCharacter: "." } }],
    ["textDocument/hover", at()],
    ["textDocument/definition", at()],
    ["textDocument/references", { ...at(), context: { includeDeclaration: true } }],
    ["textDocument/prepareRename", at()],
    [
      "textDocument/rename",
      { ...at(), newName: random.pick(["renamed", "x2", "class", "__dunder", "1bad", ""]) },
    ],
    ["textDocument/documentSymbol", { textDocument: { uri } }],
    ["workspace/symbol", { query: random.pick(["", "lr", "batch", "zz", "\u0000"]) }],
    ["textDocument/foldingRange", { textDocument: { uri } }],
    ["textDocument/codeAction", { textDocument: { uri }, range: range(), context: { diagnostics: [] } }],
    [configEntriesRequest, { uri }],
  ];
  const outcomes: Outcome[] = [];
  const limitMs = answerLimitMs();
  for (const [method, params] of requests) {
    const started = performance.now();
    try {
      await client.request(method, params, limitMs);
      outcomes.push({ method, ms: performance.now() - started });
    } catch (error) {
      const message = (error as Error).message;
      // Only rename may legitimately refuse (an invalid new name); anything else is a failure.
      if (/no answer within/.test(message) || method !== "textDocument/rename") {
        throw new Error(`${method} ${JSON.stringify(params).slice(0, 200)}: ${message}`);
      }
      outcomes.push({ method, ms: performance.now() - started, error: message });
    }
  }
  assert.ok(client.alive(), "the server process is alive");
  return outcomes;
}

function applyChange(text: string, change: TextDocumentContentChangeEvent): string {
  if (!("range" in change)) return change.text;
  const start = offsetAt(text, change.range.start);
  const end = Math.max(start, offsetAt(text, change.range.end));
  return text.slice(0, start) + change.text + text.slice(end);
}

const snippets = [
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "\n",
  "\r\n",
  "    ",
  "\t",
  "lr",
  " = ",
  ".",
  ",",
  ":",
  "'",
  '"',
  '"""',
  "#",
  "\\",
  "def f(x):\n    return x\n",
  "lambda x: x",
  "from .base import *\n",
  "from .missing import *\n",
  "import torch\n",
  "model = nn.Sequential(",
  "é",
  "😀",
  "\u0000",
  "ExpName",
  "x = [i for i in range(3)]\n",
];

/**
 * A random edit at positions inside the document, as editors send them. `wild` also allows
 * positions past the end of a line or of the document (the protocol says they mean the end).
 */
function randomChange(random: Random, text: string, wild = false): TextDocumentContentChangeEvent {
  const lengths = lineLengths(text);
  const start = wild
    ? randomPosition(random, lengths)
    : (() => {
        const line = random.int(lengths.length);
        return { line, character: random.int(lengths[line]! + 1) };
      })();
  const deleting = random.next() < 0.35;
  let end = start;
  if (deleting) {
    const endLine = start.line + (random.next() < 0.2 ? 1 : 0);
    const character = (endLine === start.line ? start.character : 0) + random.int(8);
    end = wild
      ? { line: endLine, character }
      : endLine < lengths.length
        ? { line: endLine, character: Math.min(character, lengths[endLine]!) }
        : start;
  }
  const insert = deleting && random.next() < 0.5 ? "" : random.pick(snippets);
  return { range: { start, end }, text: insert };
}

function randomBytesText(random: Random, length: number): string {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index++) bytes[index] = random.int(256);
  return bytes.toString("utf8");
}

describe("fuzzing the server over stdio", () => {
  let workspace: Workspace;
  let client: LspClient;
  const random = createRandom(seed);
  const slowest = { method: "", ms: 0 };
  let documentCounter = 0;

  const note = (outcomes: Outcome[]) => {
    for (const outcome of outcomes) {
      if (outcome.ms > slowest.ms) Object.assign(slowest, { method: outcome.method, ms: outcome.ms });
    }
  };

  /**
   * Opens `text` as a new document, waits for its diagnostics (the open itself may take a
   * while on megabyte inputs), then asks everything, each within the limit, and closes it.
   */
  async function survive(text: string, relative = `fuzz-${++documentCounter}.config`) {
    const uri = client.open(workspace.uri(relative), text);
    await client.waitForDiagnostics(uri, () => true, 10_000);
    note(await askEverything(client, uri, text, random));
    client.close(uri);
  }

  before(async () => {
    workspace = makeWorkspace({
      "base.config": "lr = 0.1\nbatch_size = 8\n",
      "cycle_a.config": "from .cycle_b import *\na = 1\n",
      "cycle_b.config": "from .cycle_a import *\nb = a\n",
      "self_import.config": "from .self_import import *\nx = 1\n",
    });
    workspace.mkdir("folder_parent.config");
    workspace.write("locked.config", "secret = 1\n");
    symlinkSync(workspace.path("nowhere.config"), workspace.path("dangling.config"));
    client = await startServer({ workspace: workspace.root });
  });

  after(async () => {
    try {
      if (client.alive()) assert.equal(await client.shutdown(), 0);
    } finally {
      workspace.cleanup();
      console.log(
        `fuzz seed ${seed}: slowest answer ${slowest.method} ${slowest.ms.toFixed(1)} ms` +
          ` (limit ${answerWithinMs} ms${largestLimitMs > answerWithinMs ? `, stretched up to ${largestLimitMs} ms by machine load` : ""})`,
      );
      // Handler failures are survived by design; list them so that the service's bugs get seen.
      const failures = client.logs.filter((log) => / failed: /.test(log.message));
      if (failures.length > 0) {
        console.log(`${failures.length} handler failures were logged and answered empty, e.g.:`);
        for (const failure of failures.slice(0, 3))
          console.log(`  ${failure.message.split("\n").slice(0, 3).join(" | ")}`);
      }
    }
  });

  it("random bytes", async () => {
    for (let round = 0; round < 5; round++) await survive(randomBytesText(random, 200 + random.int(4000)));
  });

  it("NUL characters, a BOM, CRLF line ends, mixed tabs and spaces", async () => {
    await survive("lr = 0.1\u0000\nx = lr\u0000 + 1\n\u0000");
    await survive("\uFEFFfrom .base import *\n\nscaled = lr * 2\n");
    await survive("from .base import *\r\n\r\ndef f(x):\r\n    y = x\r\n    return y\r\n\r\nz = f(lr)\r\n");
    await survive("def f(x):\n\tif x:\n        return 1\n\treturn 2\nvalue = f(1)\n");
    await survive("a = [\n\t1,\n        2,\n  \t3]\n\tb = 1\n");
  });

  it("a 1 MB line", async () => {
    await survive(`values = [${"1, ".repeat(350_000)}]\nother = values\n`);
  });

  it("10,000 nested brackets, closed and unclosed", async () => {
    await survive(`deep = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n`);
    await survive(`deep = ${"[".repeat(10_000)}\n`);
    await survive(`deep = ${"{'a': ".repeat(5_000)}1${"}".repeat(5_000)}\n`);
  });

  it("cyclic parent imports", async () => {
    await survive(workspace.read("cycle_a.config"), "cycle_a.config");
    await survive(workspace.read("self_import.config"), "self_import.config");
    await survive("from .cycle_a import *\nfrom .cycle_b import *\nc = a + b\n");
  });

  it("a parent that is a folder, an unreadable one, and a dangling symlink", async () => {
    await survive("from .folder_parent import *\nx = 1\n");
    chmodSync(workspace.path("locked.config"), 0o000);
    await survive("from .locked import *\nx = secret\n");
    await survive("from .dangling import *\nx = 1\n");
    client.fileChanged(workspace.uri("dangling.config"));
    client.fileChanged(workspace.uri("folder_parent.config"), 1);
    await survive("from .dangling import *\nfrom .folder_parent import *\n");
  });

  /** Applies `steps` rounds of random edits to an open document, asking everything every 10. */
  async function editRandomly(uri: string, text: string, steps: number, wild: boolean): Promise<string> {
    for (let step = 1; step <= steps; step++) {
      const changes = Array.from({ length: 1 + random.int(3) }, () => {
        const change = randomChange(random, text, wild);
        text = applyChange(text, change);
        return change;
      });
      client.change(uri, changes);
      if (step % 10 === 0) note(await askEverything(client, uri, text, random));
    }
    return text;
  }

  it("random edit sequences on a realistic config", async () => {
    const realistic = generateConfig(300).text;
    for (let sequence = 0; sequence < 3; sequence++) {
      const uri = client.open(workspace.uri(`edited-${sequence}.config`), realistic);
      const text = await editRandomly(uri, realistic, 60, false);
      await client.waitForDiagnostics(uri, () => true, 5000);
      // The server's view of the text must match ours: folding ranges stay inside the document.
      const lines = text.split("\n").length;
      const folds = await client.request<{ startLine: number; endLine: number }[]>(
        "textDocument/foldingRange",
        { textDocument: { uri } },
        answerLimitMs(),
      );
      for (const fold of folds)
        assert.ok(fold.endLine < lines, `fold ${JSON.stringify(fold)} within ${lines} lines`);
      client.close(uri);
    }
  });

  it("edit positions past line and document ends", async () => {
    const uri = client.open(workspace.uri("wild.config"), generateConfig(100).text);
    await editRandomly(uri, generateConfig(100).text, 40, true);
    await client.waitForDiagnostics(uri, () => true, 5000);
    client.close(uri);
  });

  it("incremental edits end with the same diagnostics as opening the final text", async () => {
    const realistic = generateConfig(200).text;
    for (let sequence = 0; sequence < 3; sequence++) {
      const uri = workspace.uri(`differential-${sequence}.config`);
      client.open(uri, realistic);
      const text = await editRandomly(uri, realistic, 30, false);
      const edited = await client.waitForDiagnostics(uri, () => true, 5000);
      client.close(uri);
      client.open(uri, text);
      const fresh = await client.waitForDiagnostics(uri, () => true, 5000);
      assert.deepEqual(edited, fresh, `incremental and fresh diagnostics differ for:\n${text}`);
      client.close(uri);
    }
  });

  it("parent files churning on disk while a child is open", async () => {
    const uri = client.open(workspace.uri("child.config"), "from .base import *\nx = lr\n");
    for (let round = 0; round < 20; round++) {
      const roll = random.int(4);
      workspace.remove("base.config");
      if (roll === 1) workspace.write("base.config", randomBytesText(random, 300));
      else if (roll === 2) workspace.mkdir("base.config");
      else if (roll === 3) workspace.write("base.config", "lr = 0.1\n");
      client.fileChanged(workspace.uri("base.config"), (1 + random.int(3)) as FileChangeType);
    }
    note(await askEverything(client, uri, "from .base import *\nx = lr\n", random));
    client.close(uri);
  });
});
