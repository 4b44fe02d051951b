import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import {
  canonicalTokens,
  type PythonLiteral,
  recognizeLiteral,
} from "../../../extension/sweeps/python-literal";

/** Runs a Python snippet that reads a JSON list of source texts on stdin and prints JSON. */
function python(script: string, input: unknown): unknown {
  const run = spawnSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const LITERALS = [
  "0",
  "42",
  "-7",
  "+3",
  "1_000",
  "0x1F",
  "0o17",
  "0b101",
  "3.14",
  "1.",
  ".5",
  "1e-3",
  "1E5",
  "-2.5e-4",
  "1_0.5_0",
  "- 1",
  "True",
  "False",
  "None",
  "'adam'",
  '"double"',
  "r'raw\\n'",
  "'esc\\n\\t\\\\\\''",
  "'\\x41\\u00e9\\U0001F680'",
  "'unknown \\d escape'",
  "u'unicode prefix'",
  "'ünï 🚀'",
  "'''triple'''",
  "''",
];

const NOT_LITERALS = [
  "Net(3)",
  "lr",
  "lr * 2",
  "[1, 2]",
  "(1, 2)",
  "{'a': 1}",
  "f'{x}'",
  "b'bytes'",
  "'a' 'b'",
  "'a' + 'b'",
  "1 + 2",
  "1j",
  "-True",
  "true",
  "none",
  "0777",
  "1__0",
  "1_",
  "'unclosed",
  "'\\N{BULLET}'",
  "",
  "lambda: 1",
];

function asComparable(literal: PythonLiteral | undefined): unknown {
  if (literal === undefined) return null;
  if (literal.kind === "none") return ["none", null];
  return [literal.kind, literal.value];
}

describe("recognizeLiteral", () => {
  test("agrees with Python's ast.literal_eval on literals", () => {
    const oracle = python(
      [
        "import ast, json, sys",
        "out = []",
        "for text in json.load(sys.stdin):",
        "    v = ast.literal_eval(text.strip())",
        "    kind = 'none' if v is None else 'bool' if isinstance(v, bool) else 'int' if isinstance(v, int) else 'float' if isinstance(v, float) else 'string'",
        "    out.append([kind, v])",
        "print(json.dumps(out))",
      ].join("\n"),
      LITERALS,
    ) as unknown[];
    LITERALS.forEach((text, index) => {
      assert.deepEqual(asComparable(recognizeLiteral(text)), oracle[index], text);
    });
  });

  test("everything else is not a literal", () => {
    for (const text of NOT_LITERALS) assert.equal(recognizeLiteral(text), undefined, text);
  });

  test("-0 is plain 0 and whitespace around is ignored", () => {
    assert.deepEqual(recognizeLiteral(" -0 \n"), { kind: "int", value: 0 });
    assert.ok(Object.is((recognizeLiteral("-0") as { value: number }).value, 0));
  });
});

describe("canonicalTokens", () => {
  const same = (a: string, b: string) =>
    assert.deepEqual(canonicalTokens(a), canonicalTokens(b), `${a} vs ${b}`);
  const different = (a: string, b: string) =>
    assert.notDeepEqual(canonicalTokens(a), canonicalTokens(b), `${a} vs ${b}`);

  test("spellings of the same value compare equal", () => {
    same("1e-3", "0.001");
    same("'adam'", '"adam"');
    same("f(a , b,)", "f(a, b)");
    same("[1, 2,]", "[1,2]");
    same("{'a': 1,}", '{"a": 1}');
    same("Net(width=64,  # wide\n    depth=2)", "Net(width=64, depth=2)");
    same("x \\\n + 1", "x + 1");
  });

  test("different meanings stay different", () => {
    different("1e-3", "1e-4");
    different("(1,)", "(1)");
    different("x if (a,) else y", "x if (a) else y");
    different("'a'", "'b'");
    different("f(a)", "f(b)");
    different("1", "'1'");
    different("a.b", "a . c");
    different("f'{x}'", "'{x}'");
  });

  test("Python's own re-rendering (ast.unparse) compares equal to the source", () => {
    const sources = [
      "Net(width = 64, depth=2, act='relu',)",
      "torch.optim.Adam(params, lr = 1E-3, betas=(0.9, 0.999))",
      "[x ** 2 for x in range(10) if x % 2]",
      "{'a': [1, 2,], \"b\": (3,)}",
      "lambda x: x*2",
      "0.5 * (1 + 2e-1)",
      "'it\\'s'",
    ];
    const unparsed = python(
      "import ast, json, sys\nprint(json.dumps([ast.unparse(ast.parse(t, mode='eval')) for t in json.load(sys.stdin)]))",
      sources,
    ) as string[];
    sources.forEach((source, index) => {
      same(source, unparsed[index]!);
    });
  });
});
