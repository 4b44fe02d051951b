import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  arrayIconState,
  countStates,
  departedArrayTasks,
  describeEntry,
  endedJobs,
  groupJobs,
  hasWaitingOwnJobs,
  logTextAfterFailedRead,
  stateIcon,
  summarizeFinal,
  summarizeStates,
  toJobEntry,
} from "../../../extension/jobs/jobs-model";
import { parseSqueue, SQUEUE_FIELD_SEPARATOR } from "../../../extension/slurm/squeue";
import type { Submission } from "../../../extension/slurm/submissions";

/** One squeue line in the fixed format of squeueArgs(). */
function line(fields: {
  jobId: string;
  display?: string;
  arrayJobId?: string;
  task?: string;
  state: string;
  reason?: string;
  name: string;
  nodes?: string;
}): string {
  return [
    fields.jobId,
    fields.display ?? fields.jobId,
    fields.arrayJobId ?? fields.jobId,
    fields.task ?? "N/A",
    fields.state,
    fields.reason ?? "None",
    fields.state === "RUNNING" ? "1:05" : "0:00",
    "5:00",
    "debug",
    fields.nodes ?? "",
    "4",
    "1G",
    "N/A",
    fields.name,
  ].join(SQUEUE_FIELD_SEPARATOR);
}

const queue = parseSqueue(
  [
    line({ jobId: "10", state: "RUNNING", name: "exp-a", nodes: "n1" }),
    line({
      jobId: "21",
      display: "20_1",
      arrayJobId: "20",
      task: "1",
      state: "RUNNING",
      name: "folds",
      nodes: "n1",
    }),
    line({
      jobId: "20",
      display: "20_[2-3%1]",
      arrayJobId: "20",
      task: "2-3%1",
      state: "PENDING",
      reason: "JobArrayTaskLimit",
      name: "folds",
    }),
    line({ jobId: "30", state: "PENDING", reason: "PartitionConfig", name: "too-big" }),
    line({ jobId: "40", state: "PENDING", reason: "Priority", name: "someone-elses" }),
  ].join("\n"),
);

const submissions: Submission[] = [
  {
    experiment: "/w/exps/exp-a",
    cluster: "hpc",
    backend: "gpu",
    jobId: "10",
    submittedAt: "2026-11-25T13:00:00Z",
  },
  {
    experiment: "/w/exps/folds",
    cluster: "hpc",
    backend: "gpu",
    jobId: "20",
    submittedAt: "2026-11-25T13:01:00Z",
  },
  {
    experiment: "/w/exps/too-big",
    cluster: "hpc",
    backend: "gpu",
    jobId: "30",
    submittedAt: "2026-11-25T13:02:00Z",
  },
  {
    experiment: "/w/exps/exp-a",
    cluster: "other",
    backend: "gpu",
    jobId: "40",
    submittedAt: "2026-11-25T13:03:00Z",
  },
];

const known = new Map([["someone-elses", "/w/exps/someone-elses"]]);
const entries = queue.map((job) => toJobEntry("hpc", job, submissions, (name) => known.get(name)));

describe("toJobEntry", () => {
  test("our jobs are linked by id and cluster; others by the experiment folder name", () => {
    const byId = new Map(entries.map((entry) => [entry.displayId, entry]));
    assert.equal(byId.get("10")?.ours, true);
    assert.equal(byId.get("10")?.experiment, "/w/exps/exp-a");
    assert.equal(byId.get("20_3")?.experiment, "/w/exps/folds");
    assert.equal(byId.get("20_3")?.jobId, "20", "array tasks are cancelled/looked up by the array id");
    assert.equal(byId.get("40")?.ours, false, "the same id on another cluster is not ours");
    assert.equal(byId.get("40")?.experiment, "/w/exps/someone-elses");
  });

  test("pending reasons are explained; PartitionConfig is stuck", () => {
    const stuck = entries.find((entry) => entry.displayId === "30")!;
    assert.equal(stuck.reason, "PartitionConfig");
    assert.equal(stuck.stuck, true);
    assert.match(stuck.reasonText!, /never start/);
    const running = entries.find((entry) => entry.displayId === "10")!;
    assert.equal(running.reason, undefined);
    assert.equal(running.resources, "4 CPU, 1G");
    assert.equal(describeEntry(running), "10 · RUNNING · 1:05 / 5:00 · on n1");
    assert.equal(describeEntry(stuck), "30 · PENDING · (PartitionConfig)");
  });
});

describe("groupJobs", () => {
  test("array tasks under their array, newest job first", () => {
    const items = groupJobs("hpc", entries);
    assert.deepEqual(
      items.map((item) => (item.kind === "job" ? item.job.displayId : `array ${item.arrayJobId}`)),
      ["40", "30", "array 20", "10"],
    );
    const array = items.find((item) => item.kind === "array");
    assert.ok(array?.kind === "array");
    assert.deepEqual(
      array.tasks.map((task) => task.arrayTaskId),
      ["1", "2", "3"],
    );
    assert.equal(array.state, "1 RUNNING, 2 PENDING");
  });

  test("finished jobs come after the queued ones", () => {
    const finished = { ...entries[0], displayId: "99", jobId: "99", finished: true, state: "COMPLETED" };
    const items = groupJobs("hpc", [finished, ...entries]);
    const last = items.at(-1);
    assert.ok(last?.kind === "job" && last.job.displayId === "99");
  });
});

