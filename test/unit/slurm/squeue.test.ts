import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { shJoin } from "../../../extension/remote/posix-quote";
import { parseSlurmDuration } from "../../../extension/slurm/duration";
import {
  expandArrayTaskIds,
  isWaitingState,
  parseSqueue,
  SQUEUE_FIELD_SEPARATOR,
  squeueArgs,
} from "../../../extension/slurm/squeue";

const S = SQUEUE_FIELD_SEPARATOR;
/** Lines as Slurm 22.05 printed them for `squeueArgs()` (an array job with %1 limit, a stuck job). */
const OUTPUT = [
  [
    "4",
    "4_2",
    "4",
    "2",
    "PENDING",
    "JobArrayTaskLimit",
    "0:00",
    "UNLIMITED",
    "debug",
    "",
    "1",
    "256M",
    "N/A",
    "exp-a",
  ],
  [
    "5",
    "5",
    "5",
    "N/A",
    "PENDING",
    "PartitionConfig",
    "0:00",
    "1-00:00:00",
    "debug",
    "",
    "64",
    "256M",
    "N/A",
    "wrap",
  ],
  [
    "6",
    "4_1",
    "4",
    "1",
    "RUNNING",
    "None",
    "1:02:03",
    "2:00:00",
    "gpu",
    "node[1-2]",
    "8",
    "100G",
    "gres:gpu:2",
    "exp-a",
  ],
]
  .map((fields) => fields.join(S))
  .join("\n");

describe("squeue", () => {
  test("one invocation: only our jobs, one line per array task, fixed format", () => {
    const args = squeueArgs();
    assert.deepEqual(args.slice(0, 5), ["squeue", "--me", "--array", "--noheader", "--format"]);
    assert.equal(args[5].split(S).length, 14);
    assert.ok(args[5].endsWith("%j"), "the free-text name comes last");
  });

  test("the separator survives quoting through a real sh", () => {
    const result = spawnSync("sh", ["-c", `printf '%s' ${shJoin([squeueArgs()[5]])}`], { encoding: "utf8" });
    assert.equal(result.stdout, squeueArgs()[5]);
  });

  test("parses every field", () => {
    const jobs = parseSqueue(OUTPUT + "\n");
    assert.equal(jobs.length, 3);
    assert.deepEqual(jobs[0], {
      jobId: "4",
      displayId: "4_2",
      arrayJobId: "4",
      arrayTaskId: "2",
      name: "exp-a",
      state: "PENDING",
      reason: "JobArrayTaskLimit",
      elapsed: "0:00",
      elapsedSeconds: 0,
      timeLimit: "UNLIMITED",
      timeLimitSeconds: undefined,
      partition: "debug",
      nodes: undefined,
      cpus: 1,
      memory: "256M",
      gres: undefined,
    });
    assert.equal(jobs[1].arrayJobId, undefined, "a plain job is no array");
    assert.equal(jobs[1].arrayTaskId, undefined);
    assert.equal(jobs[1].timeLimitSeconds, 86_400);
    assert.equal(jobs[2].reason, undefined, "None means no reason");
    assert.equal(jobs[2].nodes, "node[1-2]");
    assert.equal(jobs[2].elapsedSeconds, 3723);
    assert.equal(jobs[2].gres, "gres:gpu:2");
    assert.equal(jobs[2].cpus, 8);
  });

  test("a job name containing the separator does not shift fields", () => {
    const line = [
      "9",
      "9",
      "9",
      "N/A",
      "RUNNING",
      "None",
      "0:01",
      "5:00",
      "debug",
      "n1",
      "1",
      "1G",
      "N/A",
      `odd${S}name`,
    ].join(S);
    const [job] = parseSqueue(line);
    assert.equal(job.name, `odd${S}name`);
    assert.equal(job.state, "RUNNING");
  });

  test("a pending remainder not yet split (`2%1`, `5-7,9%2`) becomes one entry per task", () => {
    assert.deepEqual(expandArrayTaskIds("2%1"), ["2"]);
    assert.deepEqual(expandArrayTaskIds("5-7,9%2"), ["5", "6", "7", "9"]);
    assert.deepEqual(expandArrayTaskIds("1-9:4"), ["1", "5", "9"]);
    assert.equal(expandArrayTaskIds("0-99999999").length, 10_000, "bounded");
    const line = [
      "20",
      "20_[5-6%1]",
      "20",
      "5-6%1",
      "PENDING",
      "JobArrayTaskLimit",
      "0:00",
      "UNLIMITED",
      "debug",
      "",
      "1",
      "256M",
      "N/A",
      "f",
    ];
    const tasks = parseSqueue(line.join(S));
    assert.deepEqual(
      tasks.map((task) => [task.displayId, task.arrayJobId, task.arrayTaskId, task.state]),
      [
        ["20_5", "20", "5", "PENDING"],
        ["20_6", "20", "6", "PENDING"],
      ],
    );
  });

  test("empty output and junk lines give no jobs", () => {
    assert.deepEqual(parseSqueue(""), []);
    assert.deepEqual(parseSqueue("squeue: error: Invalid user: x\n"), []);
  });

  test("waiting states", () => {
    assert.ok(isWaitingState("PENDING"));
    assert.ok(isWaitingState("CONFIGURING"));
    assert.ok(!isWaitingState("RUNNING"));
    assert.ok(!isWaitingState("COMPLETING"));
  });
});

describe("parseSlurmDuration", () => {
  const cases: [string, number | undefined][] = [
    ["0:00", 0],
    ["5:07", 307],
    ["1:02:03", 3723],
    ["2-00:00:00", 172_800],
    ["1-02", 93_600],
    ["1-02:30", 95_400],
    ["30", 1800],
    ["UNLIMITED", undefined],
    ["INVALID", undefined],
    ["N/A", undefined],
    ["", undefined],
  ];
  for (const [text, seconds] of cases) {
    test(JSON.stringify(text), () => assert.equal(parseSlurmDuration(text), seconds));
  }
});
