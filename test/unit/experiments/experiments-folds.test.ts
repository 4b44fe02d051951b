import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { describeExperiment } from "../../../extension/experiments/experiment-status";
import {
  ExperimentJobs,
  experimentSlurmState,
  foldsOfTasks,
  type JobsKnowledge,
  rememberEnded,
} from "../../../extension/views/experiments-jobs";
import { finishedTasks, NOW, queueEntries, squeueLine, submission } from "./slurm-fixtures";

const FOLDS = "/w/exps/folds";
const THREE = ["0", "1", "2"];

describe("which fold each array task runs", () => {
  test("task i runs the i-th node sorted by name, in Python's order (so fold 10 comes before fold 2)", () => {
    const nodes = Array.from({ length: 12 }, (_, index) => String(index));
    const python = spawnSync(
      "python3",
      ["-c", "import json,sys; print(json.dumps(sorted(json.load(sys.stdin))))"],
      {
        input: JSON.stringify([...nodes, "b", "B", "ä", "a-1"]),
        encoding: "utf8",
      },
    );
    assert.equal(python.status, 0, python.stderr);
    const sorted: string[] = JSON.parse(python.stdout);
    const folds = foldsOfTasks([...nodes, "b", "B", "ä", "a-1"]);
    assert.deepEqual([...folds.values()], sorted);
    assert.deepEqual(
      [...folds.keys()],
      sorted.map((_, index) => String(index + 1)),
    );
    assert.equal(foldsOfTasks(nodes).get("3"), "10");
  });

  test("with --names only the picked folds are in the array, sorted; unknown picks keep their place", () => {
    assert.deepEqual(
      [...foldsOfTasks(["0", "1", "2", "3"], ["3", "1"])],
      [
        ["1", "1"],
        ["2", "3"],
      ],
    );
    // Task 2 ran a node that is not in the experiment any more (rebuilt since): no fold row gets it.
    assert.deepEqual([...foldsOfTasks(["0", "1"], ["1", "7"])], [["1", "1"]]);
    assert.deepEqual(
      [...foldsOfTasks(THREE, [])],
      [
        ["1", "0"],
        ["2", "1"],
        ["3", "2"],
      ],
    );
  });
});

