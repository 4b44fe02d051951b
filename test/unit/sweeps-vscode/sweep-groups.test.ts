import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { groupBySweep, type SweepLaunches, withSweepLaunch } from "../../../extension/views/sweep-groups";

describe("sweep runs grouped for the Experiments view", () => {
  const launches: SweepLaunches = withSweepLaunch({}, "/ws/sweeps/abc123", {
    sweepPath: "team/mnist/abc123",
    config: "/ws/single.config",
  });

  test("runs under a recorded root are grouped under that sweep, with its config; other folders stay", () => {
    const folders = [
      "/ws/experiments/baseline",
      "/ws/sweeps/abc123/r2b",
      "/ws/sweeps/abc123/r1a",
      "/ws/sweeps/abc123/Manual-Copy",
    ];
    assert.deepEqual(groupBySweep(folders, launches), {
      sweeps: [
        {
          root: "/ws/sweeps/abc123",
          sweepPath: "team/mnist/abc123",
          config: "/ws/single.config",
          runs: ["/ws/sweeps/abc123/r1a", "/ws/sweeps/abc123/r2b"],
        },
      ],
      others: ["/ws/experiments/baseline", "/ws/sweeps/abc123/Manual-Copy"],
    });
  });

  test("without a record, a folder of two or more W&B-style run ids is recognised as a sweep", () => {
    const grouping = groupBySweep(
      ["/ws/old/x7k2m9qa", "/ws/old/p0z8b3cd", "/ws/exps/run1", "/ws/exps/baseline", "/ws/one/a1b2c3d4"],
      {},
    );
    assert.deepEqual(grouping.sweeps, [
      {
        root: "/ws/old",
        sweepPath: undefined,
        config: undefined,
        runs: ["/ws/old/p0z8b3cd", "/ws/old/x7k2m9qa"],
      },
    ]);
    // Ordinary names next to an id-like one, or a single id-like folder, are not a sweep.
    assert.deepEqual(grouping.others, ["/ws/exps/run1", "/ws/exps/baseline", "/ws/one/a1b2c3d4"]);
  });

  test("a later launch into the same root replaces the earlier record; paths are made absolute", () => {
    const again = withSweepLaunch(launches, "/ws/sweeps/abc123/", {
      sweepPath: "mnist/zzz9",
      config: "/ws/b.config",
    });
    assert.deepEqual(Object.keys(again), ["/ws/sweeps/abc123"]);
    assert.equal(again["/ws/sweeps/abc123"]?.sweepPath, "mnist/zzz9");
    const relative = withSweepLaunch({}, "runs", { sweepPath: "p/s1", config: "a.config" });
    for (const [root, record] of Object.entries(relative)) {
      assert.ok(root.startsWith("/") && root.endsWith("/runs"), root);
      assert.ok(record?.config.startsWith("/"), record?.config);
    }
  });
});
