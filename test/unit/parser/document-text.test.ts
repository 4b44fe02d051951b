/**
 * How ParsedDocument keeps its text (in its chunks, never joined on an edit) and its ranges
 * (compact objects shifted in place): what readers see must be exactly the edited text and
 * the positions of a full parse.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LineIndex } from "../../../language-server/analysis/positions";
import { type Assign, ParsedDocument, parse, type TextSource } from "../../../language-server/parser/index";

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

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const starts = lineStartsOf(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return { line, character: offset - starts[line] };
}

/** Every read a TextSource offers gives what the string gives. */
function assertReadsLike(source: TextSource, text: string, next: () => number, label: string): void {
  assert.equal(source.length, text.length, label);
  for (let i = -1; i <= text.length; i++) {
    const want = text.charCodeAt(i);
    const got = source.charCodeAt(i);
    if (!(Number.isNaN(want) && Number.isNaN(got))) assert.equal(got, want, `${label}: char ${i}`);
  }
  for (let k = 0; k < 40; k++) {
    const a = Math.floor(next() * (text.length + 4)) - 2;
    const b = Math.floor(next() * (text.length + 4)) - 2;
    assert.equal(source.slice(a, b), text.slice(a, b), `${label}: slice(${a}, ${b})`);
    assert.equal(source.slice(a), text.slice(a), `${label}: slice(${a})`);
  }
  assert.equal(source.slice(0), text, label);
}

const PIECES = [
  "x = 1\n",
  "def f(a):\n    return a\n\n",
  "y = (1,\n     2)\n",
  "# comment\n\n",
  "if x:\n    y = 2\nelse:\n    y = 3\n",
  "s = '''a\nb'''\r\n",
  "z = [i for i in range(3)]\r\n",
  "@dec\nclass C:\n    pass\n",
];
const INSERTS = ["(", ")", "'''", "\n", "\r\n", "    ", "x", "= 2", "\uFEFF", "# c\n", "else:\n", "[", "]\n"];

test("the document's text and line starts, read from its chunks, are those of the edited string", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const next = random(seed);
    let text = "";
    for (let k = 0; k < 30; k++) text += PIECES[Math.floor(next() * PIECES.length)];
    if (seed % 3 === 0) text = `\uFEFF${text}`;
    const doc = new ParsedDocument(text);
    for (let step = 0; step < 25; step++) {
      const a = Math.floor(next() * (text.length + 1));
      const b = Math.min(text.length, a + Math.floor(next() * 8));
      const inserted = next() < 0.7 ? INSERTS[Math.floor(next() * INSERTS.length)] : "";
      // Never between the halves of a CRLF (an LSP client cannot point there either).
      if (text[a - 1] === "\r" && text[a] === "\n") continue;
      if (text[b - 1] === "\r" && text[b] === "\n") continue;
      const before = doc.source;
      const oldText = text;
      doc.applyEdits([{ range: { start: positionAt(text, a), end: positionAt(text, b) }, text: inserted }]);
      text = text.slice(0, a) + inserted + text.slice(b);
      const label = `seed ${seed} step ${step}`;
      const source = doc.source;
      assertReadsLike(source.text, text, next, label);
      assert.deepEqual(source.lineStarts, lineStartsOf(text), label);
      // A source taken before the edit still reads the old version.
      assert.equal(before.text.slice(0), oldText, label);
      assert.deepStrictEqual(doc.module, parse(text), label);
      assert.equal(doc.text, text, label);
    }
  }
});

