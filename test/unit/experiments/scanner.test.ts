import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { describeExperiment, runKey } from "../../../extension/experiments/experiment-status";
import { ExperimentScanner } from "../../../extension/experiments/scanner";

let root = "";

async function write(relative: string, content = "", mtime?: number): Promise<string> {
  const file = path.join(root, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  if (mtime !== undefined) await fs.utimes(file, mtime, mtime);
  return file;
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-experiments-"));
  await write("single/experiment.config");
  await write("single/checkpoints/epoch=1.ckpt", "", 1_000);
  await write("single/lightning_logs/version_0/checkpoints/last.ckpt", "", 2_000);
  await write("single/a/b/c/d/e/too-deep.ckpt", "", 9_000);
  await write("group/never run $(x)/experiment.config");
  await write("group/kfold/experiment.config");
  await write("group/kfold/nodes.json", JSON.stringify([{ name: "0" }, { name: "1" }, { name: "2" }]));
  for (const fold of [0, 1, 2]) await write(`group/kfold/fold_${fold}/experiment.config`);
  await write("group/kfold/fold_1/checkpoints/last.ckpt", "", 3_000);
  await write("group/kfold/fold_2/checkpoints/last.ckpt", "", 4_000);
  await write("group/folds-only/experiment.config");
  await write("group/folds-only/fold_0/experiment.config");
  await write("group/folds-only/fold_10/experiment.config");
  await write("group/folds-only/fold_2/experiment.config");
  await write("group/broken-nodes/experiment.config");
  await write("group/broken-nodes/nodes.json", "{not json");
  await write("group/named/experiment.config");
  await write("group/named/nodes.json", JSON.stringify([{ name: "train" }, { name: "valid" }]));
  await write("group/named/fold_1/experiment.config");
  await write("node_modules/pkg/experiment.config");
  await write(".hidden/exp/experiment.config");
  await write("archive/old/experiment.config");
  await write("deep/1/2/3/exp/experiment.config");
  await write("not-an-experiment/config.yml");
  await write("other-root-is-file.txt");
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe("ExperimentScanner", () => {
  it("finds experiments, skipping hidden folders, node_modules and excluded globs", async () => {
    const found = await new ExperimentScanner({ roots: [root], exclude: ["archive"] }).scanAll();
    const relative = [...found.keys()].map((folder) => path.relative(root, folder)).sort();
    assert.deepEqual(relative, [
      "deep/1/2/3/exp",
      "group/broken-nodes",
      "group/folds-only",
      "group/kfold",
      "group/named",
      "group/never run $(x)",
      "single",
    ]);
    const withoutExclude = await new ExperimentScanner({ roots: [root] }).scanAll();
    assert.ok(withoutExclude.has(path.join(root, "archive/old")));
  });

  it("honours the depth limit", async () => {
    const found = await new ExperimentScanner({ roots: [root], maxDepth: 3 }).scanAll();
    assert.ok(!found.has(path.join(root, "deep/1/2/3/exp")));
    assert.ok(found.has(path.join(root, "group/kfold")));
  });

  it("reads the newest checkpoint of a single experiment within the depth bound", async () => {
    const found = await new ExperimentScanner({ roots: [root], checkpointDepth: 4 }).scanAll();
    const single = found.get(path.join(root, "single"))!;
    assert.deepEqual(single.nodes, []);
    assert.deepEqual(single.newestCheckpoint, {
      path: path.join(root, "single/lightning_logs/version_0/checkpoints/last.ckpt"),
      mtimeMs: 2_000_000,
    });
    const deeper = await new ExperimentScanner({ roots: [root], checkpointDepth: 6 }).scanAll();
    assert.equal(deeper.get(path.join(root, "single"))!.newestCheckpoint?.mtimeMs, 9_000_000);
    assert.equal(found.get(path.join(root, "group/never run $(x)"))!.newestCheckpoint, undefined);
  });

  it("reads nodes from nodes.json and fold folders", async () => {
    const found = await new ExperimentScanner({ roots: [root] }).scanAll();
    const kfold = found.get(path.join(root, "group/kfold"))!;
    assert.deepEqual(
      kfold.nodes.map((node) => [
        node.name,
        path.basename(node.folder),
        node.built,
        node.newestCheckpoint?.mtimeMs,
      ]),
      [
        ["0", "fold_0", true, undefined],
        ["1", "fold_1", true, 3_000_000],
        ["2", "fold_2", true, 4_000_000],
      ],
    );
    assert.equal(kfold.newestCheckpoint?.mtimeMs, 4_000_000);
    const foldsOnly = found.get(path.join(root, "group/folds-only"))!;
    assert.deepEqual(
      foldsOnly.nodes.map((node) => node.name),
      ["0", "2", "10"],
    );
    const named = found.get(path.join(root, "group/named"))!;
    assert.deepEqual(
      named.nodes.map((node) => [node.name, path.basename(node.folder), node.built]),
      [
        ["train", "fold_0", false],
        ["valid", "fold_1", true],
      ],
    );
    const broken = found.get(path.join(root, "group/broken-nodes"))!;
    assert.match(broken.problems[0], /nodes.json could not be read/);
    assert.deepEqual(broken.nodes, []);
  });

  it("scans several roots and ignores missing ones", async () => {
    const found = await new ExperimentScanner({
      roots: [path.join(root, "group"), path.join(root, "single"), path.join(root, "missing")],
    }).scanAll();
    assert.equal(found.size, 6);
    assert.equal(found.get(path.join(root, "single"))?.root, path.join(root, "single"));
  });
});

describe("describeExperiment", () => {
  it("derives running / checkpoints / not run and the source config", async () => {
    const found = await new ExperimentScanner({ roots: [root] }).scanAll();
    const kfold = found.get(path.join(root, "group/kfold"))!;
    const idle = describeExperiment(kfold, { running: new Set(), builds: {} });
    assert.equal(idle.state, "has-checkpoints");
    assert.deepEqual(
      idle.nodes.map((node) => node.state),
      ["not-run", "has-checkpoints", "has-checkpoints"],
    );
    assert.equal(idle.sourceConfig, undefined);

    const oneNode = describeExperiment(kfold, {
      running: new Set([runKey(kfold.folder, "0")]),
      builds: { [kfold.folder]: { config: "/src/base.config" } },
    });
    assert.equal(oneNode.state, "running");
    assert.deepEqual(
      oneNode.nodes.map((node) => node.state),
      ["running", "has-checkpoints", "has-checkpoints"],
    );
    assert.equal(oneNode.sourceConfig, "/src/base.config");

    const whole = describeExperiment(kfold, { running: new Set([runKey(`${kfold.folder}/`)]), builds: {} });
    assert.ok(whole.nodes.every((node) => node.state === "running"));

    const never = describeExperiment(found.get(path.join(root, "group/never run $(x)"))!, {
      running: new Set(),
      builds: {},
    });
    assert.equal(never.state, "not-run");
  });
});
