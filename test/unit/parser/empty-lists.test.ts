/**
 * Every empty list of a tree is one shared array (a large config has thousands): it must stay
 * empty whatever was parsed or edited before, and the tree must still compare equal to a fresh
 * parse.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParsedDocument, parse } from "../../../language-server/parser/index";
import { generateConfig } from "./generate-config";

/** Every array in a tree, found by walking its own properties. */
function arraysOf(node: unknown, found: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) {
    found.push(node);
    for (const item of node) arraysOf(item, found);
  } else if (node !== null && typeof node === "object") {
    for (const value of Object.values(node)) arraysOf(value, found);
  }
  return found;
}

test("empty lists are one shared array that stays empty", () => {
  // Lists that start empty and then get items, errors, edits: a list that grows in place
  // would show up as items in every other empty list afterwards.
  const text = generateConfig(400);
  const document = new ParsedDocument(text);
  for (let k = 0; k < 40; k++) {
    const line = 20 + k * 7;
    document.applyEdits([
      {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        text: "def f(*, a=1, **k): g()\n",
      },
    ]);
  }
  parse("class C(Base, metaclass=M):\n    x = [f() for y in z if y]\n");
  parse("lambda: (yield)\ndef g(a, /, b, *c, d, e=1, **f): pass\n(1 +\n");

  const tree = parse("f()\ndef g(): pass\nx = lambda: 1\n[y for y in z]\n");
  const empties = arraysOf(tree.body).filter((list) => list.length === 0);
  assert.ok(empties.length >= 8, `expected the tree's empty lists, found ${empties.length}`);
  for (const list of empties) assert.equal(list, empties[0]);
  assert.deepEqual(arraysOf(document.module).filter((list) => list.length === 0).length > 0, true);
  assert.deepStrictEqual(document.module, parse(document.text));
});
