import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeExperiment } from "../../../extension/experiments/experiment-status";
import type { JobEntry } from "../../../extension/jobs/jobs-model";
import {
  type EndedJobs,
  experimentSlurmState,
  type JobsKnowledge,
  MAX_REMEMBERED_ENDS,
  rememberEnded,
  timeAgo,
} from "../../../extension/views/experiments-jobs";
import { squeueLine as line, NOW, queueEntries, submission } from "./slurm-fixtures";

/** A job seen ending, shaped as the Jobs service records it (one entry per task). */
function finishedEntries(
  cluster: string,
  jobId: string,
  name: string,
  states: string[],
  experiment?: string,
) {
  return states.map(
    (state, index): JobEntry => ({
      cluster,
      displayId: states.length > 1 ? `${jobId}_${index + 1}` : jobId,
      jobId,
      arrayTaskId: states.length > 1 ? String(index + 1) : undefined,
      name,
      state,
      reason: undefined,
      reasonText: undefined,
      stuck: false,
      elapsed: undefined,
      timeLimit: undefined,
      partition: undefined,
      nodes: undefined,
      resources: undefined,
      experiment,
      ours: experiment !== undefined,
      finished: true,
    }),
  );
}

describe("experimentSlurmState from the queue", () => {
  const submissions = [submission("/w/exps/exp-a", "10", 5), submission("/w/exps/folds", "20", 4)];
  const knowledge: JobsKnowledge = {
    submissions,
    clusters: [
      {
        cluster: "hpc",
        entries: queueEntries(
          "hpc",
          [
            line({ jobId: "10", state: "PENDING", reason: "Priority", name: "exp-a" }),
            line({ jobId: "21", arrayJobId: "20", task: "1", state: "RUNNING", name: "folds" }),
            line({ jobId: "22", arrayJobId: "20", task: "2", state: "RUNNING", name: "folds" }),
            line({
              jobId: "20",
              arrayJobId: "20",
              task: "3",
              state: "PENDING",
              reason: "JobArrayTaskLimit",
              name: "folds",
            }),
            line({ jobId: "30", state: "RUNNING", name: "by-hand", elapsed: "2:03:04" }),
          ],
          submissions,
        ),
        finished: [],
      },
    ],
  };

  test("a pending job shows its reason; the tooltip names the cluster and the job id", () => {
    const state = experimentSlurmState("/w/exps/exp-a", knowledge, {}, NOW);
    assert.ok(state);
    assert.equal(state.phase, "pending");
    assert.equal(state.description, "pending (Priority)");
    assert.equal(state.tooltip[0], 'Slurm job 10 on cluster "hpc"');
    assert.ok(
      state.tooltip.some((text) => text.startsWith("Pending: Priority — ")),
      state.tooltip.join("\n"),
    );
    assert.ok(state.tooltip.some((text) => text.includes("with backend gpu")));
  });

  test("an array job (folds) is summarised by task states", () => {
    const state = experimentSlurmState("/w/exps/folds", knowledge, {}, NOW);
    assert.ok(state);
    assert.equal(state.phase, "running");
    assert.equal(state.jobId, "20");
    assert.equal(state.description, "2 running, 1 pending");
    assert.equal(state.tooltip[0], 'Slurm array job 20 (3 tasks) on cluster "hpc"');
    assert.ok(
      state.tooltip.some((text) => text.startsWith("Task 3: Pending: JobArrayTaskLimit — ")),
      state.tooltip.join("\n"),
    );
    assert.ok(state.tooltip.includes("Task 1: Running for 1:05 on n1"), state.tooltip.join("\n"));
  });

  test("a job not submitted from VS Code is linked by its name, the experiment folder's name", () => {
    const state = experimentSlurmState("/elsewhere/by-hand", knowledge, {}, NOW);
    assert.ok(state);
    assert.equal(state.description, "running 2:03:04");
    assert.ok(state.tooltip.includes('Linked by its job name "by-hand"'));
  });

  test("a job linked to another experiment folder of the same name is not this one's", () => {
    assert.equal(experimentSlurmState("/other/exp-a", knowledge, {}, NOW), undefined);
    assert.equal(experimentSlurmState("/w/exps/unknown", knowledge, {}, NOW), undefined);
  });
});

