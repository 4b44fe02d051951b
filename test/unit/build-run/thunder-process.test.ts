import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import {
  commandLineForLog,
  lastErrorLine,
  runThunderProcess,
} from "../../../extension/build-run/thunder-process";
import { buildArgs } from "../../../extension/thunder-cli/command-lines";
import { recognizeThunderError } from "../../../extension/thunder-cli/thunder-errors";

const standIn = path.join(__dirname, "..", "..", "stand-in", "thunder");
const work = mkdtempSync(path.join(os.tmpdir(), "thunder-process-"));
after(() => rmSync(work, { recursive: true, force: true }));

const HOSTILE_VALUES = [
  "'a b'",
  "$(touch pwned)",
  "a`id`",
  "x; rm -rf /",
  "a && b",
  "line\nbreak",
  "ünïcødé ⚡",
  '"q"',
];

describe("runThunderProcess with the stand-in thunder", () => {
  it("passes every argument byte for byte, hostile ones included", async () => {
    const config = path.join(work, "my $(cfg) `x`.config");
    writeFileSync(config, "name = 'a'\n");
    const log = path.join(work, "argv.jsonl");
    const experiment = path.join(work, "exp; && dir");
    const overrides = HOSTILE_VALUES.map((value) => `name=${value}`);
    const args = buildArgs({ config, experiment, overrides });
    const outcome = await runThunderProcess({
      executable: standIn,
      args,
      cwd: work,
      env: { ...process.env, THUNDER_STANDIN_LOG: log },
    });
    assert.equal(outcome.exitCode, 0, outcome.output);
    const recorded = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).argv);
    assert.deepEqual(recorded, [args]);
    assert.ok(!readFileSync(path.join(experiment, "experiment.config"), "utf8").includes("pwned\n"));
  });

  it("collects thunder's error so it can be recognised", async () => {
    const config = path.join(work, "plain.config");
    writeFileSync(config, "lr = 0.1\n");
    const outcome = await runThunderProcess({
      executable: standIn,
      args: buildArgs({ config, experiment: path.join(work, "e2"), overrides: ["missing=1"] }),
      cwd: work,
    });
    assert.equal(outcome.exitCode, 1);
    assert.equal(recognizeThunderError(outcome.output)?.kind, "missing-names");
  });

  it("reports a program that cannot start instead of throwing", async () => {
    const outcome = await runThunderProcess({
      executable: path.join(work, "no-such-thunder"),
      args: ["build"],
      cwd: work,
    });
    assert.equal(outcome.exitCode, null);
    assert.match(outcome.startError ?? "", /ENOENT/);
  });
});

describe("commandLineForLog and lastErrorLine", () => {
  it("quotes what a shell would split or expand", () => {
    assert.equal(
      commandLineForLog({
        executable: "/bin/thunder",
        args: ["build", "a b.config", "-u", "x=$(y)"],
        cwd: "/",
      }),
      "/bin/thunder build 'a b.config' -u 'x=$(y)'",
    );
  });
  it("takes the last meaningful line of the output", () => {
    assert.equal(lastErrorLine("Traceback\n  File x\nValueError: bad\nAborted!\n\n"), "ValueError: bad");
    assert.equal(lastErrorLine(""), undefined);
  });
});
