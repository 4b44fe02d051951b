import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  configEntryValues,
  describeOverrides,
  groupSweepRuns,
  runOverrides,
} from "../../../extension/sweeps/sweep-runs";

const SOURCE = [
  "from .base import *",
  "import torch",
  "from thunder.placeholders import ExpName, GroupName",
  "",
  "# optimisation",
  "lr = 1e-3  # learning rate",
  "batch_size = 32",
  'optimizer = "adam"',
  "model = Net(",
  "    width=64,  # wide",
  "    depth=2,",
  ")",
  "note = '''multi",
  "line = not an entry'''",
  "a = b = 7",
  "pair, other = 1, 2",
  "",
  "@decorate",
  "def schedule(step):",
  "    scale = 0.5",
  "    return lr * scale",
  "",
  "trainer = Trainer(max_epochs=10, logger=WandbLogger(name=ExpName, group=GroupName))",
  "",
].join("\n");

/** What a sweep run's built config could look like: re-rendered by lazycon, two values changed. */
function built(runId: string, lr: string, batchSize: string): string {
  return [
    "import torch",
    `ExpName = '${runId}'`,
    `GroupName = '${runId}'`,
    `lr = ${lr}`,
    `batch_size = ${batchSize}`,
    "optimizer = 'adam'",
    "model = Net(width=64, depth=2)",
    "note = 'multi\\nline = not an entry'",
    "a = b = 7",
    "@decorate",
    "def schedule(step):",
    "    scale = 0.5",
    "    return lr * scale",
    "trainer = Trainer(max_epochs=10, logger=WandbLogger(name=ExpName, group=GroupName))",
    "inherited = 5",
  ].join("\r\n");
}

describe("configEntryValues", () => {
  test("top-level assignments and functions with their value text; imports and tuple targets left out", () => {
    const values = configEntryValues(SOURCE);
    assert.deepEqual(
      [...values.keys()],
      ["lr", "batch_size", "optimizer", "model", "note", "a", "b", "schedule", "trainer"],
    );
    assert.equal(values.get("lr"), "1e-3  # learning rate");
    assert.equal(values.get("model"), "Net(\n    width=64,  # wide\n    depth=2,\n)");
    assert.equal(values.get("note"), "'''multi\nline = not an entry'''");
    assert.equal(values.get("a"), "7");
    assert.equal(values.get("b"), "7");
    assert.equal(
      values.get("schedule"),
      "@decorate\ndef schedule(step):\n    scale = 0.5\n    return lr * scale",
    );
  });
});

describe("runOverrides", () => {
  test("only the entries the sweep changed, however lazycon spells the rest", () => {
    assert.deepEqual(runOverrides(SOURCE, built("k3j2h1ab", "0.0005", "64")), [
      { name: "lr", sourceValue: "1e-3  # learning rate", builtValue: "0.0005" },
      { name: "batch_size", sourceValue: "32", builtValue: "64" },
    ]);
  });

  test("a run that kept the source values has no overrides (1e-3 written as 0.001 is the same value)", () => {
    assert.deepEqual(runOverrides(SOURCE, built("k3j2h1ab", "0.001", "32")), []);
  });

  test("ExpName and GroupName, set to the run folder by thunder build, are never overrides", () => {
    assert.deepEqual(
      runOverrides("ExpName = None\nGroupName = None\nx = 1\n", built("k3j2h1ab", "1", "2")),
      [],
    );
  });

  test("entries from ConfigEntry data (parents resolved) are compared too", () => {
    const entries = [
      { name: "inherited", value: "4", kind: "assignment" as const },
      { name: "torch", value: "import torch", kind: "import" as const },
      { name: "lr", value: "0.001" },
    ];
    assert.deepEqual(runOverrides(entries, built("zz", "0.001", "32")), [
      { name: "inherited", sourceValue: "4", builtValue: "5" },
    ]);
  });
});

describe("groupSweepRuns", () => {
  test("runs under the sweep root, each with its overrides; other folders apart", () => {
    const group = groupSweepRuns({
      root: "sweeps/abc123",
      source: SOURCE,
      runs: [
        { folderName: "k3j2h1ab", configText: built("k3j2h1ab", "0.0005", "64") },
        { folderName: "notes & plots", configText: "" },
        { folderName: "p9q8r7st", configText: built("p9q8r7st", "1e-3", "16") },
      ],
    });
    assert.equal(group.root, "sweeps/abc123");
    assert.deepEqual(group.otherFolders, ["notes & plots"]);
    assert.deepEqual(
      group.runs.map((run) => [run.runId, describeOverrides(run.overrides)]),
      [
        ["k3j2h1ab", "lr=0.0005, batch_size=64"],
        ["p9q8r7st", "batch_size=16"],
      ],
    );
  });

  test("descriptions stay one short line", () => {
    assert.equal(describeOverrides([]), "no changes from the config");
    const long = describeOverrides(
      [{ name: "model", sourceValue: "Net()", builtValue: `Net(\n  ${"w=1, ".repeat(40)})` }],
      40,
    );
    assert.equal(long.length, 40);
    assert.ok(!long.includes("\n"));
  });
});
