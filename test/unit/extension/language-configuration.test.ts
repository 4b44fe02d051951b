// The language configuration's regular expressions are JavaScript regexes in VS Code: check them
// on Python-style lines the way the editor applies them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

const repoRoot = join(__dirname, "..", "..", "..");
const configuration = JSON.parse(
  readFileSync(join(repoRoot, "syntaxes", "language-configuration.json"), "utf8"),
) as {
  comments: { lineComment: string };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: { beforeText: string; afterText?: string; action: { indent: string; appendText?: string } }[];
  folding: { offSide: boolean; markers: { start: string; end: string } };
};

function onEnterAction(before: string, after = ""): string | undefined {
  const rule = configuration.onEnterRules.find(
    (candidate) =>
      new RegExp(candidate.beforeText).test(before) &&
      (candidate.afterText === undefined || new RegExp(candidate.afterText).test(after)),
  );
  return rule && `${rule.action.indent}${rule.action.appendText ? `+${rule.action.appendText}` : ""}`;
}

describe("language-configuration.json", () => {
  test("line comments are #, brackets pair up and quotes auto-close outside strings", () => {
    assert.equal(configuration.comments.lineComment, "#");
    assert.deepEqual(configuration.brackets.map(([open]) => open).sort(), ["(", "[", "{"]);
    const closing = new Map(configuration.autoClosingPairs.map((pair) => [pair.open, pair]));
    for (const open of ["(", "[", "{", '"', "'", 'f"', "r'"])
      assert.ok(closing.has(open), `no auto-close for ${open}`);
    assert.deepEqual(closing.get('"')?.notIn, ["string", "comment"]);
  });

  test("Enter after a block opener indents; after return/pass it outdents", () => {
    assert.equal(onEnterAction("def make(classes):"), "indent");
    assert.equal(onEnterAction("    if x > 1:  # comment"), "indent");
    assert.equal(onEnterAction("async def f() -> int:"), "indent");
    assert.equal(onEnterAction("    return nn.Linear(2, 3)"), "outdent");
    assert.equal(onEnterAction("    pass"), "outdent");
    assert.equal(onEnterAction("lr = 1e-3"), undefined);
    assert.equal(onEnterAction("x = {'a': 1}"), undefined);
    assert.equal(onEnterAction("define = 1  # def-like name"), undefined);
  });

  test("Enter inside a comment continues it, at the end of one does not", () => {
    assert.equal(onEnterAction("# a long", " comment"), "none+# ");
    assert.equal(onEnterAction("# the end", ""), undefined);
  });

  test("indentation rules", () => {
    const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
    assert.ok(increase.test("def f(x):"));
    assert.ok(increase.test("    else:"));
    assert.ok(!increase.test("x = f(a=1)"));
    assert.ok(decrease.test("    else:"));
    assert.ok(decrease.test("  except ValueError as error:"));
    assert.ok(!decrease.test("elsewhere = 1"));
  });

  test("folding follows indentation and #region markers", () => {
    assert.equal(configuration.folding.offSide, true);
    assert.ok(new RegExp(configuration.folding.markers.start).test("# region data"));
    assert.ok(new RegExp(configuration.folding.markers.end).test("  # endregion"));
    assert.ok(!new RegExp(configuration.folding.markers.start).test("# regional settings"));
  });
});
