/**
 * Per-keystroke work: after edits, the cached (per statement) analysis must give exactly what
 * a fresh analysis of the same text gives; and on a 10k-line config an edit + diagnostics and a
 * completion stay cheap. Timings are printed; the bounds are loose because CI machines vary.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-types";
import { createLanguageService } from "../../../language-server/service";
import { generatedConfig } from "./generated";
import { MemoryHost, ROOT, uriOf } from "./helpers";

function key(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${String(d.message)}`,
  );
}

/** Deterministic pseudo-random numbers (no flakiness). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test("after many edits, incremental diagnostics equal a fresh analysis", () => {
  let text = generatedConfig(1500, true);
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  const uri = uriOf("big.config");
  service.openDocument(uri, text, 1);
  service.diagnostics(uri);
  const next = random(7);
  const snippets = [
    "x",
    "\n",
    "lr_1 + ",
    "(",
    ")",
    "undefined_name",
    "\nz = lr_3\n",
    "def f():\n    return q\n",
    "",
    "\ncycle_a = cycle_b\ncycle_b = cycle_a\n",
    "\nlr_2 = config_2\n",
  ];
  for (let step = 0; step < 25; step++) {
    const lines = text.split("\n");
    const line = Math.floor(next() * (lines.length - 1));
    const character = Math.floor(next() * (lines[line].length + 1));
    const deleteCount = next() < 0.3 ? Math.min(3, lines[line].length - character) : 0;
    const insert = snippets[Math.floor(next() * snippets.length)];
    service.changeDocument(
      uri,
      [
        {
          range: { start: { line, character }, end: { line, character: character + deleteCount } },
          text: insert,
        },
      ],
      step + 2,
    );
    lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character + deleteCount);
    text = lines.join("\n");
    const incremental = service.diagnostics(uri);
    const fresh = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
    fresh.openDocument(uri, text, 1);
    assert.deepEqual(
      key(incremental),
      key(fresh.diagnostics(uri)),
      `after edit ${step} at ${line}:${character}`,
    );
  }
});

test("cycles appear and disappear as entries are edited", () => {
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  const uri = uriOf("main.config");
  service.openDocument(uri, "a = b\nb = 1\nc = 2\n", 1);
  assert.deepEqual(service.diagnostics(uri), []);
  const replaceLine = (line: number, text: string, version: number) =>
    service.changeDocument(
      uri,
      [{ range: { start: { line, character: 0 }, end: { line, character: 5 } }, text }],
      version,
    );
  replaceLine(1, "b = c", 2);
  assert.deepEqual(service.diagnostics(uri), []);
  replaceLine(2, "c = a", 3);
  assert.deepEqual(
    service.diagnostics(uri).map((d) => [d.code, d.range.start.line]),
    [
      ["cyclic-dependency", 0],
      ["cyclic-dependency", 1],
      ["cyclic-dependency", 2],
    ],
  );
  replaceLine(0, "a = 1", 4);
  assert.deepEqual(service.diagnostics(uri), []);
});

test("10k-line config: repeated edits keep diagnostics and completion right", () => {
  // Timings live in `npm run bench`; this checks behaviour on a big file.
  const text = generatedConfig(10_000, false);
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  const uri = uriOf("big.config");
  service.openDocument(uri, text, 1);
  assert.deepEqual(service.diagnostics(uri), []);
  for (let i = 0; i < 30; i++) {
    const position = { line: 5000 + (i % 5) * 10, character: 9 };
    service.changeDocument(uri, [{ range: { start: position, end: position }, text: "1" }], i + 2);
    assert.deepEqual(service.diagnostics(uri), []);
    const items = service.completion(uri, { line: 5001, character: 5 });
    assert.ok(items.some((item) => item.label === "lr_499"));
  }
});