test("a line index over the document answers like one over the string", () => {
  const next = random(7);
  let text = "";
  for (let k = 0; k < 40; k++) text += PIECES[Math.floor(next() * PIECES.length)];
  const doc = new ParsedDocument(text);
  doc.applyEdits([
    { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: "w = 0\r\n" },
  ]);
  text = doc.text;
  const fromDocument = new LineIndex(doc.source.text, doc.source.lineStarts);
  const fromString = new LineIndex(text);
  assert.equal(fromDocument.lineCount, fromString.lineCount);
  for (let line = -1; line <= fromString.lineCount + 1; line++) {
    assert.equal(fromDocument.lineText(line), fromString.lineText(line), `line ${line}`);
    assert.equal(fromDocument.hasLine(line), fromString.hasLine(line), `line ${line}`);
    const position = { line, character: 3 };
    assert.equal(fromDocument.offsetAt(position), fromString.offsetAt(position), `line ${line}`);
  }
  for (let offset = 0; offset <= text.length; offset += 7) {
    assert.deepEqual(fromDocument.positionAt(offset), fromString.positionAt(offset), `offset ${offset}`);
  }
  const range = { start: { line: 2, character: 1 }, end: { line: 9, character: 2 } };
  assert.equal(fromDocument.textIn(range), fromString.textIn(range));
});

test("an edit that opens a bracket re-reads the rest of a long document, and closing it recovers", () => {
  const lines = Array.from({ length: 400 }, (_, i) => `v${i} = ${i}\n`);
  let text = lines.join("");
  const doc = new ParsedDocument(text);
  const at = { line: 5, character: 5 };
  doc.applyEdits([{ range: { start: at, end: at }, text: "(" }]);
  text = `${lines.slice(0, 5).join("")}v5 = (5\n${lines.slice(6).join("")}`;
  assert.equal(doc.text, text);
  assert.deepStrictEqual(doc.module, parse(text));
  assert.equal(doc.module.errors[0]?.message, "'(' was never closed");
  doc.applyEdits([{ range: { start: at, end: { line: 5, character: 6 } }, text: "" }]);
  assert.equal(doc.text, lines.join(""));
  assert.deepStrictEqual(doc.module, parse(lines.join("")));
  assert.equal(doc.module.body.length, 400);
});

test("a U+FEFF starting a later statement is not a byte-order mark", () => {
  const text = "a = 1\n\uFEFFb = 2\nc = 3\n";
  const doc = new ParsedDocument(text);
  doc.applyEdits([
    { range: { start: { line: 2, character: 4 }, end: { line: 2, character: 5 } }, text: "4" },
  ]);
  const edited = "a = 1\n\uFEFFb = 2\nc = 4\n";
  assert.equal(doc.text, edited);
  assert.deepStrictEqual(doc.module, parse(edited));
  assert.ok(doc.module.errors.length > 0, "a U+FEFF inside the code is an invalid character");
});

test("ranges are compact: start and end are fresh plain objects, JSON has the LSP shape", () => {
  const [first] = parse("value = 12\n").body as Assign[];
  const range = first.value.range;
  assert.deepEqual(range.start, { line: 0, character: 8 });
  assert.deepEqual(range.end, { line: 0, character: 10 });
  assert.notEqual(range.start, range.start, "each read is a new object");
  range.start.line = 5;
  assert.equal(range.start.line, 0, "changing a read position changes nothing");
  assert.deepEqual(JSON.parse(JSON.stringify(first.value)), {
    type: "Constant",
    range: { start: { line: 0, character: 8 }, end: { line: 0, character: 10 } },
    kind: "int",
    raw: "12",
    value: 12,
  });
});

test("statements after an inserted line keep their objects and report their new lines", () => {
  const doc = new ParsedDocument("a = 1\nb = [2,\n  3]\nc = b\n");
  const [, b, c] = doc.module.body as Assign[];
  const element = (b.value as { elts: { range: { start: { line: number } } }[] }).elts[1];
  doc.applyEdits([
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "# top\n\n" },
  ]);
  const [, b2, c2] = doc.module.body as Assign[];
  assert.equal(b2, b);
  assert.equal(c2, c);
  assert.deepEqual(b.range.start, { line: 3, character: 0 });
  assert.deepEqual(b.range.end, { line: 4, character: 4 });
  assert.equal(element.range.start.line, 4);
  assert.deepEqual(c.targets[0].range.start, { line: 5, character: 0 });
});
