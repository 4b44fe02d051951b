/**
 * Half-typed and broken text must never make a feature throw: every feature runs after each of
 * many deterministic random edits of a realistic config.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { FIXTURES, uriOf, workspace } from "../analysis/helpers";

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test("every feature survives random edits of a realistic config", () => {
  const source = readFileSync(
    path.join(FIXTURES, "valid", "configs", "experiments", "features.config"),
    "utf8",
  );
  const ws = workspace({ "base.config": "lr = 1\nbatch_size = 2\nseed = 3\nids = []\n" });
  const uri = uriOf("main.config");
  let text = source.replace("from .child import *", "from .base import *");
  ws.service.openDocument(uri, text, 1);
  const next = random(11);
  const pieces = [
    "(",
    ")",
    "[",
    ":",
    "\n",
    "    ",
    "lambda",
    " = ",
    "_",
    "def ",
    "@",
    '"',
    "#",
    "import ",
    ".",
  ];
  for (let step = 0; step < 60; step++) {
    const lines = text.split("\n");
    const line = Math.floor(next() * lines.length);
    const character = Math.floor(next() * (lines[line].length + 1));
    const remove = next() < 0.4 ? Math.min(Math.floor(next() * 6), lines[line].length - character) : 0;
    const insert = next() < 0.7 ? pieces[Math.floor(next() * pieces.length)] : "";
    ws.service.changeDocument(
      uri,
      [{ range: { start: { line, character }, end: { line, character: character + remove } }, text: insert }],
      step + 2,
    );
    lines[line] = lines[line].slice(0, character) + insert + lines[line].slice(character + remove);
    text = lines.join("\n");

    const probeLine = Math.floor(next() * lines.length);
    const position = { line: probeLine, character: Math.floor(next() * (lines[probeLine].length + 1)) };
    const diagnostics = ws.service.diagnostics(uri);
    assert.ok(Array.isArray(diagnostics));
    ws.service.completion(uri, position);
    ws.service.hover(uri, position);
    ws.service.definition(uri, position);
    ws.service.references(uri, position, true);
    ws.service.prepareRename(uri, position);
    ws.service.documentSymbols(uri);
    ws.service.foldingRanges(uri);
    ws.service.configEntries(uri);
    ws.service.codeActions(uri, { start: position, end: position }, diagnostics);
    try {
      ws.service.rename(uri, position, "renamed_entry");
    } catch (error) {
      // Refusing is fine, but only with a message meant for the user.
      assert.match((error as Error).message, /^Cannot rename/);
    }
  }
  assert.ok(ws.service.workspaceSymbols("").length > 0);
});
