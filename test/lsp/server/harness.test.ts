// The harness's own helpers that other suites rely on: markers and position arithmetic.
import assert from "node:assert/strict";
import { test } from "node:test";
import { offsetAt, parseMarkers, positionAt, wholeRange } from "../harness";

test("cursors and ranges are parsed out of fixture text", () => {
  const marked = parseMarkers("lr = 0.1\nscaled = [[l|r]] * 2\nx = |1\n");
  assert.equal(marked.text, "lr = 0.1\nscaled = lr * 2\nx = 1\n");
  assert.deepEqual(marked.cursors, [
    { line: 1, character: 10 },
    { line: 2, character: 4 },
  ]);
  assert.deepEqual(marked.cursor, { line: 1, character: 10 });
  assert.deepEqual(marked.ranges, [{ start: { line: 1, character: 9 }, end: { line: 1, character: 11 } }]);
});

test("|| is a literal bar, other markers can be chosen, and mistakes are reported", () => {
  assert.equal(parseMarkers("merged = a || b|").text, "merged = a | b");
  const nested = parseMarkers("grid = <<[[1, 2], [3]]>>$", {
    rangeOpen: "<<",
    rangeClose: ">>",
    cursor: "$",
  });
  assert.equal(nested.text, "grid = [[1, 2], [3]]");
  assert.deepEqual(nested.ranges[0], { start: { line: 0, character: 7 }, end: { line: 0, character: 20 } });
  assert.deepEqual(nested.cursor, { line: 0, character: 20 });
  assert.throws(() => parseMarkers("[[a [[b]] c]]"), /nested/);
  assert.throws(() => parseMarkers("a]]"), /without/);
  assert.throws(() => parseMarkers("[[a"), /never closed/);
  assert.throws(() => parseMarkers("no cursor").cursor, /no "\|" cursor/);
});

test("positions count UTF-16 units and treat CRLF as one line break", () => {
  const text = "é😀x\r\ny\n";
  assert.deepEqual(positionAt(text, 3), { line: 0, character: 3 }, "😀 is two UTF-16 units");
  assert.deepEqual(
    positionAt(text, 5),
    { line: 0, character: 4 },
    "between \\r and \\n is still the line end",
  );
  assert.deepEqual(positionAt(text, 6), { line: 1, character: 0 });
  assert.equal(offsetAt(text, { line: 1, character: 1 }), 7);
  assert.equal(offsetAt(text, { line: 9, character: 0 }), text.length, "past the end is clamped");
  assert.deepEqual(wholeRange("a\nbc"), { start: { line: 0, character: 0 }, end: { line: 1, character: 2 } });
});
