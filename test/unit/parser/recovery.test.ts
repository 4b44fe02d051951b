/** Error recovery: a broken statement costs only itself; the rest of the file is parsed. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ErrorStmt, parse, type Stmt } from "../../../language-server/parser/index";
import { plainRange } from "./helpers";

function kinds(body: Stmt[]): string[] {
  return body.map((s) =>
    s.type === "FunctionDef" || s.type === "ClassDef" ? `${s.type}:${s.name}` : s.type,
  );
}

test("a half-typed assignment in the middle breaks only itself", () => {
  const module = parse(
    "import torch\nlr = 0.1\nmodel = torch.nn.\nopt = dict(lr=lr)\ndef f():\n    return lr\n",
  );
  assert.deepEqual(kinds(module.body), ["Import", "Assign", "Error", "Assign", "FunctionDef:f"]);
  const broken = module.body[2] as ErrorStmt;
  assert.deepEqual(
    broken.definedNames.map((n) => n.name),
    ["model"],
  );
  assert.deepEqual(plainRange(broken.range), {
    start: { line: 2, character: 0 },
    end: { line: 2, character: 17 },
  });
  assert.equal(module.errors.length, 1);
  assert.equal(module.errors[0].message, "invalid syntax");
  assert.equal(module.errors[0].range.start.line, 2);
});

test("definedNames are guessed for broken defs, imports and tuple targets", () => {
  const cases: [string, string[]][] = [
    ["def broken(a, :\n    pass\n", ["broken"]],
    ["class Model(:\n    pass\n", ["Model"]],
    ["a, (b, *c) = 1 +\n", ["a", "b", "c"]],
    ["x = y = 1 2\n", ["x", "y"]],
    ["import torch.nn as tnn, numpy as\n", ["tnn"]],
    ["from torch import nn, optim as o,\n", ["nn", "o"]],
    ["@decorator\ndef wrapped(:\n    pass\n", ["wrapped"]],
    ["obj.attr = 1 2\n", []],
  ];
  for (const [source, names] of cases) {
    const module = parse(source);
    const broken = module.body.find((s) => s.type === "Error") as ErrorStmt | undefined;
    assert.ok(broken, source);
    assert.deepEqual(
      broken.definedNames.map((n) => n.name),
      names,
      source,
    );
  }
});

test("a broken statement inside a function body keeps the function and the file", () => {
  const source = "def f(x):\n    y = x +\n    return y\n\nz = f(1)\n";
  const module = parse(source);
  assert.deepEqual(kinds(module.body), ["FunctionDef:f", "Assign"]);
  const f = module.body[0];
  assert.ok(f.type === "FunctionDef");
  assert.deepEqual(
    f.body.map((s) => s.type),
    ["Error", "Return"],
  );
  assert.equal(module.errors[0].range.start.line, 1);
});

test("several broken statements each give an error, the first is CPython's", () => {
  const module = parse("a = (1 2)\nb = 3\nc = ]\nd = 4\n");
  assert.deepEqual(kinds(module.body), ["Error", "Assign", "Error", "Assign"]);
  // CPython reports the tokenizer error of line 3 first (it tokenizes the rest of the file).
  assert.equal(module.errors[0].message, "unmatched ']'");
  assert.ok(module.errors.some((e) => e.message === "invalid syntax. Perhaps you forgot a comma?"));
});

test("an unclosed bracket swallows the rest of the file, as in CPython", () => {
  const module = parse("x = 1\ny = foo(1,\nz = 2\nw = 3\n");
  assert.equal(module.errors[0].message, "'(' was never closed");
  assert.deepEqual(module.errors[0].range.start, { line: 1, character: 7 });
  assert.equal(module.body[0].type, "Assign");
});

test("indentation problems stay local", () => {
  const module = parse("x = 1\n    y = 2\nz = 3\nif z:\nw = 4\n");
  assert.equal(module.errors[0].message, "unexpected indent");
  assert.equal(module.errors[0].kind, "IndentationError");
  assert.ok(module.body.some((s) => s.type === "Assign" && s.range.start.line === 2));
  assert.ok(
    module.errors.some((e) => e.message === "expected an indented block after 'if' statement on line 4"),
  );
});

test("valid code has no errors and no error statements", () => {
  const module = parse(
    "from .base import *\nimport torch\n@deco\nasync def f(a, /, b=1, *c, d, **e) -> int:\n    async with x as y:\n        await y\n    return [i async for i in y]\nmatch p:\n    case {'k': [1, *_]} | None:\n        pass\n",
  );
  assert.deepEqual(module.errors, []);
  assert.ok(module.body.every((s) => s.type !== "Error"));
});
