/**
 * Checks interpretOverrideValue against the real PyYAML `safe_load` on this machine, over a corpus
 * of a few hundred values: thunder's documented table plus generated numbers, signs, underscores,
 * case variants, quotes, flow collections, nulls and hostile text.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { interpretOverrideValue } from "../../../extension/overrides/pyyaml-value";

const ORACLE = `
import datetime, json, sys, yaml
out = []
for text in json.load(sys.stdin):
    try:
        value = yaml.safe_load(text)
    except Exception as error:
        out.append({"error": type(error).__name__})
        continue
    kind = {bool: "bool", int: "int", float: "float", str: "str", type(None): "null", list: "list",
            dict: "dict", datetime.date: "date", datetime.datetime: "timestamp"}.get(type(value), type(value).__name__)
    out.append({"type": kind, "display": repr(value) if kind in ("list", "dict") else str(value)})
print(json.dumps(out))
`;

function pythonWithYaml(): boolean {
  const probe = spawnSync("python3", ["-c", "import yaml"], { encoding: "utf8" });
  return probe.status === 0;
}

/** A small deterministic generator so the corpus is the same on every run. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function buildCorpus(): string[] {
  const documented = [
    "2",
    "0.001",
    "1e-3",
    "1.0e-3",
    "1.0e3",
    "1.5E+2",
    ".5",
    "yes",
    "No",
    "on",
    "off",
    "true",
    "null",
    "~",
    "012",
    "0x1F",
    "1_000",
    "0o17",
    "1:30",
    "2024-01-05",
    '"1"',
    "[1, 2]",
    "{a: 1}",
    "foo",
  ];
  const integers = [
    "0",
    "1",
    "12",
    "012",
    "09",
    "0_",
    "00",
    "1_000",
    "1__0",
    "0x1F",
    "0x1f",
    "0xg",
    "0x",
    "0b101",
    "0b_",
    "0b2",
    "0o17",
    "0O17",
    "1:30",
    "1:30:00",
    "1:60",
    "1:5",
    "01:30",
    "99999999999999999999999",
    "123_456_789",
  ];
  const floats = [
    "1.0",
    "1.",
    "1._",
    "0.001",
    ".5",
    "._5",
    "1e-3",
    "1E-3",
    "1.0e-3",
    "1.0e3",
    "1.0e+3",
    "1.5E+2",
    "1_0.5",
    ".inf",
    ".Inf",
    ".INF",
    ".iNf",
    ".nan",
    ".NaN",
    ".NAN",
    "1e5",
    "1.0E5",
    "6.02e+23",
    "1.0e+400",
    "123456789012345678.0",
    "0.0001",
    "0.00001",
    "1e+16",
    "10000000000000000.0",
    "1000000000000000.0",
    "0.0",
    "3.14159265358979",
    "1.5_0",
    "1:30.5",
    "190:20:30.15",
    "1.2.3",
    "1,5",
    "5.e-2",
    ".5e+3",
    "2.5e-10",
    "0.1",
    "0.30000000000000004",
  ];
  const signed = [...integers, ...floats].flatMap((text) => [text, `+${text}`, `-${text}`]);
  const booleans = [
    "yes",
    "Yes",
    "YES",
    "yEs",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "oN",
    "off",
    "Off",
    "OFF",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "False",
    "FALSE",
    "y",
    "n",
    "Y",
    "N",
    "y es",
  ];
  const nulls = ["null", "Null", "NULL", "nUll", "~", "", " ", "#comment", "None", "none", "!!null x"];
  const strings = [
    "foo",
    "hello world",
    "a:b",
    "http://host:8080/x",
    "a, b",
    "a #c",
    "a#c",
    "'quoted'",
    '"1"',
    "'1'",
    '"yes"',
    "'it''s'",
    '"a\\nb"',
    '"tab\\there"',
    "über",
    "日本語",
    "$(rm -rf /)",
    "`x`",
    "a;b",
    "a && b",
    "it's",
    'say "hi"',
    "x\ty",
    "a\nb",
    "-",
    "--",
    "---",
    "- ",
    "?",
    "!",
    "&",
    "*",
    "|",
    ">",
    "'",
    '"',
    "'unclosed",
    "=",
    "<<",
    "@a",
    "%x",
    "a\n---\nb",
    "!!str 1",
    "!!int '12'",
    "!!int 09",
    "!!float 1",
    "!!bool yes",
    "!!bool maybe",
    "! 1",
    "! yes",
    "!",
    "! [1]",
    "!!str",
    "a:\t1",
    "\tx",
    "x\t",
    '"a\tb"',
    "[1,\t2]",
    "x #\tc",
    "!foo x",
    "lr",
    "1 2",
    "0.1.2",
    "1-2",
    "~foo",
    "null!",
    "truex",
    "1 # one",
    "[1, 2] # c",
  ];
  const dates = [
    "2024-01-05",
    "2024-1-5",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-01-05 10:00:00",
    "2024-01-05T10:00:00Z",
    "2024-01-05t10:00:00.5+05:30",
    "2024-01-05 10:00:00 -5",
    "2001-12-14t21:59:43.10-05:00",
    "2024-01-05 25:00:00",
    "2024-1-5 1:02:03",
    "2024-01-05T10:00:00.1234567",
    "20240105",
    "2024/01/05",
  ];
  const collections = [
    "[1, 2]",
    "[]",
    "{}",
    "{a: 1}",
    "[1, [2, 3]]",
    "{a: [1, yes]}",
    "[1e-3, 1.0e-3]",
    "{1: a, 1.0: b}",
    "[a, b, ]",
    "{a: 1, b}",
    "- 1",
    "- 1\n- two",
    "a: 1",
    "a: 1\nb: [x]",
    "[a, b",
    "{a: 1",
    "[1, 2]]",
    "a: b: c",
    "&x 1",
    "[&x 1, *x]",
    "*x",
    "{<<: {a: 1}, b: 2}",
    "{<<: [{a: 1}, {a: 2, c: 3}], b: 2}",
    "[0x10, 010, 1:30, ~, null, '']",
    "{'quoted key': \"v\", yes: no}",
    "[2024-01-05]",
    "{[1]: 2}",
    "[.inf, -.inf, .nan]",
    '["it\'s", \'say "hi"\']',
    "{a: {b: {c: [1, {d: e}]}}}",
    "[1, 2,, 3]",
    "{a: 1, a: 2}",
    "[über, 日本]",
  ];
  const random = generator(20261125);
  const generated: string[] = [];
  for (let index = 0; index < 120; index += 1) {
    const magnitude = 10 ** Math.floor(random() * 24 - 12);
    const value = random() * magnitude;
    const forms = [
      String(Math.floor(value)),
      value.toPrecision(1 + Math.floor(random() * 16)),
      value.toExponential(Math.floor(random() * 5)),
      value.toFixed(Math.floor(random() * 6)),
    ];
    const form = forms[index % forms.length];
    generated.push(random() < 0.3 ? `-${form}` : form);
  }
  return [
    ...new Set([
      ...documented,
      ...signed,
      ...booleans,
      ...nulls,
      ...strings,
      ...dates,
      ...collections,
      ...generated,
    ]),
  ];
}

type OracleAnswer = { error: string } | { type: string; display: string };

describe("interpretOverrideValue against PyYAML safe_load", {
  skip: !pythonWithYaml() && "python3 with PyYAML not found",
}, () => {
  const corpus = buildCorpus();
  it(`agrees on type and value for all ${corpus.length} values`, () => {
    assert.ok(corpus.length >= 300, `corpus has ${corpus.length} values`);
    const oracle = spawnSync("python3", ["-c", ORACLE], { input: JSON.stringify(corpus), encoding: "utf8" });
    assert.equal(oracle.status, 0, oracle.stderr);
    const answers = JSON.parse(oracle.stdout) as OracleAnswer[];
    const mismatches: string[] = [];
    corpus.forEach((text, index) => {
      const expected = answers[index];
      const actual = interpretOverrideValue(text);
      if ("error" in expected) {
        if (actual.ok)
          mismatches.push(
            `${JSON.stringify(text)}: PyYAML fails (${expected.error}), we say ${actual.type} ${actual.display}`,
          );
        return;
      }
      if (!actual.ok) {
        mismatches.push(
          `${JSON.stringify(text)}: PyYAML gives ${expected.type} ${expected.display}, we fail: ${actual.message}`,
        );
        return;
      }
      // Collections holding timestamps print datetime objects; their type is still checked.
      const compareDisplay =
        !(expected.type === "list" || expected.type === "dict") ||
        !expected.display.includes("datetime.datetime");
      if (actual.type !== expected.type || (compareDisplay && actual.display !== expected.display)) {
        mismatches.push(
          `${JSON.stringify(text)}: PyYAML ${expected.type} ${expected.display}, we ${actual.type} ${actual.display}`,
        );
      }
    });
    assert.deepEqual(mismatches, []);
  });

  it("refuses, with a message, the one PyYAML type we do not model (bytes)", () => {
    const oracle = spawnSync("python3", ["-c", ORACLE], {
      input: JSON.stringify(["!!binary aGk="]),
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(oracle.stdout), [{ type: "bytes", display: "b'hi'" }]);
    const ours = interpretOverrideValue("!!binary aGk=");
    assert.equal(ours.ok, false);
    if (!ours.ok) assert.match(ours.message, /binary/);
  });
});
