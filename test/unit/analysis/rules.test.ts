/**
 * Every lazycon rule, positive and negative. Fixtures mark each expected diagnostic with
 * «...» (its exact range); the code list says which rule each marked range must carry.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-types";
import { codes, dedent, diagnose, marked, messageOf, uriOf, workspace } from "./helpers";

/** Asserts exactly the marked diagnostics (range + code), in position order. */
function expectMarked(
  source: string,
  expectedCodes: string[],
  others: Record<string, string> = {},
): Diagnostic[] {
  const fixture = marked(dedent(source));
  const diagnostics = diagnose(fixture.text, others);
  const actual = diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)}`,
  );
  const expected = fixture.ranges.map(
    (r, index) =>
      `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${expectedCodes[index] ?? "?"}`,
  );
  assert.deepEqual(actual, expected, diagnostics.map((d) => messageOf(d)).join("\n"));
  for (const diagnostic of diagnostics) {
    assert.equal(diagnostic.severity, 1, "lazycon problems are errors");
    assert.match(messageOf(diagnostic), /thunder (build will fail|will hang)/);
  }
  return diagnostics;
}

function expectClean(source: string, others: Record<string, string> = {}): void {
  const diagnostics = diagnose(source, others);
  assert.deepEqual(
    diagnostics.map((d) => `${d.range.start.line}: ${messageOf(d)}`),
    [],
  );
}

describe("syntax errors", () => {
  test("the parser's first error is reported with CPython's message", () => {
    const diagnostics = diagnose("a = 1\nb = 2\nx = (1,\n");
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].code, "syntax-error");
    assert.deepEqual(diagnostics[0].range.start, { line: 2, character: 4 });
    assert.match(messageOf(diagnostics[0]), /'\(' was never closed/);
  });

  test("unexpected indent", () => {
    const diagnostics = diagnose("a = 1\n    b = 2\n");
    assert.equal(diagnostics[0].code, "syntax-error");
    assert.match(messageOf(diagnostics[0]), /unexpected indent/);
  });

  test("errors only CPython's compiler finds are reported as failing at evaluation", () => {
    const diagnostics = diagnose("def f(a, a):\n    return a\n\n\nreturn 1\n");
    assert.deepEqual(codes(diagnostics), ["compile-error", "unsupported-statement"]);
    assert.match(messageOf(diagnostics[0]), /duplicate argument 'a'.*thunder will fail when it evaluates/);
  });
});

describe("top-level statements", () => {
  const cases: [string, string][] = [
    ["«if True:»\n    x = 1\n", "if"],
    ["«pass»\n", "pass"],
    ['«"""A module docstring."""»\nx = 1\n', "docstring"],
    ["x = 1\n«x += 1»\n", "augmented assignment"],
    ["«print(1)»\n", "bare call"],
    ["«class A:»\n    pass\n", "class"],
    ["«for i in range(3):»\n    pass\n", "for"],
    ["«x: int = 1»\n", "annotated assignment"],
    ["«del print»\n", "del"],
  ];
  for (const [source, what] of cases) {
    test(`${what} is not supported`, () => {
      const [diagnostic] = expectMarked(source, ["unsupported-statement"]);
      assert.match(messageOf(diagnostic), /This syntactic structure is not supported\./);
    });
  }

  test("imports, assignments and (decorated) functions are fine", () => {
    expectClean(`
      import math
      from math import pi as PI
      x = 1
      def f(a):
          return a
      @staticmethod
      def g():
          return PI
    `);
  });
});

describe("function bodies and lambdas", () => {
  const cases: [string, string, string][] = [
    ["def f():\n    «pass»\n    return 1\n", "Pass", "pass"],
    ["def f():\n    «while True:»\n        return 1\n    return 2\n", "While", "while"],
    ["def f(y):\n    «for i in y:»\n        return i\n    return 2\n", "For", "for"],
    ["def f():\n    «try:»\n        return 1\n    except Exception:\n        return 2\n", "Try", "try"],
    ["def f():\n    «global x»\n    return 1\n", "Global", "global"],
    ["def f():\n    «import os»\n    return 1\n", "Import", "import"],
    ["def f():\n    «x: int = 1»\n    return 1\n", "AnnAssign", "annotated assignment"],
    ["def f():\n    x = 1\n    «x += 1»\n    return x\n", "AugAssign", "augmented assignment"],
    ["def f():\n    «class A:»\n        pass\n    return 1\n", "ClassDef", "class"],
    ["def f():\n    return («yield 1»)\n", "Yield", "yield"],
    ["x = («y := 1»)\n", "NamedExpr", "walrus"],
    ["f = lambda: («yield»)\n", "Yield", "yield in lambda"],
    ["def f():\n    «raise ValueError()»\n", "Raise", "raise"],
  ];
  for (const [source, nodeType, what] of cases) {
    test(`${what} is reported with its node type`, () => {
      const [diagnostic] = expectMarked(source, ["unsupported-syntax"]);
      assert.match(
        messageOf(diagnostic),
        new RegExp(`This syntactic structure is not supported: ${nodeType} at \\d+:\\d+`),
      );
    });
  }

  test("assign, nested def, return, with, assert, if and expressions are fine", () => {
    expectClean(`
      def f(a, *args, b=1, **kwargs):
          "Docstring."
          c = a + b
          def g(d):
              return c + d
          with open(a) as handle:
              text = handle.read()
          assert c > 0, "positive"
          if c > 1:
              return g(c)
          else:
              print(text)
          return [x for x in args] + list(kwargs)
    `);
  });
});

describe("assignment targets", () => {
  test("attribute and subscript targets at the top level", () => {
    expectMarked("x = {}\n«x.a» = 1\n«x[0]» = 2\n", ["unsupported-assignment", "unsupported-assignment"]);
  });

  test("attribute targets inside functions, with-as and comprehensions", () => {
    expectMarked(
      `
      x = {}
      def f(y):
          «y.a» = 1
          return y
      def g():
          with open("p") as «x.handle»:
              return 1
      z = [1 for «x.a» in range(3)]
      `,
      ["unsupported-assignment", "unsupported-assignment", "unsupported-assignment"],
    );
  });

  test("tuples, lists and starred targets are fine", () => {
    expectClean("a, b = 1, 2\n[c, d] = 3, 4\nfirst, *rest = [1, 2, 3]\n(e, f), g = (1, 2), 3\n");
  });
});

describe("the _ wildcard", () => {
  test("a target made only of _", () => {
    const [diagnostic] = expectMarked("«_» = 1\n«_, _» = 1, 2\n", ["wildcard-target", "wildcard-target"]);
    assert.match(messageOf(diagnostic), /cannot completely consist of the `_` wildcard/);
  });

  test("reading _ anywhere", () => {
    expectMarked(
      "a, _ = 1, 2\nb = «_»\nf = lambda: «_»\nc = [«_» for _ in range(3)]\ndef g():\n    return «_»\n",
      ["wildcard-read", "wildcard-read", "wildcard-read", "wildcard-read"],
    );
  });

  test("_ as part of a target is fine", () => {
    expectClean("a, _ = 1, 2\nb = [1 for _ in range(3)]\ndef f():\n    _, c = 1, 2\n    return c\n");
  });
});

describe("imports", () => {
  const base = { "base.config": "x = 1\n" };

  test("parent imports must come first", () => {
    const [diagnostic] = expectMarked("import math\n«from .base import *»\n", ["star-import-position"], base);
    assert.match(messageOf(diagnostic), /Starred imports are only allowed at the top of the config\./);
  });

  test("imports after a definition", () => {
    const [diagnostic] = expectMarked("x = 1\n«import math»\n", ["import-after-definition"]);
    assert.match(messageOf(diagnostic), /Imports are only allowed before definitions\./);
  });

  test("relative imports of names", () => {
    const [diagnostic] = expectMarked("«from .base import x»\n", ["relative-import"], base);
    assert.match(messageOf(diagnostic), /Relative imports are only supported for config files\./);
  });

  test("from . import x", () => {
    expectMarked("«from . import base»\n", ["relative-import-without-module"], base);
  });

  test("star import of something that is not a config", () => {
    const [diagnostic] = expectMarked("«from torch.nn import *»\n", ["parent-not-found"]);
    assert.match(messageOf(diagnostic), /Parent config "torch\.nn" not found while parsing ".*main\.config"/);
  });

  test("missing relative parent names the missing path", () => {
    const [diagnostic] = expectMarked("«from .missing import *»\n", ["parent-not-found"]);
    assert.match(messageOf(diagnostic), /missing\.config/);
  });

  test("config imports, then imports, then definitions are fine", () => {
    expectClean("from .base import *\nimport math\nfrom math import pi\ny = x + pi\n", base);
  });
});

describe("names", () => {
  test("every use of an undefined name", () => {
    const diagnostics = expectMarked("a = «lrr» * 2 + «lrr»\ndef f(x):\n    return x + «y»\n", [
      "undefined-name",
      "undefined-name",
      "undefined-name",
    ]);
    assert.equal(
      messageOf(diagnostics[0]),
      'Undefined name "lrr": thunder build will fail (lazycon: Undefined names found)',
    );
  });

  test("comprehension variables do not leak", () => {
    expectMarked("z = [i for i in range(3)]\nw = «i»\n", ["undefined-name"]);
  });

  test("builtins, __file__ and __name__ are defined; scoping is Python's", () => {
    expectClean(`
      path = __file__
      module_name = __name__
      values = sorted(map(abs, [-1, 2]))
      f = lambda a, b=values: a + len(b)
      g = [(i, j) for i in range(3) for j in range(i) if i + j]
      h = {k: [k * m for m in range(k)] for k in range(4)}
      def outer(x):
          def inner(y):
              return x + y + later
          later = 1
          return inner
    `);
  });

  test("an entry that refers to itself", () => {
    const [diagnostic] = expectMarked("lr = «lr» * 0.1\nf = lambda n: «f»(n - 1)\n", [
      "self-reference",
      "self-reference",
    ]);
    assert.match(messageOf(diagnostic), /cyclic dependency/);
  });

  test("a child overriding an entry with itself", () => {
    expectMarked("from .base import *\nlr = «lr» * 0.1\n", ["self-reference"], { "base.config": "lr = 1\n" });
  });

  test("recursive functions and default arguments are fine", () => {
    expectClean(
      "def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\nscale = 2\ndef g(x=scale):\n    return x\n",
    );
  });

  test("locals used before their assignment", () => {
    const diagnostics = expectMarked(
      "def f():\n    y = «z»\n    z = 1\n    return y\ndef g():\n    x = «x» + 1\n    return x\n",
      ["local-before-definition", "local-before-definition"],
    );
    assert.match(messageOf(diagnostics[0]), /Local variables referenced before being defined/);
  });

  test("cycles through two or more entries", () => {
    const diagnostics = expectMarked("a = «b»\nb = «c»\nc = «a» + 1\n", [
      "cyclic-dependency",
      "cyclic-dependency",
      "cyclic-dependency",
    ]);
    assert.match(messageOf(diagnostics[0]), /"a", "b", "c"/);
  });

  test("mutual recursion through function bodies and lambdas is not a cycle", () => {
    expectClean("def f(n):\n    return g(n)\ndef g(n):\n    return f(n)\na = lambda: b()\nb = lambda: a()\n");
  });

  test("dunder definitions", () => {
    const [diagnostic] = expectMarked("«__version__» = 1\ndef «__f»():\n    return 1\n", [
      "dunder-definition",
      "dunder-definition",
    ]);
    assert.match(messageOf(diagnostic), /Dunder names are read-only/);
  });

  test("duplicates in one file, including two imports of one package", () => {
    const [diagnostic] = expectMarked("import torch.nn\nimport «torch».optim\na = 1\n«a» = 2\n", [
      "duplicate-definition",
      "duplicate-definition",
    ]);
    assert.match(messageOf(diagnostic), /Duplicate definitions found in .*main\.config: torch/);
    assert.deepEqual(diagnostic.relatedInformation?.[0].location.range, {
      start: { line: 0, character: 7 },
      end: { line: 0, character: 12 },
    });
  });
});

describe("what lazycon crashes on", () => {
  test("async comprehensions", () => {
    const diagnostics = diagnose("y = []\nx = [i async for i in y]\n");
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [["async-comprehension", 1]],
    );
  });

  test("f-string format specs", () => {
    const diagnostics = diagnose('lr = 1\ns = f"{lr:.0e}"\nt = f"{lr!r} {lr}"\n');
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [["format-spec", 1]],
    );
  });

  test("decorators in parentheses", () => {
    const diagnostics = diagnose(
      "deco = print\n@(deco)\ndef f():\n    return 1\n@ deco\ndef g():\n    return 1\n",
    );
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [["parenthesized-decorator", 1]],
    );
  });

  test("assignments inside an if block of a function", () => {
    expectMarked("def f(a):\n    if a:\n        «b» = 1\n    return a\n", ["assignment-in-if"]);
  });
});

describe("files that are not lazycon configs", () => {
  test("an XML web.config gets no diagnostics and stays out of workspace symbols", () => {
    const { service } = workspace({
      "web.config": '<?xml version="1.0"?>\n<configuration>\n  <add name="x" />\n</configuration>\n',
      "real.config": "configuration = 1\n",
    });
    assert.deepEqual(service.diagnostics(uriOf("web.config")), []);
    assert.deepEqual(
      service.workspaceSymbols("configuration").map((symbol) => symbol.location.uri),
      [uriOf("real.config")],
    );
  });
});
