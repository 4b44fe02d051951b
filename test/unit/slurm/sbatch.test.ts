import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  classifySbatchRejection,
  parseParsableSubmission,
  parseSubmittedJobIds,
} from "../../../extension/slurm/sbatch";
import { scancelArgs } from "../../../extension/slurm/scancel";

describe("sbatch output", () => {
  test("Submitted batch job N, also inside thunder's output", () => {
    assert.deepEqual(parseSubmittedJobIds("Submitted batch job 42\n"), ["42"]);
    assert.deepEqual(parseSubmittedJobIds("building...\nSubmitted batch job 7\nSubmitted batch job 8\n"), [
      "7",
      "8",
    ]);
    assert.deepEqual(parseSubmittedJobIds("Submitted batch job\n"), []);
  });

  test("--parsable: ID or ID;cluster", () => {
    assert.deepEqual(parseParsableSubmission("123\n"), { jobId: "123", cluster: undefined });
    assert.deepEqual(parseParsableSubmission("124;cluster2\n"), { jobId: "124", cluster: "cluster2" });
    assert.equal(parseParsableSubmission("sbatch: error: x\n"), undefined);
  });
});

describe("sbatch rejections (messages as Slurm 22.05 prints them)", () => {
  const cases: [string, string, RegExp][] = [
    ["gres", "sbatch: error: Invalid generic resource (gres) specification\n", /`gpu` option/],
    [
      "memory",
      "sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available\n",
      /`ram` option/,
    ],
    [
      "partition",
      "sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n",
      /`partition` option/,
    ],
    [
      "time",
      "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)\n",
      /`time` option/,
    ],
    ["time", "sbatch: error: Invalid --time specification\n", /`time` option/],
    [
      "other",
      "sbatch: error: Batch job submission failed: Something new\n",
      /Slurm refused the job: Batch job submission failed: Something new/,
    ],
  ];
  for (const [kind, output, message] of cases) {
    test(`${kind}: ${output.split("\n")[0]}`, () => {
      const rejection = classifySbatchRejection(output);
      assert.ok(rejection);
      assert.equal(rejection.kind, kind);
      assert.match(rejection.message, message);
      assert.ok(rejection.details.length >= 1);
      assert.ok(!rejection.details[0].startsWith("sbatch:"), "the sbatch prefix is stripped");
    });
  }

  test("success is no rejection", () => {
    assert.equal(classifySbatchRejection("Submitted batch job 5\n"), undefined);
  });
});

describe("scancel", () => {
  test("jobs and single array tasks, each one argument", () => {
    assert.deepEqual(scancelArgs(["12", "13_2"]), ["scancel", "12", "13_2"]);
  });

  test("anything else is refused", () => {
    assert.throws(() => scancelArgs([]), /No job/);
    assert.throws(() => scancelArgs(["12; rm -rf ~"]), /not a Slurm job id/);
    assert.throws(() => scancelArgs(["-u"]), /not a Slurm job id/);
  });
});
