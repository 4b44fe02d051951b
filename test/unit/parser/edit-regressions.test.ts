/**
 * Regressions found by the fuzz test: line numbers inside error messages after an edit above
 * them, and LSP clamping of a character past the end of a line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParsedDocument, parse, type TextEdit } from "../../../language-server/parser/index";

function insert(line: number, character: number, text: string): TextEdit {
  return { range: { start: { line, character }, end: { line, character } }, text };
}

test("messages naming a line follow an edit above them", () => {
  const document = new ParsedDocument("a = 1\nb = 2\nc = 'oops\n");
  assert.equal(document.module.errors[0].message, "unterminated string literal (detected at line 3)");
  document.applyEdits([insert(0, 0, "\n\n")]);
  assert.equal(document.module.errors[0].message, "unterminated string literal (detected at line 5)");
  assert.deepStrictEqual(document.module, parse(document.text));
  document.applyEdits([
    { range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, text: "" },
  ]);
  assert.equal(document.module.errors[0].message, "unterminated string literal (detected at line 3)");
  assert.deepStrictEqual(document.module, parse(document.text));
});

test("line numbers in messages of reused statements far below an edit are shifted", () => {
  const body = Array.from({ length: 40 }, (_, i) => `v${i} = ${i}\n`).join("");
  const broken = "x = (1,\n     2]\n";
  const document = new ParsedDocument(body + broken);
  const before = document.module.errors[0].message;
  assert.match(before, /on line 41/);
  document.applyEdits([insert(3, 0, "w = 1\nw2 = 2\nw3 = 3\n")]);
  assert.match(document.module.errors[0].message, /on line 44/);
  assert.deepStrictEqual(document.module, parse(document.text));
});

test("a character past the end of a line means the end of that line", () => {
  const document = new ParsedDocument("ab = 1\ncd = 2\n");
  document.applyEdits([insert(0, 10, "X")]);
  assert.equal(document.text, "ab = 1X\ncd = 2\n");
  document.applyEdits([
    { range: { start: { line: 1, character: 2 }, end: { line: 1, character: 50 } }, text: "" },
  ]);
  assert.equal(document.text, "ab = 1X\ncd\n");
  assert.deepStrictEqual(document.module, parse(document.text));
  const crlf = new ParsedDocument("ab = 1\r\ncd = 2\r\n");
  crlf.applyEdits([insert(0, 10, "X")]);
  assert.equal(crlf.text, "ab = 1X\r\ncd = 2\r\n");
});
