import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { toJobEntry } from "../../../extension/jobs/jobs-model";
import { parseSqueue, SQUEUE_FIELD_SEPARATOR } from "../../../extension/slurm/squeue";
import { type Submission, SubmissionLog } from "../../../extension/slurm/submissions";
import { sweepArraySubmission } from "../../../extension/sweep-commands/cluster-agents";
import { planArrayJob } from "../../../extension/sweeps/agent-plan";

describe("an array job of sweep agents is recorded as a submission", () => {
  test("from sbatch --parsable's answer, linked to the sweep's local root", () => {
    assert.deepEqual(sweepArraySubmission("hpc", "/home/me/proj/sweeps/abc123", "4711\n"), {
      experiment: "/home/me/proj/sweeps/abc123",
      cluster: "hpc",
      backend: "cli (sweep agents)",
      jobId: "4711",
    });
    // A federated cluster answers `ID;CLUSTER`.
    assert.equal(sweepArraySubmission("hpc", "/r", "4712;fed1\n")?.jobId, "4712");
    assert.equal(
      sweepArraySubmission("hpc", "/r", "sbatch: error: Batch job submission failed\n"),
      undefined,
    );
  });

  test("the record survives a reload and links the array's tasks in the Jobs view", () => {
    const planned = planArrayJob({
      sweepPath: "team/mnist/abc123",
      configPath: "/scratch/me/proj/train.config",
      root: "/scratch/me/proj/sweeps/abc123",
      thunder: "thunder",
      agents: 2,
      remoteFolder: "/scratch/me/proj",
      setupLines: [],
      slurm: { cpu: 2 },
      scriptPath: ".thunder-sweeps/abc123-array.sh",
    });
    assert.ok(planned.ok, planned.ok ? "" : planned.message);
    const jobName = planned.plan.sbatchArgv[planned.plan.sbatchArgv.indexOf("--job-name") + 1]!;
    const recorded = sweepArraySubmission("hpc", "/home/me/proj/sweeps/abc123", "900\n");
    assert.ok(recorded);
    const log = new SubmissionLog();
    log.add(recorded);
    // Stored as workspaceState stores it: JSON.
    const { log: reloaded, problems } = SubmissionLog.fromJSON(JSON.parse(JSON.stringify(log.toJSON())));
    assert.deepEqual(problems, []);
    const squeue = ["1", "2"]
      .map((task) =>
        [
          `90${task}`,
          `900_${task}`,
          "900",
          task,
          "RUNNING",
          "None",
          "0:10",
          "1:00:00",
          "debug",
          "n1",
          "2",
          "1G",
          "N/A",
          jobName,
        ].join(SQUEUE_FIELD_SEPARATOR),
      )
      .join("\n");
    const entries = parseSqueue(squeue).map((job) =>
      toJobEntry("hpc", job, reloaded.all as Submission[], () => undefined),
    );
    assert.equal(entries.length, 2);
    for (const entry of entries) {
      assert.equal(entry.ours, true);
      assert.equal(entry.experiment, "/home/me/proj/sweeps/abc123");
      assert.equal(entry.name, jobName);
    }
  });
});
