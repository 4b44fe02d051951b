/**
 * Edits that only change the value of a definition (the usual keystroke) take a shortcut in
 * analyzeFile, the undefined-name check and the cycle search (earlier results are reused).
 * Every step must still give exactly what a fresh analysis of the same text gives.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-types";
import { analyzeFile } from "../../../language-server/analysis/file";
import { ParsedDocument } from "../../../language-server/parser/index";
import { createLanguageService } from "../../../language-server/service";
import { MemoryHost, ROOT, uriOf } from "./helpers";

function key(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${String(d.message)} ${JSON.stringify(d.relatedInformation ?? null)}`,
  );
}

const BASE = `from thunder.placeholders import ExpName
import torch
a = 1
b = a + 1
c = b * 2
d = torch.zeros(c)
ExpName = "mine"
twice = 1
twice = 2
def f(x):
    return x + d
`;

/** [line, text of the value after "name = "] */
const VALUE_EDITS: [number, string][] = [
  [2, "missing_name"], // a now reads an undefined name
  [2, "1"], // fixed again
  [2, "c"], // a -> c -> b -> a: a cycle through an untouched pair
  [3, "7"], // the cycle is broken at b
  [2, "2"],
  [4, "ExpName"], // reads the redefined placeholder
  [6, '"other"'], // placeholder redefinition stays a warning, with the right range
  [7, "twice"], // a repeated name: must fall back to the full rebuild
  [8, "3"],
  [5, "torch.ones(c) + f(1)"],
  [3, "undefined_b + undefined_c"],
  [3, "a + 1"],
];

test("value-only edits give the same diagnostics as a fresh analysis", () => {
  const uri = uriOf("values.config");
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  let text = BASE;
  service.openDocument(uri, text, 1);
  service.diagnostics(uri);
  let version = 1;
  for (const [line, value] of VALUE_EDITS) {
    const lines = text.split("\n");
    const start = lines[line].indexOf("= ") + 2;
    const range = { start: { line, character: start }, end: { line, character: lines[line].length } };
    service.changeDocument(uri, [{ range, text: value }], ++version);
    lines[line] = lines[line].slice(0, start) + value;
    text = lines.join("\n");
    const fresh = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
    fresh.openDocument(uri, text, 1);
    assert.deepEqual(
      key(service.diagnostics(uri)),
      key(fresh.diagnostics(uri)),
      `after "${value}" on line ${line}`,
    );
  }
});

test("a value edit that makes and unmakes a cycle and an undefined name is reported each time", () => {
  const uri = uriOf("cycle.config");
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  service.openDocument(uri, "a = 1\nb = a\nc = b\n", 1);
  assert.deepEqual(service.diagnostics(uri), []);
  const setA = (value: string, version: number) =>
    service.changeDocument(
      uri,
      [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 100 } }, text: value }],
      version,
    );
  setA("c", 2);
  assert.deepEqual(
    service.diagnostics(uri).map((d) => [d.code, d.range.start.line]),
    [
      ["cyclic-dependency", 0],
      ["cyclic-dependency", 1],
      ["cyclic-dependency", 2],
    ],
  );
  setA("nowhere", 3);
  assert.deepEqual(
    service.diagnostics(uri).map((d) => [d.code, d.range.start.line]),
    [["undefined-name", 0]],
  );
  setA("2", 4);
  assert.deepEqual(service.diagnostics(uri), []);
});

test("hover, definition and completion follow a value edit", () => {
  const uri = uriOf("follow.config");
  const service = createLanguageService(new MemoryHost(), { workspaceFolders: [ROOT] });
  service.openDocument(uri, "a = 1\nb = a\n", 1);
  service.diagnostics(uri);
  service.changeDocument(
    uri,
    [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: "12345" }],
    2,
  );
  service.diagnostics(uri);
  const locations = service.definition(uri, { line: 1, character: 4 });
  assert.equal(locations.length, 1);
  assert.deepEqual(locations[0].range.start, { line: 0, character: 0 });
  const hover = JSON.stringify(service.hover(uri, { line: 1, character: 4 }));
  assert.match(hover, /12345/);
  assert.ok(service.completion(uri, { line: 1, character: 4 }).some((item) => item.label === "a"));
});

test("the shortcut is taken for value edits only", () => {
  const document = new ParsedDocument("import torch\na = 1\nb = a\n");
  const before = analyzeFile(document.module, document.text, "x.config");
  const edit = (line: number, from: number, to: number, text: string) =>
    document.applyEdits([
      { range: { start: { line, character: from }, end: { line, character: to } }, text },
    ]);
  edit(1, 4, 5, "2");
  const afterValue = analyzeFile(document.module, document.text, "x.config", before);
  assert.equal(afterValue.entries, before.entries, "a value edit reuses the entries");
  assert.equal(afterValue.entries.get("a")?.statement, document.module.body[1]);
  assert.deepEqual(afterValue.problems, analyzeFile(document.module, document.text, "x.config").problems);
  edit(1, 0, 1, "renamed");
  const afterRename = analyzeFile(document.module, document.text, "x.config", afterValue);
  assert.notEqual(afterRename.entries, before.entries, "a new name rebuilds the entries");
  assert.deepEqual([...afterRename.entries.keys()], ["torch", "renamed", "b"]);
});
