import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JobEntry } from "../../../extension/jobs/jobs-model";
import { parseSacct } from "../../../extension/slurm/sacct";
import {
  endedFromDeparture,
  followQueue,
  MAX_FOLLOWED_JOBS,
} from "../../../extension/views/experiments-departures";
import {
  addEnded,
  ExperimentJobs,
  experimentSlurmState,
  type JobsKnowledge,
} from "../../../extension/views/experiments-jobs";
import { finishedTasks, NOW, queueEntries, squeueLine, submission } from "./slurm-fixtures";

/** Followed like the Experiments view follows them: not ours, named like a known experiment. */
const experimentNames = new Set(["by-hand", "folds"]);
const follow = (entry: JobEntry) => !entry.ours && !entry.finished && experimentNames.has(entry.name);

function knowledgeOf(lines: string[], extra: Partial<JobsKnowledge["clusters"][number]> = {}): JobsKnowledge {
  const submissions = [submission("/w/exps/ours", "90", 5)];
  return {
    submissions,
    clusters: [{ cluster: "hpc", entries: queueEntries("hpc", lines, submissions), finished: [], ...extra }],
  };
}

const byHandRunning = squeueLine({ jobId: "10", state: "RUNNING", name: "by-hand", elapsed: "3:00" });

describe("following jobs linked only by name", () => {
  test("a job seen in the queue and gone at the next answer has departed; the rest is not followed", () => {
    const first = followQueue(
      {},
      knowledgeOf([
        byHandRunning,
        squeueLine({ jobId: "11", state: "RUNNING", name: "unrelated" }),
        squeueLine({ jobId: "90", state: "RUNNING", name: "by-hand" }),
      ]),
      follow,
      NOW,
    );
    assert.deepEqual(first.departed, []);
    assert.deepEqual(
      Object.keys(first.sightings),
      ["hpc/10"],
      "ours (90) and unrelated names are not followed",
    );
    const same = followQueue(first.sightings, knowledgeOf([byHandRunning]), follow, NOW + 60_000);
    assert.equal(same.sightings, first.sightings, "unchanged: the same object, nothing to store");
    const gone = followQueue(first.sightings, knowledgeOf([]), follow, NOW + 120_000);
    assert.deepEqual(
      gone.departed.map((sighting) => [sighting.jobId, sighting.tasks]),
      [["10", { "": "RUNNING" }]],
    );
    assert.deepEqual(gone.sightings, {});
  });

  test("no departure while its cluster does not answer, nor for jobs the Jobs service saw end itself", () => {
    const { sightings } = followQueue({}, knowledgeOf([byHandRunning]), follow, NOW);
    const silent = followQueue(sightings, { submissions: [], clusters: [] }, follow, NOW);
    assert.deepEqual(silent.departed, []);
    assert.equal(silent.sightings, sightings);
    const reported = followQueue(
      sightings,
      knowledgeOf([], { finished: finishedTasks("hpc", "10", "by-hand", { "1": "COMPLETED" }) }),
      follow,
      NOW,
    );
    assert.deepEqual(reported.departed, []);
  });

  test("array tasks that leave early are kept with their last state until the whole array departs", () => {
    const start = followQueue(
      {},
      knowledgeOf([
        squeueLine({ jobId: "21", arrayJobId: "20", task: "1", state: "RUNNING", name: "folds" }),
        squeueLine({
          jobId: "20",
          arrayJobId: "20",
          task: "2-3",
          state: "PENDING",
          reason: "Priority",
          name: "folds",
        }),
      ]),
      follow,
      NOW,
    );
    const later = followQueue(
      start.sightings,
      knowledgeOf([
        squeueLine({ jobId: "23", arrayJobId: "20", task: "3", state: "RUNNING", name: "folds" }),
      ]),
      follow,
      NOW + 60_000,
    );
    assert.deepEqual(later.departed, []);
    assert.deepEqual(later.sightings["hpc/20"]?.tasks, { "1": "RUNNING", "2": "PENDING", "3": "RUNNING" });
    const done = followQueue(later.sightings, knowledgeOf([]), follow, NOW + 120_000);
    assert.equal(done.departed.length, 1);
    const ended = endedFromDeparture(done.departed[0]!, [], NOW);
    assert.deepEqual(ended.states, ["ENDED", "ENDED", "ENDED"]);
    assert.deepEqual(ended.taskIds, ["1", "2", "3"]);
    assert.equal(ended.lastSeen, "2 RUNNING, 1 PENDING");
  });

  test("at most MAX_FOLLOWED_JOBS are followed, the ones seen first dropped first", () => {
    const queue = (count: number) =>
      Array.from({ length: count }, (_, index) =>
        squeueLine({ jobId: String(1000 + index + 1), state: "RUNNING", name: "by-hand" }),
      );
    const early = followQueue({}, knowledgeOf(queue(3)), follow, NOW).sightings;
    const { sightings } = followQueue(early, knowledgeOf(queue(MAX_FOLLOWED_JOBS + 3)), follow, NOW + 1);
    assert.equal(Object.keys(sightings).length, MAX_FOLLOWED_JOBS);
    assert.equal(sightings["hpc/1003"], undefined);
    assert.ok(sightings["hpc/1004"]);
    assert.ok(sightings[`hpc/${1000 + MAX_FOLLOWED_JOBS + 3}`]);
  });
});

