/** Hostile input: the parser never throws, never overflows the stack, and stays fast. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Module, parse } from "../../../language-server/parser/index";

/**
 * Parses and measures the CPU time it took: on a busy machine wall time mostly measures the
 * other processes, CPU time still measures the parser.
 */
function timed(text: string): { module: Module; ms: number } {
  const started = process.cpuUsage();
  const module = parse(text);
  const used = process.cpuUsage(started);
  return { module, ms: (used.user + used.system) / 1000 };
}

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

test("random code units (NUL, lone surrogates, control characters) never throw", () => {
  const alphabet =
    "abc_ \t\n\r\f\\'\"#()[]{}:;,.=+-*/%@<>!~^|&0123456789\u0000\ufeff\u00e9\u2026\ud800\udc00jJxXeE";
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed);
    let text = "";
    const length = Math.floor(next() * 300);
    for (let i = 0; i < length; i++) {
      text +=
        next() < 0.1
          ? String.fromCharCode(Math.floor(next() * 0x10000))
          : alphabet[Math.floor(next() * alphabet.length)];
    }
    const { module } = timed(text);
    assert.equal(module.type, "Module");
    for (const e of module.errors) assert.ok(e.message.length > 0);
  }
});

test("10,000 nested brackets give CPython's error, not a stack overflow", () => {
  for (const [open, close] of [
    ["(", ")"],
    ["[", "]"],
    ["{", "}"],
  ]) {
    const { module, ms } = timed(`x = ${open.repeat(10000)}1${close.repeat(10000)}\ny = 2\n`);
    assert.equal(module.errors[0].message, "too many nested parentheses");
    assert.ok(ms < 1000, `${ms} ms`);
  }
  const unclosed = timed("(".repeat(10000));
  assert.equal(unclosed.module.errors[0].message, "too many nested parentheses");
});

test("deep chains of operators and keywords do not overflow the stack", () => {
  const inputs = [
    `x = ${"-".repeat(100000)}1`,
    `x = ${"not ".repeat(50000)}y`,
    `x = ${"lambda: ".repeat(20000)}1`,
    `x = 2${"**2".repeat(50000)}`,
    `x = ${"a if b else ".repeat(20000)}c`,
    `x = ${"await ".repeat(20000)}y`,
  ];
  for (const text of inputs) {
    const { module, ms } = timed(text);
    assert.ok(module.errors.length > 0 || module.body.length === 1);
    assert.ok(ms < 1000, `${ms} ms for ${text.slice(0, 20)}`);
  }
});

test("1 MB lines parse quickly", () => {
  const items = Array.from({ length: 150000 }, (_, i) => String(i)).join(", ");
  const lines = [
    `values = [${items}]\n`,
    `total = a${" + a".repeat(250000)}\n`,
    `name = "${"x".repeat(1000000)}"\n`,
    `# ${"comment ".repeat(130000)}\nx = 1\n`,
  ];
  for (const text of lines) {
    assert.ok(text.length >= 1_000_000);
    parse(text); // warm-up
    // Best of three: the bound is about the parser, not about a busy CI machine.
    const runs = [timed(text), timed(text), timed(text)];
    assert.deepEqual(runs[0].module.errors, []);
    const ms = Math.min(...runs.map((r) => r.ms));
    assert.ok(ms < 1000, `${ms} ms for ${text.slice(0, 20)}`);
  }
});

test("BOM, CRLF, CR and form feeds parse like plain LF text", () => {
  const plain = parse("x = 1\nif x:\n    y = 2\n");
  assert.deepEqual(parse("\ufeffx = 1\nif x:\n    y = 2\n"), plain);
  assert.deepEqual(parse("x = 1\r\nif x:\r\n    y = 2\r\n"), plain);
  assert.deepEqual(parse("x = 1\rif x:\r    y = 2\r"), plain);
  const withFormFeed = parse("x = 1\n\f\nif x:\n    y = 2\n");
  assert.deepEqual(withFormFeed.errors, []);
  assert.equal(withFormFeed.body.length, 2);
});

test("tabs follow CPython's rules", () => {
  // A tab counts to the next multiple of 8 and the alternative count must agree.
  assert.deepEqual(parse("if x:\n\ty = 1\n\tz = 2\n").errors, []);
  assert.deepEqual(parse("if x:\n        y = 1\n\tz = 2\n").errors[0].kind, "TabError");
  assert.deepEqual(parse("if x:\n  \ty = 1\n\tz = 2\n").errors[0]?.kind, "TabError");
});

test("unicode identifiers are normalised and columns count UTF-16 units", () => {
  const module = parse("\u{1d518} = 1\ncaf\u00e9 = '\u{1f600}' + x\n");
  assert.deepEqual(module.errors, []);
  const first = module.body[0];
  assert.ok(first.type === "Assign" && first.targets[0].type === "Name");
  // NFKC turns the mathematical fraktur U into a plain U, as CPython does.
  assert.equal(first.targets[0].id, "U");
  assert.equal(first.targets[0].range.end.character, 2);
  const second = module.body[1];
  assert.ok(second.type === "Assign" && second.value.type === "BinOp");
  assert.equal(second.value.right.range.start.character, 14);
});
