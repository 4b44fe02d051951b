// Tokenizes sample lines with the real TextMate engine VS Code uses (vscode-textmate + oniguruma)
// and checks the scopes the lazycon grammar gives them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const repoRoot = join(__dirname, "..", "..", "..");
const grammarPath = join(repoRoot, "syntaxes", "lazycon.tmLanguage.json");

interface Token {
  text: string;
  scopes: string[];
}

let grammar: textmate.IGrammar | undefined;
let wasmProblem: string | undefined;

async function loadGrammar(): Promise<textmate.IGrammar | undefined> {
  try {
    const wasmPath = createRequire(__filename).resolve("vscode-oniguruma/release/onig.wasm");
    const wasm = readFileSync(wasmPath);
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  } catch (error) {
    wasmProblem = `oniguruma wasm did not load: ${String(error)}`;
    return undefined;
  }
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === "source.lazycon"
        ? textmate.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  return (await registry.loadGrammar("source.lazycon")) ?? undefined;
}

/** Tokenizes a whole text (line by line, carrying the rule stack) into tokens with their scopes. */
function tokenize(text: string): Token[][] {
  assert.ok(grammar);
  let stack = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const result = grammar!.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens.map((token) => ({
      text: line.slice(token.startIndex, token.endIndex),
      scopes: token.scopes,
    }));
  });
}

/** Scopes of the first token whose text is `text`, ignoring surrounding spaces (all lines searched). */
function scopesOf(source: string, text: string, occurrence = 0): string[] {
  const matches = tokenize(source)
    .flat()
    .filter((token) => token.text.trim() === text.trim());
  assert.ok(matches[occurrence], `no token ${JSON.stringify(text)} in ${JSON.stringify(source)}`);
  return matches[occurrence].scopes;
}

function assertScope(source: string, text: string, scope: string, occurrence = 0): void {
  const scopes = scopesOf(source, text, occurrence);
  assert.ok(
    scopes.some((name) => name === scope || name.startsWith(`${scope}.`) || name.split(" ").includes(scope)),
    `${JSON.stringify(text)} in ${JSON.stringify(source)} has ${scopes.join(", ")}, expected ${scope}`,
  );
}

function assertNoScope(source: string, text: string, scope: string, occurrence = 0): void {
  const scopes = scopesOf(source, text, occurrence);
  assert.ok(
    !scopes.some((name) => name.startsWith(scope)),
    `${JSON.stringify(text)} in ${JSON.stringify(source)} unexpectedly has ${scope}: ${scopes.join(", ")}`,
  );
}

