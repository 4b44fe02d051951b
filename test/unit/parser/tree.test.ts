/** Shapes of the tree the analysis relies on: constants, f-strings, arguments, imports. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Expr, parse, type Stmt } from "../../../language-server/parser/index";
import { plainRange } from "./helpers";

function assignedValue(source: string): Expr {
  const stmt: Stmt = parse(source).body[0];
  assert.ok(stmt.type === "Assign", source);
  return stmt.value;
}

test("constants keep their source text and decoded values", () => {
  const concatenated = assignedValue('x = ("a\\tb"\n     r"\\n" \'c\')\n');
  assert.ok(concatenated.type === "Constant");
  assert.equal(concatenated.kind, "str");
  assert.equal(concatenated.raw, '"a\\tb"\n     r"\\n" \'c\'');
  assert.equal(concatenated.value, "a\tb\\nc");
  const numbers = assignedValue("x = [1_000, 0x1F, 0o17, 0b101, 1.5e3, 2j, .5]\n");
  assert.ok(numbers.type === "List");
  assert.deepEqual(
    numbers.elts.map((e) => (e.type === "Constant" ? [e.kind, e.value] : null)),
    [
      ["int", 1000],
      ["int", 31],
      ["int", 15],
      ["int", 5],
      ["float", 1500],
      ["complex", undefined],
      ["float", 0.5],
    ],
  );
  const bytes = assignedValue("x = b'\\x41\\n'\n");
  assert.ok(bytes.type === "Constant" && bytes.kind === "bytes");
  assert.equal(bytes.value, "A\n");
});

test("f-strings become JoinedStr with FormattedValue parts", () => {
  const value = assignedValue("x = f'lr={lr!r:>{width}} {name=}'\n");
  assert.ok(value.type === "JoinedStr");
  const kinds = value.values.map((v) => (v.type === "Constant" ? `'${v.value}'` : v.type));
  assert.deepEqual(kinds, ["'lr='", "FormattedValue", "' name='", "FormattedValue"]);
  const first = value.values[1];
  assert.ok(first.type === "FormattedValue");
  assert.equal(first.conversion, 114);
  assert.ok(first.value.type === "Name" && first.value.id === "lr");
  assert.deepEqual(first.value.range.start, { line: 0, character: 10 });
  assert.ok(first.format_spec?.type === "JoinedStr");
  const last = value.values[3];
  assert.ok(last.type === "FormattedValue");
  // `{name=}` shows the repr unless a conversion or format spec is given.
  assert.equal(last.conversion, 114);
});

test("function arguments are split like CPython's ast.arguments", () => {
  const stmt = parse("def f(a, b=1, /, c=2, *args, d, e=3, **kw): pass\n").body[0];
  assert.ok(stmt.type === "FunctionDef");
  const args = stmt.args;
  assert.deepEqual(
    args.posonlyargs.map((a) => a.arg),
    ["a", "b"],
  );
  assert.deepEqual(
    args.args.map((a) => a.arg),
    ["c"],
  );
  assert.equal(args.vararg?.arg, "args");
  assert.deepEqual(
    args.kwonlyargs.map((a) => a.arg),
    ["d", "e"],
  );
  assert.deepEqual(
    args.kw_defaults.map((d) => (d === null ? null : d.type)),
    [null, "Constant"],
  );
  assert.equal(args.kwarg?.arg, "kw");
  assert.equal(args.defaults.length, 2);
  assert.deepEqual(plainRange(stmt.nameRange), {
    start: { line: 0, character: 4 },
    end: { line: 0, character: 5 },
  });
});

test("imports carry module and alias ranges", () => {
  const [plain, relative] = parse("import torch.nn as tnn, os\nfrom ..common.base import *\n").body;
  assert.ok(plain.type === "Import");
  assert.deepEqual(
    plain.names.map((a) => [a.name, a.asname]),
    [
      ["torch.nn", "tnn"],
      ["os", null],
    ],
  );
  assert.deepEqual(plainRange(plain.names[0].asnameRange), {
    start: { line: 0, character: 19 },
    end: { line: 0, character: 22 },
  });
  assert.ok(relative.type === "ImportFrom");
  assert.equal(relative.level, 2);
  assert.equal(relative.module, "common.base");
  assert.deepEqual(plainRange(relative.moduleRange), {
    start: { line: 1, character: 7 },
    end: { line: 1, character: 18 },
  });
  assert.equal(relative.names[0].name, "*");
});

test("targets get Store and Del contexts", () => {
  const [assign, del] = parse("a, [b, *c] = d\ndel e.f, g[0]\n").body;
  assert.ok(assign.type === "Assign" && assign.targets[0].type === "Tuple");
  assert.equal(assign.targets[0].ctx, "Store");
  const inner = assign.targets[0].elts[1];
  assert.ok(inner.type === "List" && inner.elts[1].type === "Starred");
  assert.equal(inner.elts[1].ctx, "Store");
  assert.ok(del.type === "Delete");
  assert.deepEqual(
    del.targets.map((t) => (t.type === "Attribute" || t.type === "Subscript" ? t.ctx : null)),
    ["Del", "Del"],
  );
});

test("compiler-only errors are marked and come only without syntax errors", () => {
  const compileOnly = parse("return 1\n").errors;
  assert.equal(compileOnly.length, 1);
  assert.equal(compileOnly[0].message, "'return' outside function");
  assert.equal(compileOnly[0].fromCompiler, true);
  const both = parse("return 1\nx = (1 2)\n").errors;
  assert.equal(both[0].message, "invalid syntax. Perhaps you forgot a comma?");
  assert.ok(both.every((e) => e.fromCompiler === undefined));
});
