import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ExperimentIndex } from "../../../extension/experiments/experiment-index";

let root = "";

async function write(relative: string, content = ""): Promise<string> {
  const file = path.join(root, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

const at = (relative: string) => path.join(root, relative);
const relativeAll = (folders: string[]) => folders.map((folder) => path.relative(root, folder)).sort();

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-index-"));
  await write("a/experiment.config");
  await write("b/experiment.config");
  await write("group/c/experiment.config");
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function freshIndex(exclude: string[] = []): Promise<ExperimentIndex> {
  const index = new ExperimentIndex({ roots: [root], exclude });
  const change = await index.rescanAll();
  assert.deepEqual(relativeAll(change.added), ["a", "b", "group/c"]);
  return index;
}

describe("ExperimentIndex.applyEvents", () => {
  it("picks up a new checkpoint as an update of its experiment", async () => {
    const index = await freshIndex();
    const checkpoint = await write("a/checkpoints/last.ckpt");
    const change = await index.applyEvents([{ type: "created", path: checkpoint }]);
    assert.deepEqual(change, { added: [], updated: [at("a")], removed: [] });
    assert.equal(index.get(at("a"))?.newestCheckpoint?.path, checkpoint);
  });

  it("adds a new experiment from its experiment.config or from a created folder tree", async () => {
    const index = await freshIndex();
    const config = await write("new/one/experiment.config");
    await write("copied/x/experiment.config");
    await write("copied/y/experiment.config");
    const change = await index.applyEvents([
      { type: "created", path: config },
      { type: "created", path: at("copied") },
    ]);
    assert.deepEqual(relativeAll(change.added), ["copied/x", "copied/y", "new/one"]);
    assert.equal(index.size, 6);
  });

  it("removes experiments when their folder, a parent folder or their config is deleted", async () => {
    const index = await freshIndex();
    await fs.rm(at("group"), { recursive: true });
    await fs.rm(at("a/experiment.config"));
    const change = await index.applyEvents([
      { type: "deleted", path: at("group") },
      { type: "deleted", path: at("a/experiment.config") },
    ]);
    assert.deepEqual(relativeAll(change.removed), ["a", "group/c"]);
    assert.deepEqual(relativeAll(index.list().map((experiment) => experiment.folder)), ["b"]);
  });

  it("treats a new fold inside an experiment as an update, not a new experiment", async () => {
    const index = await freshIndex();
    await write("b/nodes.json", JSON.stringify([{ name: "0" }]));
    const foldConfig = await write("b/fold_0/experiment.config");
    const change = await index.applyEvents([
      { type: "created", path: at("b/nodes.json") },
      { type: "created", path: foldConfig },
    ]);
    assert.deepEqual(change, { added: [], updated: [at("b")], removed: [] });
    assert.deepEqual(
      index.get(at("b"))?.nodes.map((node) => node.name),
      ["0"],
    );
  });

  it("ignores events outside the roots, in hidden or excluded folders, and unchanged files", async () => {
    const index = await freshIndex(["skipme"]);
    await write("skipme/d/experiment.config");
    await write(".cache/e/experiment.config");
    const unrelated = await write("a/notes.txt");
    const change = await index.applyEvents([
      { type: "created", path: at("skipme/d/experiment.config") },
      { type: "created", path: at(".cache/e/experiment.config") },
      { type: "created", path: path.join(os.tmpdir(), "elsewhere", "experiment.config") },
      { type: "changed", path: unrelated },
    ]);
    assert.deepEqual(change, { added: [], updated: [], removed: [] });
    assert.equal(index.size, 3);
  });

  it("does not reach deeper through events than a full scan does", async () => {
    const index = new ExperimentIndex({ roots: [root], maxDepth: 2 });
    await index.rescanAll();
    const deep = await write("x/y/z/experiment.config");
    const shallow = await write("x/w/experiment.config");
    const change = await index.applyEvents([
      { type: "created", path: deep },
      { type: "created", path: shallow },
    ]);
    assert.deepEqual(relativeAll(change.added), ["x/w"]);
  });

  it("agrees with a full rescan after a mix of events", async () => {
    const index = await freshIndex();
    await write("group/c/checkpoints/x.ckpt");
    await write("group/n/experiment.config");
    await fs.rm(at("b"), { recursive: true });
    await index.applyEvents([
      { type: "created", path: at("group/c/checkpoints") },
      { type: "created", path: at("group/n") },
      { type: "deleted", path: at("b/experiment.config") },
      { type: "deleted", path: at("b") },
    ]);
    const full = new ExperimentIndex({ roots: [root] });
    await full.rescanAll();
    assert.deepEqual(index.list(), full.list());
  });
  it("applies batches in order: a slow older batch does not undo what a newer one found", async () => {
    const index = await freshIndex();
    await fs.mkdir(at("sweeps/r3c"), { recursive: true });
    // The older batch's scan sees r3c before its config exists and is held back for a while.
    const scanner = (index as unknown as { scanner: { scanSubtree(folder: string): Promise<unknown> } })
      .scanner;
    const scanSubtree = scanner.scanSubtree.bind(scanner);
    let calls = 0;
    scanner.scanSubtree = async (folder: string) => {
      const result = await scanSubtree(folder);
      if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      return result;
    };
    const older = index.applyEvents([{ type: "created", path: at("sweeps") }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const config = await write("sweeps/r3c/experiment.config");
    const newer = index.applyEvents([{ type: "created", path: config }]);
    await Promise.all([older, newer]);
    assert.deepEqual(relativeAll(index.list().map((experiment) => experiment.folder)), [
      "a",
      "b",
      "group/c",
      "sweeps/r3c",
    ]);
  });

  it("finds an experiment it missed from an event for a file inside it", async () => {
    const index = await freshIndex();
    await write("late/r3c/experiment.config");
    const checkpoint = await write("late/r3c/checkpoints/last.ckpt");
    const change = await index.applyEvents([{ type: "created", path: checkpoint }]);
    assert.deepEqual(relativeAll(change.added), ["late/r3c"]);
    assert.equal(index.get(at("late/r3c"))?.newestCheckpoint?.path, checkpoint);
  });
});
