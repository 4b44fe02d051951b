import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { runTargetFor } from "../../../extension/status-bar/run-target";

const root = path.resolve("/ws");
const cv = path.join(root, "experiments", "cv");
const lookup = {
  experimentAt: (folder: string) =>
    folder === cv
      ? {
          nodes: [
            { name: "a", folder: path.join(cv, "fold_0") },
            { name: "b", folder: path.join(cv, "fold_1") },
          ],
        }
      : undefined,
  builtFrom: (config: string) => (config === path.join(root, "cv.config") ? cv : undefined),
};

describe("runTargetFor", () => {
  it("runs the experiment an experiment.config belongs to, and only its fold for a fold's config", () => {
    assert.deepEqual(runTargetFor(path.join(cv, "experiment.config"), lookup), {
      kind: "run",
      experiment: cv,
      label: "cv",
    });
    assert.deepEqual(runTargetFor(path.join(cv, "fold_1", "experiment.config"), lookup), {
      kind: "run",
      experiment: cv,
      names: ["b"],
      label: "cv fold b",
    });
  });
  it("runs the newest build of a source config, else builds it first", () => {
    assert.deepEqual(runTargetFor(path.join(root, "cv.config"), lookup), {
      kind: "run",
      experiment: cv,
      label: "cv",
    });
    assert.deepEqual(runTargetFor(path.join(root, "new.config"), lookup), {
      kind: "build-and-run",
      config: path.join(root, "new.config"),
      label: "new.config",
    });
  });
  it("ignores other files", () => {
    assert.equal(runTargetFor(path.join(root, "train.py"), lookup), undefined);
  });
});
