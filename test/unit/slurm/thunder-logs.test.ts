import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  experimentOfLogFile,
  interpretLogListing,
  logFilePath,
  logFileSuffix,
  logListingCommand,
  pickLogFile,
  THUNDER_LOG_DIR,
} from "../../../extension/slurm/thunder-logs";
import { buildRemoteCommand } from "../../../extension/ssh/connection";

const LISTING = [
  "exp-2026-nov25-14-03-59.o12",
  "exp-2026-nov25-14-03-59.o123",
  "other-2026-nov25-09-00-00.o1123",
  "folds-2026-nov25-15-00-01.o130.0",
  "folds-2026-nov25-15-00-01.o130.1",
  "folds-2026-nov25-15-00-01.o130.10",
];

/** Runs the listing command in a real sh with HOME set to a fake home. */
function runListing(home: string, jobId: string, taskId?: string) {
  const { args, cwd } = logListingCommand(jobId, taskId);
  const result = spawnSync("sh", ["-c", buildRemoteCommand(args, { cwd })], {
    encoding: "utf8",
    env: { ...process.env, HOME: home },
  });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status };
}

describe("thunder's Slurm log files", () => {
  test("suffixes for jobs and array tasks", () => {
    assert.equal(logFileSuffix("12"), ".o12");
    assert.equal(logFileSuffix("130", "1"), ".o130.1");
    assert.equal(logFilePath("a.o1"), `${THUNDER_LOG_DIR}/a.o1`);
  });

  test("picks exactly the job's file, not a longer id or another task", () => {
    assert.equal(pickLogFile(LISTING, { jobId: "12" }), "exp-2026-nov25-14-03-59.o12");
    assert.equal(pickLogFile(LISTING, { jobId: "123" }), "exp-2026-nov25-14-03-59.o123");
    assert.equal(
      pickLogFile(LISTING, { jobId: "130", arrayTaskId: "1" }),
      "folds-2026-nov25-15-00-01.o130.1",
    );
    assert.equal(pickLogFile(LISTING, { jobId: "130" }), undefined, "an array job has only task logs");
    assert.equal(pickLogFile(LISTING, { jobId: "99" }), undefined);
  });

  test("the experiment name breaks ties between reused job ids", () => {
    const names = ["a-2026-nov25-14-03-59.o5", "b-2026-nov26-10-00-00.o5"];
    assert.equal(pickLogFile(names, { jobId: "5", experimentName: "a" }), "a-2026-nov25-14-03-59.o5");
    assert.equal(pickLogFile(names, { jobId: "5", experimentName: "b" }), "b-2026-nov26-10-00-00.o5");
  });

  test("experiment name from a log file name", () => {
    assert.equal(experimentOfLogFile("my-exp-2026-nov25-14-03-59.o12"), "my-exp");
    assert.equal(experimentOfLogFile("folds-2026-dec1-01-02-03.o130.4"), "folds");
    assert.equal(experimentOfLogFile("slurm-12.out"), undefined);
  });

  test("the listing command finds the files in a real folder; a missing folder is empty", () => {
    const home = mkdtempSync(join(tmpdir(), "thunder-home-"));
    try {
      assert.deepEqual(interpretLogListing(runListing(home, "12")), []);
      const logs = join(home, ".cache/thunder/slurm/logs");
      mkdirSync(logs, { recursive: true });
      for (const name of LISTING) writeFileSync(join(logs, name), "log\n");
      assert.deepEqual(interpretLogListing(runListing(home, "12")), ["exp-2026-nov25-14-03-59.o12"]);
      assert.deepEqual(interpretLogListing(runListing(home, "130", "1")), [
        "folds-2026-nov25-15-00-01.o130.1",
      ]);
      assert.deepEqual(interpretLogListing(runListing(home, "777")), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("other listing failures are errors", () => {
    assert.throws(
      () => interpretLogListing({ stdout: "", stderr: "find: Permission denied", exitCode: 1 }),
      /Permission denied/,
    );
  });
});