describe("experimentSlurmState after jobs end", () => {
  test("the final state and when it was seen, remembered across refreshes", () => {
    const submissions = [submission("/w/exps/exp-a", "10", 90), submission("/w/exps/folds", "20", 80)];
    const knowledge: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: [],
          finished: [
            ...finishedEntries("hpc", "10", "exp-a", ["COMPLETED"], "/w/exps/exp-a"),
            ...finishedEntries(
              "hpc",
              "20",
              "folds",
              ["COMPLETED", "FAILED", "CANCELLED by 0"],
              "/w/exps/folds",
            ),
          ],
        },
      ],
    };
    const ended = rememberEnded({}, knowledge, NOW - 5 * 60_000);
    assert.equal(Object.keys(ended).length, 2);
    assert.equal(rememberEnded(ended, knowledge, NOW), ended, "nothing new: the same object");
    const single = experimentSlurmState("/w/exps/exp-a", knowledge, ended, NOW);
    assert.ok(single);
    assert.equal(single.phase, "completed");
    assert.equal(single.description, "completed 5 min ago");
    const folds = experimentSlurmState("/w/exps/folds", knowledge, ended, NOW);
    assert.ok(folds);
    assert.equal(folds.phase, "failed");
    assert.equal(folds.description, "1 completed, 1 failed, 1 cancelled 5 min ago");
    // After a reload the Jobs service knows no finished jobs; the remembered ends still tell.
    const reloaded: JobsKnowledge = { submissions, clusters: [] };
    assert.deepEqual(experimentSlurmState("/w/exps/exp-a", reloaded, ended, NOW), single);
  });

  test("timeout and cancelled are told apart", () => {
    const knowledge: JobsKnowledge = {
      submissions: [],
      clusters: [
        {
          cluster: "hpc",
          entries: [],
          finished: [
            ...finishedEntries("hpc", "7", "slow", ["TIMEOUT"]),
            ...finishedEntries("hpc", "8", "stopped", ["CANCELLED by 1000"]),
          ],
        },
      ],
    };
    const ended = rememberEnded({}, knowledge, NOW);
    assert.equal(experimentSlurmState("/w/slow", knowledge, ended, NOW)?.phase, "timeout");
    assert.equal(experimentSlurmState("/w/slow", knowledge, ended, NOW)?.description, "timeout just now");
    assert.equal(experimentSlurmState("/w/stopped", knowledge, ended, NOW)?.phase, "cancelled");
  });

  test("a newer submission not yet seen by squeue shows as submitted; a queued job beats an ended one", () => {
    const old = finishedEntries("hpc", "10", "exp-a", ["COMPLETED"], "/w/exps/exp-a");
    const ended = rememberEnded(
      {},
      { submissions: [], clusters: [{ cluster: "hpc", entries: [], finished: old }] },
      NOW,
    );
    const submissions = [submission("/w/exps/exp-a", "10", 60), submission("/w/exps/exp-a", "11", 1)];
    const waiting = experimentSlurmState("/w/exps/exp-a", { submissions, clusters: [] }, ended, NOW);
    assert.equal(waiting?.phase, "submitted");
    assert.equal(waiting?.description, "job 11 submitted 1 min ago");
    const queued: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries("hpc", [line({ jobId: "11", state: "RUNNING", name: "exp-a" })], submissions),
          finished: old,
        },
      ],
    };
    assert.equal(experimentSlurmState("/w/exps/exp-a", queued, ended, NOW)?.description, "running 1:05");
  });

  test("only the newest ends are remembered", () => {
    let ended: EndedJobs = {};
    for (let id = 1; id <= MAX_REMEMBERED_ENDS + 5; id++) {
      const finished = finishedEntries("hpc", String(id), `e${id}`, ["COMPLETED"]);
      ended = rememberEnded(
        ended,
        { submissions: [], clusters: [{ cluster: "hpc", entries: [], finished }] },
        id,
      );
    }
    assert.equal(Object.keys(ended).length, MAX_REMEMBERED_ENDS);
    assert.equal(ended["hpc/1"], undefined);
    assert.ok(ended[`hpc/${MAX_REMEMBERED_ENDS + 5}`]);
  });
});

describe("the experiment's view", () => {
  test("describeExperiment carries the Slurm state of its folder", () => {
    const scanned = { root: "/w/exps", folder: "/w/exps/exp-a", name: "exp-a", nodes: [], problems: [] };
    const knowledge: JobsKnowledge = {
      submissions: [],
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries("hpc", [line({ jobId: "5", state: "RUNNING", name: "exp-a" })], []),
          finished: [],
        },
      ],
    };
    const view = describeExperiment(scanned, {
      running: new Set(),
      builds: {},
      slurm: (folder) => experimentSlurmState(folder, knowledge, {}, NOW),
    });
    assert.equal(view.state, "not-run");
    assert.equal(view.slurm?.description, "running 1:05");
    assert.equal(describeExperiment(scanned, { running: new Set(), builds: {} }).slurm, undefined);
  });

  test("timeAgo", () => {
    assert.equal(timeAgo(NOW - 10_000, NOW), "just now");
    assert.equal(timeAgo(NOW - 3 * 3_600_000, NOW), "3 h ago");
    assert.equal(timeAgo(Date.parse("2026-11-01T00:00:00Z"), NOW), "2026-11-01");
  });
});