describe("fold rows of an experiment whose array job is queued", () => {
  test("each fold gets its task's state; folds not picked with --names get none", () => {
    const submissions = [submission(FOLDS, "20", 3, { names: ["2", "0"] })];
    const knowledge: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries(
            "hpc",
            [
              squeueLine({
                jobId: "21",
                arrayJobId: "20",
                task: "1",
                state: "RUNNING",
                name: "folds",
                elapsed: "12:00",
              }),
              squeueLine({
                jobId: "20",
                arrayJobId: "20",
                task: "2",
                state: "PENDING",
                reason: "JobArrayTaskLimit",
                name: "folds",
              }),
            ],
            submissions,
          ),
          finished: [],
        },
      ],
    };
    const folds = new ExperimentJobs(knowledge, {}).foldStatesOf(FOLDS, THREE, NOW);
    assert.deepEqual([...folds.keys()].sort(), ["0", "2"]);
    const running = folds.get("0")!;
    assert.equal(running.phase, "running");
    assert.equal(running.description, "running 12:00");
    assert.equal(running.taskId, "1");
    assert.equal(running.tooltip[0], 'Slurm array job 20, task 1, on cluster "hpc"');
    assert.ok(running.tooltip.includes("Running for 12:00 on n1"), running.tooltip.join("\n"));
    const waiting = folds.get("2")!;
    assert.equal(waiting.phase, "pending");
    assert.equal(waiting.description, "pending (JobArrayTaskLimit)");
    assert.equal(waiting.taskId, "2");
    assert.ok(waiting.tooltip.some((line) => line.startsWith("Pending: JobArrayTaskLimit — ")));
    // The experiment's own row still summarises the whole array.
    assert.equal(experimentSlurmState(FOLDS, knowledge, {}, NOW)?.description, "1 running, 1 pending");
  });

  test("a task that left the queue while others run shows as ended; a pending remainder is split per fold", () => {
    const submissions = [submission(FOLDS, "30", 3)];
    const knowledge: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries(
            "hpc",
            [
              squeueLine({
                jobId: "30",
                arrayJobId: "30",
                task: "2-3%1",
                state: "PENDING",
                reason: "JobArrayTaskLimit",
                name: "folds",
              }),
            ],
            submissions,
          ),
          finished: [],
        },
      ],
    };
    const folds = new ExperimentJobs(knowledge, {}).foldStatesOf(FOLDS, THREE, NOW);
    assert.equal(folds.get("0")?.phase, "ended");
    assert.equal(folds.get("0")?.description, "ended");
    assert.ok(folds.get("0")?.tooltip.some((line) => line.startsWith("Left the queue")));
    assert.equal(folds.get("1")?.description, "pending (JobArrayTaskLimit)");
    assert.equal(folds.get("2")?.taskId, "3");
  });

  test("a job linked by name maps its tasks to all folds, and says so; tasks beyond the folds map to none", () => {
    const fits: JobsKnowledge = {
      submissions: [],
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries(
            "hpc",
            [
              squeueLine({ jobId: "41", arrayJobId: "40", task: "1", state: "RUNNING", name: "folds" }),
              squeueLine({ jobId: "42", arrayJobId: "40", task: "3", state: "RUNNING", name: "folds" }),
            ],
            [],
          ),
          finished: [],
        },
      ],
    };
    const folds = new ExperimentJobs(fits, {}).foldStatesOf(FOLDS, THREE, NOW);
    assert.equal(folds.get("2")?.description, "running 1:05");
    assert.ok(
      folds
        .get("2")
        ?.tooltip.includes(
          'Linked by its job name "folds"; task 3 runs this fold if every fold was submitted',
        ),
    );
    const tooMany: JobsKnowledge = {
      submissions: [],
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries(
            "hpc",
            [
              squeueLine({
                jobId: "43",
                arrayJobId: "43",
                task: "1-4",
                state: "PENDING",
                reason: "Priority",
                name: "folds",
              }),
            ],
            [],
          ),
          finished: [],
        },
      ],
    };
    assert.equal(new ExperimentJobs(tooMany, {}).foldStatesOf(FOLDS, THREE, NOW).size, 0);
    // A plain job of the same name runs no particular fold.
    const plain: JobsKnowledge = {
      submissions: [],
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries("hpc", [squeueLine({ jobId: "44", state: "RUNNING", name: "folds" })], []),
          finished: [],
        },
      ],
    };
    assert.equal(new ExperimentJobs(plain, {}).foldStatesOf(FOLDS, THREE, NOW).size, 0);
  });

  test("a submission squeue has not seen yet shows on the folds it runs", () => {
    const knowledge: JobsKnowledge = {
      submissions: [submission(FOLDS, "50", 2, { names: ["1"] })],
      clusters: [],
    };
    const folds = new ExperimentJobs(knowledge, {}).foldStatesOf(FOLDS, THREE, NOW);
    assert.deepEqual([...folds.keys()], ["1"]);
    assert.equal(folds.get("1")?.phase, "submitted");
    assert.equal(folds.get("1")?.description, "job 50 submitted 2 min ago");
    assert.equal(folds.get("1")?.taskId, "1");
  });
});

