import assert from "node:assert/strict";
import * as os from "node:os";
import { describe, test } from "node:test";
import { expandHome, LocalRunner } from "../../../extension/jobs/command-runner";

describe("LocalRunner", () => {
  const runner = new LocalRunner();

  test("arguments are passed as they are, no shell; exit code and both streams come back", async () => {
    const result = await runner.exec([
      "sh",
      "-c",
      'printf "%s|" "$@"; echo err >&2; exit 3',
      "sh",
      "a b",
      "$(x)",
      "'q'",
    ]);
    assert.equal(result.stdout, "a b|$(x)|'q'|");
    assert.equal(result.stderr, "err\n");
    assert.equal(result.exitCode, 3);
  });

  test("~ is the home folder; a missing program is exit code 127 with the reason", async () => {
    const home = await runner.exec(["pwd"], { cwd: "~" });
    assert.equal(home.stdout.trim(), os.homedir());
    const missing = await runner.exec(["no-such-program-thunder-test"]);
    assert.equal(missing.exitCode, 127);
    assert.match(missing.stderr, /ENOENT/);
  });

  test("setup lines are refused locally", async () => {
    await assert.rejects(runner.exec(["true"], { setupLines: ["module load x"] }), /only apply to clusters/);
  });

  test("expandHome", () => {
    assert.equal(expandHome("~/a/b", "/h"), "/h/a/b");
    assert.equal(expandHome("~", "/h"), "/h");
    assert.equal(expandHome("/x/~", "/h"), "/x/~");
  });
});