describe("polling decisions", () => {
  test("an array task that left the queue while its array goes on is looked up once", () => {
    // Task 1 was cancelled; task 2 now runs, task 3 waits; job 10 ended as a whole.
    const next = parseSqueue(
      [
        line({ jobId: "22", display: "20_2", arrayJobId: "20", task: "2", state: "RUNNING", name: "folds" }),
        line({
          jobId: "20",
          display: "20_[3%1]",
          arrayJobId: "20",
          task: "3%1",
          state: "PENDING",
          reason: "JobArrayTaskLimit",
          name: "folds",
        }),
        line({ jobId: "30", state: "PENDING", reason: "PartitionConfig", name: "too-big" }),
        line({ jobId: "40", state: "PENDING", reason: "Priority", name: "someone-elses" }),
      ].join("\n"),
    ).map((job) => toJobEntry("hpc", job, submissions, (name) => known.get(name)));
    const departed = departedArrayTasks(entries, next, []);
    assert.deepEqual(
      departed.map((entry) => entry.displayId),
      ["20_1"],
    );
    // Known already (looked up in an earlier refresh): not again.
    assert.deepEqual(departedArrayTasks(entries, next, [{ ...departed[0], finished: true }]), []);
    // The whole array gone: its end is the job's end, not a task's.
    assert.deepEqual(
      departedArrayTasks(
        entries,
        next.filter((entry) => entry.jobId !== "20"),
        [],
      ),
      [],
    );
  });

  test("a job ended when neither it nor any of its tasks is in the queue", () => {
    assert.deepEqual(endedJobs(["10", "20", "55"], queue), ["55"]);
  });

  test("only our own jobs waiting to start (and not stuck) speed polling up", () => {
    assert.equal(hasWaitingOwnJobs(entries), true, "the array's pending tasks are ours");
    const withoutArray = entries.filter((entry) => entry.jobId !== "20");
    assert.equal(
      hasWaitingOwnJobs(withoutArray),
      false,
      "stuck PartitionConfig and others' jobs do not count",
    );
  });
});

describe("states", () => {
  test("icons by state", () => {
    assert.equal(stateIcon("PENDING").icon, "clock");
    assert.equal(stateIcon("RUNNING").icon, "sync~spin");
    assert.equal(stateIcon("COMPLETED").icon, "pass");
    assert.equal(stateIcon("CANCELLED by 0").icon, "circle-slash");
    assert.equal(stateIcon("OUT_OF_MEMORY").icon, "error");
    assert.equal(stateIcon("WEIRD").icon, "question");
  });

  test("summaries", () => {
    assert.equal(summarizeStates(["COMPLETED", "COMPLETED"]), "COMPLETED");
    assert.equal(summarizeStates(["FAILED", "COMPLETED", "COMPLETED"]), "2 COMPLETED, 1 FAILED");
    assert.deepEqual(summarizeFinal([{ taskId: undefined, state: "COMPLETED", exitCode: "0:0" }]), {
      state: "COMPLETED",
      failed: false,
    });
    assert.deepEqual(summarizeFinal([{ taskId: undefined, state: "FAILED", exitCode: "1:0" }]), {
      state: "FAILED (exit code 1:0)",
      failed: true,
    });
    assert.equal(summarizeFinal([]).failed, false);
  });
});

describe("array rows", () => {
  test("the description always counts the tasks per state", () => {
    assert.equal(countStates(["COMPLETED", "COMPLETED", "COMPLETED"]), "3 COMPLETED");
    assert.equal(countStates(["PENDING", "RUNNING", "PENDING"]), "1 RUNNING, 2 PENDING");
    assert.equal(countStates(["CANCELLED", "COMPLETED", "COMPLETED"]), "2 COMPLETED, 1 CANCELLED");
    assert.equal(countStates([]), "no tasks");
  });

  test("the icon shows the most telling state, not the first task's", () => {
    assert.equal(arrayIconState(["PENDING", "RUNNING", "PENDING"]), "RUNNING");
    assert.equal(arrayIconState(["COMPLETED", "COMPLETED", "FAILED"]), "FAILED");
    assert.equal(arrayIconState(["COMPLETED", "OUT_OF_MEMORY"]), "OUT_OF_MEMORY");
    assert.equal(arrayIconState(["CANCELLED by 0", "COMPLETED"]), "CANCELLED");
    assert.equal(arrayIconState(["COMPLETED", "PENDING"]), "PENDING");
    assert.equal(arrayIconState(["COMPLETED", "COMPLETED"]), "COMPLETED");
    assert.equal(arrayIconState(["WEIRD"]), "WEIRD");
  });
});

describe("a followed log whose re-read failed", () => {
  const problem = 'Reading the log of job 7 on cluster "hpc" failed: the connection was lost.';

  test("keeps the lines read last and says why they are not updating", () => {
    const text = logTextAfterFailedRead("Epoch 0\nEpoch 1\n", problem);
    assert.ok(text.startsWith("Epoch 0\nEpoch 1\n\n[Thunder] Reading the log of job 7"), text);
    assert.match(text, /last ones read; they update again once the cluster answers/);
  });

  test("a log without a final newline still gets the note on lines of its own", () => {
    const text = logTextAfterFailedRead("Epoch 0", problem);
    assert.ok(text.startsWith("Epoch 0\n\n[Thunder] "), text);
  });

  test("nothing read yet: the problem alone", () => {
    assert.equal(logTextAfterFailedRead(undefined, problem), problem);
    assert.equal(logTextAfterFailedRead("", problem), problem);
  });
});
