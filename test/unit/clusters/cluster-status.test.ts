import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { presentClusterStatus } from "../../../extension/clusters/cluster-status";
import { startupInput } from "../../../extension/slurm-terminal/ssh-pseudoterminal";

describe("presentClusterStatus", () => {
  test("hidden without clusters", () => {
    assert.equal(presentClusterStatus([]).visible, false);
  });

  test("one cluster: its name and state icon; a retry is announced in the tooltip", () => {
    const shown = presentClusterStatus([
      { name: "hpc", state: "disconnected", retryInMs: 4000, error: "lost" },
    ]);
    assert.equal(shown.text, "$(vm-outline) hpc");
    assert.match(shown.tooltip, /hpc: connection lost, retrying in 4 s — lost/);
    assert.equal(shown.isError, false);
  });

  test("several clusters: the worst state's icon and how many are connected", () => {
    const shown = presentClusterStatus([
      { name: "a", state: "connected" },
      { name: "b", state: "failed", error: "Could not log in" },
      { name: "c", state: "idle" },
    ]);
    assert.equal(shown.text, "$(error) 1/3 clusters");
    assert.equal(shown.isError, true);
    assert.match(shown.tooltip, /b: failed — Could not log in/);
  });
});

describe("startupInput of a Slurm terminal", () => {
  test("cd into the quoted folder, keeping ~ meaningful, then the lines", () => {
    assert.equal(
      startupInput("~/proj/it's here", ["module load x"]),
      "cd \"$HOME\"/'proj/it'\\''s here'\nmodule load x\n",
    );
    assert.equal(startupInput(undefined), "");
    assert.throws(() => startupInput("/x", ["a\nb"]), /single line/);
  });
});
