/**
 * Positions of names, definitions, parameters and aliases in tricky constructs, compared
 * with CPython's `ast` (UTF-16 columns): f-strings (nested, multi-line, `=`), continuation
 * lines, tabs, CRLF, unicode, decorators, match statements, ...
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "../../../language-server/parser/index";
import { compareEntries, entriesOf, hasPython, runOracle } from "./helpers";

const SNIPPETS = [
  "x = f'{a}{b!r}{c:>{width}.{prec}}'\n",
  "x = f'{a=}' f\"{ b = !s}\" 'plain' f'{c:{d}}'\n",
  "x = f'''\n  {first}\n{second:{spec}}\n'''\n",
  "x = (f'{a}'\n     f'{b}')\n",
  "x = f'{x!r:^{w}}' + rf'\\{y}' + fr'{z}\\n'\n",
  "x = f'{\"nested\" + q}' + f\"{d['key']}\"\n",
  "x = f'{a:{b}{c}}'\n",
  "x = f'{lambda_ := 1}' if f'{(v := 2)}' else f'{[i for i in r]}'\n",
  "caf\u00e9 = '\u{1f600}' + f'{\u00e9l\u00e8ve}' + name\n",
  "total = 1 + \\\n    other + \\\n\tthird\n",
  "if a:\n\tb = c\n\tif d:\n\t\te = f\n",
  "x = 1\r\ny = x\r\nz = [x,\r\n  y]\r\n",
  "@deco.attr(arg)\n@other\nasync def f(a, /, b: int = 1, *c: str, d=2, **e) -> R:\n    nonlocal_ = lambda g, *h, i=3, **j: g\n",
  "class A(B, metaclass=M):\n    def m(self): return self\n",
  "match cmd:\n    case [Point(x=0, y=y0), *rest] if rest:\n        pass\n    case {'k': v, **kw} | (a as b):\n        pass\n",
  "import a.b.c as d, e\nfrom .. import (f as g, h)\nfrom i.j import *\n",
  "for i, (j, *k) in items:\n    del i, j[0], k.attr\n",
  "def gen():\n    with open(p) as f, (yield x) as g:\n        pass\n",
  "with (open(p) as f, open(q) as g,):\n    pass\n",
  "try:\n    pass\nexcept* (A, B) as err:\n    raise C from err\n",
  "async def co():\n    x = [y async for y in z if await w]\n",
  "a[b:c, ::d, e] = f[g,]\n",
  "print(*args, sep='', **{'end': x})\n",
  "global_ = {**a, 'b': c, **{d: e for d, e in f}}\n",
  "x = not a and b or c if d else e\n",
  "(a) = (b) = c\n(d): int = 1\ne.f: g\n",
  "def f():\n    global a, b\n    yield from c\n",
  "x = y = z = ...\n",
  "s = b'\\x00' + u'text' + R'raw'\n",
];

test("names and definitions have CPython's positions in tricky constructs", {
  skip: !hasPython() && "python3 missing",
}, () => {
  const expected = runOracle(["entries"], JSON.stringify(SNIPPETS)) as {
    error?: string;
    entries?: [string, string, string, number, number, number, number][];
  }[];
  const problems: string[] = [];
  for (let k = 0; k < SNIPPETS.length; k++) {
    const source = SNIPPETS[k];
    const want = expected[k];
    const module = parse(source);
    if (want.error !== undefined) {
      problems.push(`${JSON.stringify(source)}: CPython rejects (${want.error})`);
      continue;
    }
    if (module.errors.length > 0) {
      problems.push(`${JSON.stringify(source)}: we reject (${module.errors[0].message})`);
      continue;
    }
    const mine = entriesOf(module);
    const theirs = [...(want.entries ?? [])].sort(compareEntries);
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
      problems.push(
        `${JSON.stringify(source)}:\n  ours   ${JSON.stringify(mine)}\n  CPython ${JSON.stringify(theirs)}`,
      );
    }
  }
  for (const p of problems) console.log(`POSITION ${p}`);
  assert.deepEqual(problems, []);
});
