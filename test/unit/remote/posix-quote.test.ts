import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { shJoin, shQuote } from "../../../extension/remote/posix-quote";

const HOSTILE = [
  "",
  " ",
  "plain",
  "with space",
  "it's",
  "'",
  "''",
  '"double"',
  "$(touch /tmp/pwned)",
  "`id`",
  "a;b",
  "a && b",
  "a || b",
  "a | b",
  "line1\nline2",
  "tab\there",
  "\\backslash\\",
  "$HOME",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion is what is tested
  "${HOME}",
  "*",
  "~",
  "~root",
  "-n",
  "--flag=value with 'quotes'",
  "unicode: Grüße 🚀 ñ 日本",
  "!bang",
  "#comment",
  "a\rb",
  "trailing\\",
  "'\\''",
  "{a,b}",
  "[abc]",
  "x=1",
  "<in >out",
  "&",
];

/** Runs `printf '%s\0' <quoted args>` in a real sh and returns what arrived, split at NUL. */
function roundTrip(args: string[]): string[] {
  const result = spawnSync("sh", ["-c", `printf '%s\\0' ${shJoin(args)}`], { encoding: "buffer" });
  assert.equal(result.status, 0, result.stderr.toString());
  const parts = result.stdout.toString("utf8").split("\0");
  assert.equal(parts.pop(), "", "output ends with NUL");
  return parts;
}

describe("shQuote", () => {
  test("leaves plain words alone", () => {
    assert.equal(shQuote("squeue"), "squeue");
    assert.equal(shQuote("--me"), "--me");
    assert.equal(shQuote("/home/u/exp-1/a.config"), "/home/u/exp-1/a.config");
  });

  test("single-quotes anything with shell meaning", () => {
    assert.equal(shQuote("a b"), "'a b'");
    assert.equal(shQuote("$(id)"), "'$(id)'");
    assert.equal(shQuote("~"), "'~'");
    assert.equal(shQuote(""), "''");
  });

  test("writes a single quote as '\\''", () => {
    assert.equal(shQuote("it's"), "'it'\\''s'");
  });

  test("refuses NUL, which no shell argument can hold", () => {
    assert.throws(() => shQuote("a\0b"), /NUL/);
  });

  test("every hostile string survives a real sh byte for byte", () => {
    assert.deepEqual(roundTrip(HOSTILE), HOSTILE);
  });

  test("each hostile string stays one argument on its own", () => {
    for (const value of HOSTILE) assert.deepEqual(roundTrip([value]), [value]);
  });
});

describe("shJoin", () => {
  test("joins quoted arguments with spaces", () => {
    assert.equal(shJoin(["sbatch", "--job-name", "my exp", "run.sh"]), "sbatch --job-name 'my exp' run.sh");
  });

  test("an empty list is an empty command", () => {
    assert.equal(shJoin([]), "");
  });
});
