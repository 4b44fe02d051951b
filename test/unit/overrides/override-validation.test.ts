import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkOverrides,
  overridableNames,
  pythonSetRepr,
  splitOverride,
} from "../../../extension/overrides/override-validation";

const ENTRIES = ["lr", "batch_size", "model", "url"];

describe("overrides", () => {
  it("splits at the first =", () => {
    assert.deepEqual(splitOverride("url=http://x?a=1&b=2"), { name: "url", value: "http://x?a=1&b=2" });
    assert.deepEqual(splitOverride("lr="), { name: "lr", value: "" });
    assert.equal(splitOverride("lr"), undefined);
  });

  it("accepts known names and reports what each value becomes", () => {
    const result = checkOverrides(["lr=0.001", "batch_size=2", "url=a=b"], ENTRIES);
    assert.deepEqual(result.problems, []);
    assert.equal(result.thunderMessage, undefined);
    assert.deepEqual(
      result.overrides.map((override) => [
        override.name,
        override.interpreted.ok && override.interpreted.type,
      ]),
      [
        ["lr", "float"],
        ["batch_size", "int"],
        ["url", "str"],
      ],
    );
  });

  it("rejects unknown names with thunder's message", () => {
    const result = checkOverrides(["c=1", "lr=1.0e-3", "b=2", "c=3"], ENTRIES);
    assert.equal(result.thunderMessage, "The names {'b', 'c'} are missing from the config");
    assert.deepEqual(
      result.problems.filter((problem) => problem.code === "unknown-name").map((problem) => problem.index),
      [0, 2, 3],
    );
  });

  it("hints at stray spaces around the name", () => {
    const result = checkOverrides(["lr =0.1"], ENTRIES);
    assert.match(result.problems[0].message, /Did you mean "lr"/);
    assert.equal(result.thunderMessage, "The names {'lr '} are missing from the config");
  });

  it("reports malformed pairs, invalid values, traps and repeated names", () => {
    const result = checkOverrides(["lr", "=1", "model=[1, 2", "lr=1e-3", "lr=0.1"], ENTRIES);
    assert.deepEqual(
      result.problems.map((problem) => [problem.index, problem.code, problem.severity]),
      [
        [0, "no-equals", "error"],
        [1, "empty-name", "error"],
        [2, "invalid-value", "error"],
        [3, "invalid-value", "warning"],
        [3, "duplicate", "warning"],
      ],
    );
    assert.match(result.problems[3].message, /^lr: 1e-3 is read as the text/);
  });

  it("takes the names from the language server's configEntries answer", () => {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 6 } };
    const names = overridableNames({
      uri: "file:///c/child.config",
      entries: [
        {
          name: "lr",
          definedIn: "file:///c/base.config",
          range,
          value: "0.1",
          kind: "assignment",
          inherited: true,
        },
        {
          name: "model",
          definedIn: "file:///c/child.config",
          range,
          value: "Net()",
          kind: "assignment",
          inherited: false,
        },
      ],
    });
    assert.deepEqual(
      checkOverrides(["lr=1", "model=x", "epochs=3"], names).thunderMessage,
      "The names {'epochs'} are missing from the config",
    );
  });

  it("prints names as a Python set", () => {
    assert.equal(pythonSetRepr(["it's", "a\\b"]), `{'a\\\\b', "it's"}`);
  });
});
