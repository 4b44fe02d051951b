import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  floatRepr,
  interpretOverrideValue,
  type YamlValueWarningCode,
} from "../../../extension/overrides/pyyaml-value";

function codes(text: string): YamlValueWarningCode[] {
  const result = interpretOverrideValue(text);
  assert.ok(result.ok, text);
  return result.warnings.map((warning) => warning.code);
}

describe("interpretOverrideValue", () => {
  it("follows thunder's documented table", () => {
    const table: [string, string, string][] = [
      ["2", "int", "2"],
      ["0.001", "float", "0.001"],
      ["1e-3", "str", "1e-3"],
      ["1.0e-3", "float", "0.001"],
      ["1.0e3", "str", "1.0e3"],
      ["1.5E+2", "float", "150.0"],
      [".5", "float", "0.5"],
      ["No", "bool", "False"],
      ["on", "bool", "True"],
      ["~", "null", "None"],
      ["012", "int", "10"],
      ["0x1F", "int", "31"],
      ["1_000", "int", "1000"],
      ["0o17", "str", "0o17"],
      ["1:30", "int", "90"],
      ["2024-01-05", "date", "2024-01-05"],
      ['"1"', "str", "1"],
      ["[1, 2]", "list", "[1, 2]"],
      ["{a: 1}", "dict", "{'a': 1}"],
    ];
    for (const [text, type, display] of table) {
      const result = interpretOverrideValue(text);
      assert.deepEqual(result.ok && [result.type, result.display], [type, display], text);
    }
  });

  it("warns about each trap with a code and a fix", () => {
    assert.deepEqual(codes("1e-3"), ["exponent-string"]);
    const exponent = interpretOverrideValue("1e-3");
    assert.ok(exponent.ok);
    assert.match(exponent.warnings[0].message, /write 1\.0e-3/);
    assert.deepEqual(codes("1.0e3"), ["exponent-string"]);
    assert.deepEqual(codes("yes"), ["yes-no-bool"]);
    assert.deepEqual(codes("true"), []);
    assert.deepEqual(codes("012"), ["octal"]);
    assert.deepEqual(codes("0x1F"), ["hex"]);
    assert.deepEqual(codes("0b11"), ["binary"]);
    assert.deepEqual(codes("1_000"), ["underscores"]);
    assert.deepEqual(codes("1:30"), ["base-60"]);
    assert.deepEqual(codes("2024-01-05"), ["date"]);
    assert.deepEqual(codes("2024-01-05 10:00:00"), ["date"]);
    assert.deepEqual(codes("0o17"), ["octal-0o-string"]);
    assert.deepEqual(codes(""), ["empty"]);
    assert.deepEqual(codes("[1e-3, no]"), ["exponent-string", "yes-no-bool"]);
    for (const plain of ["2", "0.001", "1.0e-3", "foo", "'yes'", '"1e-3"', "[1, 2]", "null"]) {
      assert.deepEqual(codes(plain), [], plain);
    }
  });

  it("reports values PyYAML cannot load, with a message", () => {
    for (const text of ["[1, 2", "{a: 1", "a: b: c", "@x", "=", "2024-13-01", "0b_", "x\ty", "a\n---\nb"]) {
      const result = interpretOverrideValue(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) assert.ok(result.message.length > 10, text);
    }
  });

  it("keeps hostile text as it is", () => {
    for (const text of ["$(rm -rf /)", "a && b", "a;b", "über", "日本"]) {
      assert.deepEqual(
        interpretOverrideValue(text),
        { ok: true, type: "str", display: text, warnings: [] },
        text,
      );
    }
  });
});

describe("floatRepr", () => {
  it("prints floats the way Python's repr does", () => {
    const cases: [number, string][] = [
      [1, "1.0"],
      [0.1, "0.1"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1e16, "1e+16"],
      [1e15, "1000000000000000.0"],
      [123456789012345680, "1.2345678901234568e+17"],
      [-0, "-0.0"],
      [Number.NaN, "nan"],
      [Number.NEGATIVE_INFINITY, "-inf"],
      [2.5e-10, "2.5e-10"],
      [0.30000000000000004, "0.30000000000000004"],
    ];
    for (const [value, expected] of cases) assert.equal(floatRepr(value), expected, String(value));
  });
});
