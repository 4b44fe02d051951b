/**
 * Incremental parsing: after every edit of a random sequence, ParsedDocument's tree must
 * equal a full parse of the new text (positions included), and it must re-parse little.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParsedDocument, parse, type TextEdit } from "../../../language-server/parser/index";
import { generateConfig } from "./generate-config";

/** Small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = `from .base import *
import torch
from torch import nn

@register
@other(1)
def build(a, b=2, *args, **kwargs):
    if a:
        return [x for x in b]
    elif b:
        pass
    else:
        return {"k": (a, b)}

class Config:
    value = 1

try:
    import numpy
except ImportError:
    numpy = None
finally:
    done = True

text = """multi
line"""
lr = 1e-3  # comment
model = torch.nn.Linear(10, 2)
opt = dict(lr=lr,
           betas=(0.9, 0.99))
total = 1 + \\
    2
f = lambda x: f"{x!r:>10}"
`;

const INSERTS = [
  "(",
  ")",
  "[",
  "]",
  "'''",
  '"',
  "'",
  "\n",
  "\r\n",
  "\r",
  "    ",
  "\t",
  "else:",
  "elif x:",
  "except:",
  "@deco\n",
  "x = ",
  "#",
  "\\\n",
  "def g():\n    return 1\n",
  "if y:\n",
  "torch.nn.",
  ",",
  ":",
  "f'{",
  "}",
  "\u00e9",
  "\ud83d\ude00",
  "\ufeff",
  "pass",
  "\n\n",
  "1",
];

function offsetToPosition(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

function randomEdit(text: string, next: () => number): TextEdit {
  const a = Math.floor(next() * (text.length + 1));
  const kind = next();
  let b = a;
  let inserted = "";
  if (kind < 0.45) inserted = INSERTS[Math.floor(next() * INSERTS.length)];
  else if (kind < 0.8) b = Math.min(text.length, a + 1 + Math.floor(next() * 12));
  else {
    b = Math.min(text.length, a + Math.floor(next() * 4));
    inserted = INSERTS[Math.floor(next() * INSERTS.length)];
  }
  // Never split a CRLF or a surrogate pair in the middle: LSP clients do not either.
  return {
    range: { start: offsetToPosition(text, a), end: offsetToPosition(text, b) },
    text: inserted,
  };
}

function applyEdit(text: string, edit: TextEdit): string {
  const lines: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) lines.push(i + 1);
  }
  const lineEnd = (line: number) => {
    if (line + 1 >= lines.length) return text.length;
    const end = lines[line + 1] - 1;
    return text[end] === "\n" && text[end - 1] === "\r" ? end - 1 : end;
  };
  const at = (p: { line: number; character: number }) =>
    p.line >= lines.length ? text.length : Math.min(lines[p.line] + p.character, lineEnd(p.line));
  return text.slice(0, at(edit.range.start)) + edit.text + text.slice(at(edit.range.end));
}

test("random edit sequences give the same tree as a full parse", () => {
  let edits = 0;
  for (let seed = 1; seed <= 25; seed++) {
    const next = random(seed);
    let text = BASE;
    const doc = new ParsedDocument(text);
    for (let step = 0; step < 60; step++) {
      const batch: TextEdit[] = [];
      const count = next() < 0.8 ? 1 : 2;
      for (let k = 0; k < count; k++) {
        const edit = randomEdit(text, next);
        batch.push(edit);
        text = applyEdit(text, edit);
      }
      const module = doc.applyEdits(batch);
      edits += batch.length;
      assert.equal(doc.text, text, `text after seed ${seed} step ${step}`);
      const expected = parse(text);
      assert.deepStrictEqual(
        module,
        expected,
        `tree after seed ${seed} step ${step}: ${JSON.stringify(batch)}`,
      );
    }
  }
  assert.ok(edits >= 1500);
});

test("setText reuses the unchanged statements and equals a full parse", () => {
  const doc = new ParsedDocument(BASE);
  const before = doc.module.body;
  const changed = BASE.replace("lr = 1e-3", "lr = 2e-3\nextra = (1,");
  const module = doc.setText(changed);
  assert.deepStrictEqual(module, parse(changed));
  // Statements before the edit are the very same objects.
  assert.equal(module.body[0], before[0]);
  assert.equal(module.body[3], before[3]);
  const back = doc.setText(BASE);
  assert.deepStrictEqual(back, parse(BASE));
});

test("edits far apart keep statement identity outside the edited one", () => {
  const text = generateConfig(400);
  const doc = new ParsedDocument(text);
  const before = doc.module.body;
  const module = doc.applyEdits([
    { range: { start: { line: 200, character: 0 }, end: { line: 200, character: 0 } }, text: "# note\n" },
  ]);
  assert.deepStrictEqual(module, parse(doc.text));
  assert.equal(module.body[0], before[0]);
  assert.equal(module.body[module.body.length - 1], before[before.length - 1]);
  assert.equal(
    module.body[module.body.length - 1].range.start.line,
    before[before.length - 1].range.start.line,
  );
});

test("edits at the ends, past the end and across CRLF pairs are clamped like LSP clients expect", () => {
  const doc = new ParsedDocument("a = 1\r\nb = 2\r\n");
  doc.applyEdits([
    { range: { start: { line: 99, character: 0 }, end: { line: 99, character: 0 } }, text: "c = 3\n" },
  ]);
  assert.equal(doc.text, "a = 1\r\nb = 2\r\nc = 3\n");
  doc.applyEdits([
    { range: { start: { line: 0, character: 99 }, end: { line: 1, character: 0 } }, text: "\n" },
  ]);
  assert.equal(doc.text, "a = 1\nb = 2\r\nc = 3\n");
  doc.applyEdits([
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "\ufeff" },
  ]);
  assert.deepStrictEqual(doc.module, parse(doc.text));
  assert.deepEqual(doc.module.errors, []);
  doc.applyEdits([{ range: { start: { line: 0, character: 0 }, end: { line: 9, character: 9 } }, text: "" }]);
  assert.equal(doc.text, "");
  assert.deepStrictEqual(doc.module, { type: "Module", body: [], errors: [] });
});

test("opening a triple-quoted string swallows the rest, closing it restores the statements", () => {
  const text = generateConfig(300);
  const doc = new ParsedDocument(text);
  const count = doc.module.body.length;
  doc.applyEdits([
    { range: { start: { line: 100, character: 0 }, end: { line: 100, character: 0 } }, text: 'x = """' },
  ]);
  assert.deepStrictEqual(doc.module, parse(doc.text));
  assert.match(doc.module.errors[0].message, /^unterminated triple-quoted string literal/);
  doc.applyEdits([
    { range: { start: { line: 100, character: 0 }, end: { line: 100, character: 7 } }, text: "" },
  ]);
  assert.equal(doc.text, text);
  assert.deepStrictEqual(doc.module, parse(text));
  assert.equal(doc.module.body.length, count);
});