describe("the end of a job linked by name", () => {
  test("with Slurm's final records the row and the folds show them, and survive a reload", () => {
    const start = followQueue(
      {},
      knowledgeOf([
        squeueLine({
          jobId: "30",
          arrayJobId: "30",
          task: "1-3",
          state: "PENDING",
          reason: "Priority",
          name: "folds",
        }),
      ]),
      follow,
      NOW,
    );
    const { departed } = followQueue(start.sightings, knowledgeOf([]), follow, NOW);
    const sacct = parseSacct(
      [
        "30_1|COMPLETED|0:0|00:01:00",
        "30_2|FAILED|1:0|00:00:10",
        "30_3|CANCELLED by 1000|0:15|00:00:00",
      ].join("\n"),
    ).map((record) => ({
      taskId: record.jobId.split("_")[1],
      state: record.state,
      exitCode: record.exitCode,
    }));
    const ended = addEnded({}, [endedFromDeparture(departed[0]!, sacct, NOW - 3 * 60_000)]);
    const reloaded = JSON.parse(JSON.stringify(ended));
    const nothingQueued: JobsKnowledge = { submissions: [], clusters: [] };
    const state = experimentSlurmState("/w/exps/folds", nothingQueued, reloaded, NOW);
    assert.equal(state?.phase, "failed");
    assert.equal(state?.description, "1 completed, 1 failed, 1 cancelled 3 min ago");
    assert.ok(state?.tooltip.includes('Linked by its job name "folds"'));
    const folds = new ExperimentJobs(nothingQueued, reloaded).foldStatesOf(
      "/w/exps/folds",
      ["0", "1", "2"],
      NOW,
    );
    assert.deepEqual(
      [...folds].map(([fold, fs]) => `${fold}: ${fs.description}`),
      ["0: completed 3 min ago", "1: failed 3 min ago", "2: cancelled 3 min ago"],
    );
  });

  test("when Slurm forgot the job, the row says it ended and what it was doing when last seen", () => {
    const { sightings } = followQueue({}, knowledgeOf([byHandRunning]), follow, NOW);
    const { departed } = followQueue(sightings, knowledgeOf([]), follow, NOW);
    const ended = addEnded(
      {},
      departed.map((sighting) => endedFromDeparture(sighting, [], NOW)),
    );
    const state = experimentSlurmState("/anywhere/by-hand", { submissions: [], clusters: [] }, ended, NOW);
    assert.equal(state?.phase, "ended");
    assert.equal(state?.description, "ended just now");
    assert.ok(
      state?.tooltip.includes("Slurm no longer knew its final state; the job was last seen RUNNING"),
      state?.tooltip.join("\n"),
    );
    assert.equal(
      addEnded(
        ended,
        departed.map((sighting) => endedFromDeparture(sighting, [], NOW + 1)),
      ),
      ended,
    );
  });
});
