import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  loginNodeAgentTerminals,
  MAX_TERMINAL_AGENTS,
  remoteSweepPaths,
  thunderOnCluster,
} from "../../../extension/sweep-commands/cluster-agents";
import { planLoginNodeAgents } from "../../../extension/sweeps/agent-plan";

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

  test("login-node agents: one Slurm terminal each, setup lines first, the agent argv quoted for sh", () => {
    const planned = planLoginNodeAgents({
      sweepPath: "team/mnist/abc123",
      configPath: "/scratch/me/it's train.config",
      root: "/scratch/me/runs $HOME",
      thunder: "/opt/env/bin/thunder",
      backend: "gpu",
      engine: "slurm",
      options: { time: "1:00:00" },
      agents: 2,
      remoteFolder: "/scratch/me",
      setupLines: ["module load cuda\nsource .venv/bin/activate"],
    });
    assert.ok(planned.ok);
    const result = loginNodeAgentTerminals("hpc", "team/mnist/abc123", planned.plan);
    assert.ok(result.ok);
    assert.deepEqual(
      result.terminals.map((terminal) => terminal.name),
      ["Sweep agent 1/2 – team/mnist/abc123", "Sweep agent 2/2 – team/mnist/abc123"],
    );
    for (const terminal of result.terminals) {
      assert.equal(terminal.cwd, "/scratch/me");
      assert.deepEqual(terminal.initialLines, [
        "module load cuda",
        "source .venv/bin/activate",
        "/opt/env/bin/thunder wandb agent team/mnist/abc123 '/scratch/me/it'\\''s train.config' '/scratch/me/runs $HOME' --backend gpu --time 1:00:00",
      ]);
    }
  });

  test("more login-node agents than the shared connection has channels for are refused with a way out", () => {
    const agents = Array.from({ length: MAX_TERMINAL_AGENTS + 1 }, () => ({ argv: ["thunder"] }));
    const refused = loginNodeAgentTerminals("hpc", "p/s1", { remoteFolder: "/x", setupLines: [], agents });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? "" : refused.message, /at most 6 agents .*array job/);
    const allowed = loginNodeAgentTerminals("hpc", "p/s1", {
      remoteFolder: "/x",
      setupLines: [],
      agents: agents.slice(1),
    });
    assert.equal(allowed.ok ? allowed.terminals.length : 0, MAX_TERMINAL_AGENTS);
  });
});
