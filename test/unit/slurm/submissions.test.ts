import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_SUBMISSIONS, SubmissionLog } from "../../../extension/slurm/submissions";

const base = { experiment: "/home/u/exps/a", cluster: "hpc", backend: "gpu_short" };

describe("SubmissionLog", () => {
  test("records, finds and recognises array tasks as ours", () => {
    const log = new SubmissionLog();
    const record = log.add({ ...base, jobId: "100", submittedAt: new Date("2026-11-25T14:00:00Z") });
    assert.equal(record.submittedAt, "2026-11-25T14:00:00.000Z");
    assert.equal(log.find("hpc", "100"), record);
    assert.equal(log.find("other", "100"), undefined);
    assert.ok(log.isOurs("hpc", { jobId: "103", arrayJobId: "100" }));
    assert.ok(!log.isOurs("hpc", { jobId: "101" }));
    assert.deepEqual(log.forExperiment("/home/u/exps/a"), [record]);
  });

  test("round-trips through JSON", () => {
    const log = new SubmissionLog();
    log.add({ ...base, jobId: "1" });
    log.add({ ...base, cluster: "other", jobId: "2" });
    const stored = JSON.parse(JSON.stringify(log));
    const { log: restored, problems } = SubmissionLog.fromJSON(stored);
    assert.deepEqual(problems, []);
    assert.deepEqual(restored.all, log.all);
    assert.deepEqual(
      restored.forCluster("other").map((item) => item.jobId),
      ["2"],
    );
  });

  test("damaged entries are skipped and reported, the rest kept", () => {
    const { log, problems } = SubmissionLog.fromJSON({
      version: 1,
      submissions: [
        { ...base, jobId: "1", submittedAt: "2026-11-25T14:00:00.000Z" },
        { ...base, jobId: "x; rm", submittedAt: "2026-11-25T14:00:00.000Z" },
        { ...base, jobId: "3" },
        null,
      ],
    });
    assert.deepEqual(
      log.all.map((item) => item.jobId),
      ["1"],
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0], /#2/);
  });

  test("unreadable or missing data gives an empty log", () => {
    assert.deepEqual(SubmissionLog.fromJSON(undefined).problems, []);
    const broken = SubmissionLog.fromJSON("garbage");
    assert.equal(broken.log.all.length, 0);
    assert.match(broken.problems[0], /unreadable/);
  });

  test("a reused job id replaces the older record; removal", () => {
    const log = new SubmissionLog();
    log.add({ ...base, jobId: "5" });
    log.add({ ...base, experiment: "/b", jobId: "5" });
    assert.equal(log.all.length, 1);
    assert.equal(log.find("hpc", "5")?.experiment, "/b");
    assert.ok(log.remove("hpc", "5"));
    assert.ok(!log.remove("hpc", "5"));
  });

  test("job ids are validated and the log is capped", () => {
    const log = new SubmissionLog();
    assert.throws(() => log.add({ ...base, jobId: "abc" }), /not a Slurm job id/);
    for (let i = 0; i < MAX_SUBMISSIONS + 5; i++) log.add({ ...base, jobId: String(i) });
    assert.equal(log.all.length, MAX_SUBMISSIONS);
    assert.equal(log.all[0].jobId, "5", "the oldest went first");
  });

  test("the folds picked with --names are kept (copied); all folds or none record nothing", () => {
    const log = new SubmissionLog();
    const picked = ["2", "0"];
    const record = log.add({ ...base, jobId: "7", names: picked });
    picked.push("1");
    assert.deepEqual(record.names, ["2", "0"]);
    assert.equal("names" in log.add({ ...base, jobId: "8", names: [] }), false);
    assert.equal("names" in log.add({ ...base, jobId: "9" }), false);
    const { log: restored, problems } = SubmissionLog.fromJSON(JSON.parse(JSON.stringify(log)));
    assert.deepEqual(problems, []);
    assert.deepEqual(restored.all, log.all);
  });

  test("records from before --names was recorded stay readable; a damaged fold list loses only itself", () => {
    const at = "2026-11-25T14:00:00.000Z";
    const { log, problems } = SubmissionLog.fromJSON({
      version: 1,
      submissions: [
        { ...base, jobId: "1", submittedAt: at },
        { ...base, jobId: "2", submittedAt: at, names: "0,1" },
        { ...base, jobId: "3", submittedAt: at, names: ["0", 1] },
        { ...base, jobId: "4", submittedAt: at, names: ["1"] },
      ],
    });
    assert.deepEqual(
      log.all.map((item) => [item.jobId, item.names]),
      [
        ["1", undefined],
        ["2", undefined],
        ["3", undefined],
        ["4", ["1"]],
      ],
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /#2 has an unreadable list of folds/);
  });
});