describe("lazycon TextMate grammar", () => {
  before(async () => {
    grammar = await loadGrammar();
  });

  test("loads", (t) => {
    if (wasmProblem) return t.skip(wasmProblem);
    assert.ok(grammar, "the grammar did not load");
  });

  test("thunder entries at the start of a top-level assignment get their own scope", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    for (const entry of ["trainer", "module", "train_data", "val_data", "test_data", "predict_data"]) {
      assertScope(`${entry} = make()`, entry, "variable.other.constant.thunder-entry");
    }
    for (const entry of ["datamodule", "layout", "CALLBACKS"]) {
      assertScope(`${entry}=Thing()`, entry, "variable.other.constant.thunder-entry");
    }
  });

  test("the same names elsewhere are ordinary names", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertNoScope("model = module", "module", "variable.other.constant.thunder-entry");
    assertNoScope("    trainer = 1", "trainer", "variable.other.constant.thunder-entry");
    assertNoScope("trainer == 1", "trainer", "variable.other.constant.thunder-entry");
    assertNoScope("trainers = 1", "trainers", "variable.other.constant.thunder-entry");
    assertScope("x = f(module=1)", "module", "variable.parameter.function-call");
  });

  test("ExpName and GroupName are thunder placeholders", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    const source = "logger = WandbLogger(name=ExpName, group=GroupName)";
    assertScope(source, "ExpName", "support.constant.placeholder.thunder");
    assertScope(source, "GroupName", "support.constant.placeholder.thunder");
    assertScope(
      "from thunder.placeholders import ExpName",
      "ExpName",
      "support.constant.placeholder.thunder",
    );
    assertNoScope("ExpNames = 1", "ExpNames", "support.constant.placeholder");
  });

  test("comments", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertScope("lr = 1e-3  # learning rate", "#", "punctuation.definition.comment");
    assertScope("lr = 1e-3  # learning rate", "learning rate", "comment.line.number-sign");
    assertNoScope('x = "# not a comment"', "# not a comment", "comment");
  });

  test("strings: plain, raw, bytes, f-strings, triple-quoted", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertScope('x = "a\\nb"', "\\n", "constant.character.escape");
    assertScope("x = 'it'", "it", "string.quoted.single");
    assertScope('x = r"a\\nb"', "a\\nb", "string.quoted.double.raw");
    assertScope('x = r"a\\nb"', "r", "storage.type.string");
    assertScope('x = b"bytes"', "bytes", "string.quoted.double.bytes");
    assertScope('x = Rb"raw bytes"', "raw bytes", "string.quoted.double.bytes.raw");
    assertScope('x = """doc\nstill doc\n"""', "still doc", "string.quoted.triple");
    assertNoScope("x = '''a\nb'''\ny = 1", "y", "string");
  });

  test("f-strings interpolate expressions, escape doubled braces and keep format specs", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    const source = 'name = f"run-{lr * 2:.3f}-{{x}}-{ExpName!r}"';
    assertScope(source, "run-", "meta.fstring");
    assertScope(source, "{", "punctuation.section.interpolation.begin");
    assertScope(source, "*", "keyword.operator.arithmetic");
    assertScope(source, "2", "constant.numeric.integer");
    assertScope(source, ":.3f", "constant.other.format-spec");
    assertScope(source, "{{", "constant.character.escape");
    assertScope(source, "ExpName", "support.constant.placeholder.thunder");
    assertScope(source, "!r", "storage.type.format.conversion");
    assertScope('p = fr"\\d{n}"', "n", "meta.interpolation");
  });

  test("an unterminated single-line string stops at the end of its line", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertNoScope('x = "open\ny = 2', "y", "string");
    assertNoScope('x = f"{a\ny = 2', "y", "string");
  });

  test("numbers", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertScope("x = 1_000", "1_000", "constant.numeric.integer");
    assertScope("x = 0x1F", "0x1F", "constant.numeric.hex");
    assertScope("x = 0b101", "0b101", "constant.numeric.binary");
    assertScope("x = 0o17", "0o17", "constant.numeric.octal");
    for (const float of ["1e-3", "1.0e-3", "20.", ".5", "3.14", "1.5E+2", "2.5j"]) {
      assertScope(`x = ${float}`, float, "constant.numeric.float");
    }
    assertScope("x = 3j", "3j", "constant.numeric.complex");
  });

  test("keywords, constants and operators", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertScope("import torch", "import", "keyword.control.import");
    assertScope("from torch import nn as n", "as", "keyword.control.import");
    assertScope("x = a if b else c", "if", "keyword.control.flow");
    assertScope("x = a and not b", "not", "keyword.operator.logical");
    assertScope("x = None", "None", "constant.language");
    assertScope("x = a ** 2", "**", "keyword.operator.arithmetic");
    assertScope("x = a // 2", "//", "keyword.operator.arithmetic");
    assertScope("x = a >= 2", ">=", "keyword.operator.comparison");
    assertScope("x = a << 2", "<<", "keyword.operator.bitwise");
    assertScope("x = 1", "=", "keyword.operator.assignment");
    assertScope("x += 1", "+=", "keyword.operator.assignment.augmented");
    assertScope("x = (y := 2)", ":=", "keyword.operator.assignment.walrus");
    assertScope("x = len(y)", "len", "support.function.builtin");
    assertScope("x = torch.nn.Linear(2, 3)", "Linear", "entity.name.function.call");
  });

  test("config imports name their parent config", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    assertScope("from .base import *", ".base", "entity.name.namespace.config");
    assertScope("from ..common.base import *", "..common.base", "entity.name.namespace.config");
    assertScope("from .base import *", "*", "keyword.operator.star.import");
  });

  test("def, parameters, decorators and lambda", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    const def = "def schedule(epoch: int, base=f(1, 2), *args, **kwargs) -> float:";
    assertScope(def, "def", "storage.type.function");
    assertScope(def, "schedule", "entity.name.function");
    assertScope(def, "epoch", "variable.parameter.function");
    assertScope(def, "int", "meta.function.parameters");
    assertNoScope(def, "int", "variable.parameter");
    assertScope(def, "kwargs", "variable.parameter.function");
    assertScope(def, "->", "punctuation.separator.annotation.result");
    assertScope(
      "@functools.lru_cache\ndef f(): pass",
      "functools.lru_cache",
      "entity.name.function.decorator",
    );
    assertScope("@functools.lru_cache\ndef f(): pass", "@", "punctuation.definition.decorator");
    const lambda = "scale = lambda x, k=2: x * k";
    assertScope(lambda, "lambda", "storage.type.function.lambda");
    assertScope(lambda, "x", "variable.parameter.function.lambda");
    assertScope(lambda, "k", "variable.parameter.function.lambda");
    assertNoScope(lambda, "x", "variable.parameter", 1);
  });

  test("a realistic config keeps entries highlighted after multi-line calls", (t) => {
    if (!grammar) return t.skip(wasmProblem);
    const source = [
      "from .base import *",
      "import torch",
      "",
      "module = ThunderModule(",
      "    architecture,",
      "    criterion=torch.nn.CrossEntropyLoss(),",
      "    optimizer=torch.optim.Adam(lr=1e-3),",
      ")",
      "trainer = Trainer(max_epochs=10, logger=WandbLogger(name=ExpName))",
    ].join("\n");
    assertScope(source, "module", "variable.other.constant.thunder-entry");
    assertScope(source, "criterion", "variable.parameter.function-call");
    assertScope(source, "trainer", "variable.other.constant.thunder-entry");
    assertScope(source, "max_epochs", "variable.parameter.function-call");
  });
});
