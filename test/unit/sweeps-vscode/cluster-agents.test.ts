import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  remoteSweepPaths,
  startedAgentPids,
  thunderOnCluster,
} from "../../../extension/sweep-commands/cluster-agents";

const mappings = [
  { local: "/home/me/project", remote: "/scratch/me/project" },
  { local: "/home/me/project/data", remote: "/datasets/shared" },
];

describe("sweep paths on the cluster", () => {
  test("the working folder, config and root are mapped through the cluster's folders", () => {
    assert.deepEqual(
      remoteSweepPaths(
        "hpc",
        {
          workingFolder: "/home/me/project",
          config: "/home/me/project/configs/it's train.config",
          root: "/home/me/project/data/sweeps/abc123",
        },
        mappings,
      ),
      {
        ok: true,
        paths: {
          remoteFolder: "/scratch/me/project",
          configPath: "/scratch/me/project/configs/it's train.config",
          // The longest mapped folder wins.
          root: "/datasets/shared/sweeps/abc123",
        },
      },
    );
  });

  test("a path outside every mapped folder is refused, naming it and the setting", () => {
    const result = remoteSweepPaths(
      "hpc",
      { workingFolder: "/home/me/project", config: "/home/me/project/a.config", root: "/tmp/runs" },
      mappings,
    );
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? "" : result.message,
      /\/tmp\/runs is not inside a folder that cluster "hpc" maps/,
    );
    assert.match(result.ok ? "" : result.message, /thunder\.clusters/);
    // `..` cannot climb out of a mapped folder.
    assert.equal(
      remoteSweepPaths(
        "hpc",
        {
          workingFolder: "/home/me/project",
          config: "/home/me/project/../secret.config",
          root: "/home/me/project/r",
        },
        mappings,
      ).ok,
      false,
    );
  });
});

describe("thunder on the cluster", () => {
  test("one program is used as the agents' thunder; a command with arguments is refused", () => {
    assert.deepEqual(thunderOnCluster("hpc", ["thunder"]), { ok: true, thunder: "thunder" });
    assert.deepEqual(thunderOnCluster("hpc", ["/opt/env/bin/thunder"]), {
      ok: true,
      thunder: "/opt/env/bin/thunder",
    });
    assert.deepEqual(thunderOnCluster("hpc", []), { ok: true, thunder: "thunder" });
    const refused = thunderOnCluster("hpc", ["python", "-m", "thunder.cli.entrypoint"]);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? "" : refused.message, /one program/);
  });

  test("the PIDs printed by the login-node script are read, other output is ignored", () => {
    assert.deepEqual(startedAgentPids("Loading cuda/12\n4242\n4243\n\n"), ["4242", "4243"]);
    assert.deepEqual(startedAgentPids(""), []);
  });
});