describe("fold rows after the array job ended", () => {
  test("each fold shows its task's final state and when the end was seen, also after a reload", () => {
    const submissions = [submission(FOLDS, "60", 90, { names: ["1", "2"] })];
    const knowledge: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: [],
          finished: finishedTasks("hpc", "60", "folds", { "1": "COMPLETED", "2": "FAILED" }, FOLDS),
        },
      ],
    };
    const ended = rememberEnded({}, knowledge, NOW - 5 * 60_000);
    const stored = JSON.parse(JSON.stringify(ended));
    const reloaded = new ExperimentJobs({ submissions, clusters: [] }, stored);
    const folds = reloaded.foldStatesOf(FOLDS, THREE, NOW);
    assert.equal(folds.get("0"), undefined);
    assert.equal(folds.get("1")?.phase, "completed");
    assert.equal(folds.get("1")?.description, "completed 5 min ago");
    assert.equal(folds.get("2")?.phase, "failed");
    assert.equal(folds.get("2")?.description, "failed 5 min ago");
    assert.equal(folds.get("2")?.tooltip[0], 'Slurm array job 60, task 2, on cluster "hpc"');
  });

  test("tasks cancelled before they started, which sacct reports as one record, each get the state", () => {
    const knowledge: JobsKnowledge = {
      submissions: [submission(FOLDS, "65", 30)],
      clusters: [
        {
          cluster: "hpc",
          entries: [],
          finished: finishedTasks("hpc", "65", "folds", { "1": "COMPLETED", "[2-3%1]": "CANCELLED" }, FOLDS),
        },
      ],
    };
    const ended = rememberEnded({}, knowledge, NOW);
    const folds = new ExperimentJobs(knowledge, ended).foldStatesOf(FOLDS, THREE, NOW);
    assert.deepEqual(
      [...folds].map(([fold, state]) => `${fold}: ${state.description} (task ${state.taskId})`),
      ["0: completed just now (task 1)", "1: cancelled just now (task 2)", "2: cancelled just now (task 3)"],
    );
  });

  test("ends remembered before task ids were recorded give no fold states; an unknown end is not a failure", () => {
    const old = {
      "hpc/70": {
        cluster: "hpc",
        jobId: "70",
        name: "folds",
        experiment: FOLDS,
        states: ["COMPLETED", "COMPLETED", "COMPLETED"],
        endedAt: NOW,
      },
    };
    assert.equal(
      new ExperimentJobs({ submissions: [], clusters: [] }, old).foldStatesOf(FOLDS, THREE, NOW).size,
      0,
    );
    assert.equal(
      experimentSlurmState(FOLDS, { submissions: [], clusters: [] }, old, NOW)?.phase,
      "completed",
    );
    const unknown = rememberEnded(
      {},
      {
        submissions: [],
        clusters: [
          {
            cluster: "hpc",
            entries: [],
            finished: [
              { ...finishedTasks("hpc", "71", "folds", { "1": "ENDED" }, FOLDS)[0]!, arrayTaskId: undefined },
            ],
          },
        ],
      },
      NOW,
    );
    const state = experimentSlurmState(FOLDS, { submissions: [], clusters: [] }, unknown, NOW);
    assert.equal(state?.phase, "ended");
    assert.equal(state?.description, "ended just now");
    const folds = new ExperimentJobs({ submissions: [], clusters: [] }, unknown).foldStatesOf(
      FOLDS,
      THREE,
      NOW,
    );
    assert.deepEqual(
      [...folds.values()].map((fold) => fold.phase),
      ["ended", "ended", "ended"],
    );
  });
});

describe("describeExperiment", () => {
  test("puts each fold's Slurm state on its node", () => {
    const scanned = {
      root: "/w/exps",
      folder: FOLDS,
      name: "folds",
      nodes: THREE.map((name) => ({ name, folder: `${FOLDS}/fold_${name}`, built: true })),
      problems: [],
    };
    const submissions = [submission(FOLDS, "80", 1)];
    const knowledge: JobsKnowledge = {
      submissions,
      clusters: [
        {
          cluster: "hpc",
          entries: queueEntries(
            "hpc",
            [squeueLine({ jobId: "81", arrayJobId: "80", task: "2", state: "RUNNING", name: "folds" })],
            submissions,
          ),
          finished: [],
        },
      ],
    };
    const jobs = new ExperimentJobs(knowledge, {});
    const view = describeExperiment(scanned, {
      running: new Set(),
      builds: {},
      slurm: (folder) => jobs.stateOf(folder, NOW),
      slurmFolds: (folder, names) => jobs.foldStatesOf(folder, names, NOW),
    });
    assert.deepEqual(
      view.nodes.map((node) => node.slurm?.description),
      ["ended", "running 1:05", "ended"],
    );
    assert.equal(describeExperiment(scanned, { running: new Set(), builds: {} }).nodes[1]?.slurm, undefined);
  });
});
