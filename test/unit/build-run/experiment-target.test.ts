import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  defaultExperimentFolder,
  describeOverwriteLoss,
  firstFreeFolder,
} from "../../../extension/build-run/experiment-target";
import type { ScannedExperiment } from "../../../extension/experiments/scanner";

const workspace = path.resolve("/ws");

describe("defaultExperimentFolder", () => {
  it("puts the experiment under the root, named after the config", () => {
    assert.equal(
      defaultExperimentFolder(workspace, "experiments", "/ws/configs/resnet.config"),
      path.join(workspace, "experiments", "resnet"),
    );
  });
  it("takes an absolute root as it is and an empty root as 'experiments'", () => {
    assert.equal(defaultExperimentFolder(workspace, "/data/exps", "a.config"), path.resolve("/data/exps/a"));
    assert.equal(
      defaultExperimentFolder(workspace, "  ", "my run.config"),
      path.join(workspace, "experiments", "my run"),
    );
  });
});

describe("firstFreeFolder", () => {
  it("keeps a free folder and numbers a taken one", () => {
    const taken = new Set(["/e/a", "/e/a-2"]);
    assert.equal(
      firstFreeFolder("/e/b", (candidate) => taken.has(candidate)),
      "/e/b",
    );
    assert.equal(
      firstFreeFolder("/e/a", (candidate) => taken.has(candidate)),
      "/e/a-3",
    );
  });
});

describe("describeOverwriteLoss", () => {
  const base: ScannedExperiment = { folder: "/e/cv", name: "cv", root: "/e", nodes: [], problems: [] };

  it("names the folds and when the newest checkpoint was written", () => {
    const experiment: ScannedExperiment = {
      ...base,
      nodes: [
        {
          name: "0",
          folder: "/e/cv/fold_0",
          built: true,
          newestCheckpoint: { path: "x", mtimeMs: Date.UTC(2026, 10, 25, 14, 3) },
        },
        { name: "1", folder: "/e/cv/fold_1", built: true },
      ],
      newestCheckpoint: { path: "x", mtimeMs: Date.UTC(2026, 10, 25, 14, 3) },
    };
    const text = describeOverwriteLoss("/e/cv", experiment);
    assert.match(text, /"cv"/);
    assert.match(text, /2 folds \(0, 1\)/);
    assert.match(text, /checkpoints in 1 of 2 folds \(newest 2026-11-25 14:03 UTC\)/);
  });

  it("says when nothing was trained yet, and handles an unscanned folder", () => {
    assert.match(describeOverwriteLoss("/e/cv", base), /no checkpoints yet/);
    assert.match(describeOverwriteLoss("/e/other", undefined), /"other" already exists and will be deleted/);
  });
});
