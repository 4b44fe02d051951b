import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { assignedValue, BASE_CONFIG, exists, Sandbox } from "./stand-in-harness";

let sandbox: Sandbox;
let sweeps = "";
let config = "";

before(async () => {
  sandbox = await Sandbox.create();
  sweeps = path.join(sandbox.root, "sweeps");
  await fs.mkdir(sweeps);
  config = await sandbox.write("sweep/train.config", BASE_CONFIG);
});
after(async () => {
  await sandbox.dispose();
});

function startedRuns(stdout: string): string[] {
  return [...stdout.matchAll(/^wandb: Agent Starting Run: (\S+) with config:$/gm)].map((match) => match[1]);
}

describe("thunder wandb agent (local sweep file)", () => {
  it("two agents in parallel split four runs: each run is built and trained exactly once", async () => {
    await fs.writeFile(
      path.join(sweeps, "team__vision__sw42.yaml"),
      [
        "- {id: run-a, params: {lr: 0.1, batch_size: 4}}",
        "- {id: run-b, params: {lr: 0.01}}",
        "- {id: run-c, params: {lr: 1.0e-3}}",
        "- {id: run-d, params: {lr: 0.5, batch_size: 64}}",
        "",
      ].join("\n"),
    );
    // Slow enough training that the second agent is up before the first can claim everything.
    const env = { THUNDER_STANDIN_SWEEPS: sweeps, THUNDER_STANDIN_TRAIN_SECONDS: "0.5" };
    const agents = await Promise.all([
      sandbox.thunder(["wandb", "agent", "team/vision/sw42", config, "sweep-runs"], { env }),
      sandbox.thunder(["wandb", "agent", "team/vision/sw42", config, "sweep-runs"], { env }),
    ]);
    for (const agent of agents) assert.equal(agent.status, 0, agent.stderr);
    const [first, second] = agents.map((agent) => startedRuns(agent.stdout));
    assert.ok(first.length > 0 && second.length > 0, `both agents worked: ${first} / ${second}`);
    assert.deepEqual([...first, ...second].sort(), ["run-a", "run-b", "run-c", "run-d"]);

    const expected: Record<string, [string, string]> = {
      "run-a": ["0.1", "4"],
      "run-b": ["0.01", "8"],
      "run-c": ["0.001", "8"],
      "run-d": ["0.5", "64"],
    };
    for (const [run, [lr, batchSize]] of Object.entries(expected)) {
      const written = await sandbox.read(`sweep-runs/${run}/experiment.config`);
      assert.equal(assignedValue(written, "lr"), lr, run);
      assert.equal(assignedValue(written, "batch_size"), batchSize, run);
      assert.equal(assignedValue(written, "ExpName"), `'${run}'`);
      assert.ok(await exists(path.join(sandbox.work, `sweep-runs/${run}/checkpoints/last.ckpt`)));
    }
    const starts = (await sandbox.invocations())
      .filter((call) => call.argv[0] === "start")
      .map((call) => call.argv[1]);
    assert.deepEqual(
      starts.sort(),
      ["run-a", "run-b", "run-c", "run-d"].map((run) => path.join(sandbox.work, "sweep-runs", run)),
    );

    const late = await sandbox.thunder(["wandb", "agent", "team/vision/sw42", config, "sweep-runs"], { env });
    assert.equal(late.status, 0);
    assert.deepEqual(startedRuns(late.stdout), [], "claimed runs are never done twice");
  });

  it("PROJECT/ID finds <project>__<id>.yaml; the slurm engine submits with --wait per run", async () => {
    await fs.writeFile(path.join(sweeps, "vision__sw7.yaml"), "- {id: r1, params: {lr: 0.2}}\n");
    await sandbox.fakeSbatch();
    const result = await sandbox.thunder(
      ["wandb", "agent", "vision/sw7", config, "slurm-runs", "--backend", "slurm", "-c", "2"],
      { env: { THUNDER_STANDIN_SWEEPS: sweeps } },
    );
    assert.equal(result.status, 0, result.stderr);
    const args = (await sandbox.sbatchCalls()).at(-1)!;
    assert.deepEqual(args.slice(0, 4), ["--cpus-per-task", "2", "--job-name", "r1"]);
    assert.equal(args.at(-2), "--wait");
    assert.equal(assignedValue(await sandbox.read("slurm-runs/r1/experiment.config"), "lr"), "0.2");
  });

  it("an unknown sweep fails clearly; a run with a bad parameter is reported and the agent goes on", async () => {
    const env = { THUNDER_STANDIN_SWEEPS: sweeps };
    const unknown = await sandbox.thunder(["wandb", "agent", "team/vision/nope", config, "x-runs"], { env });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Sweep 'team\/vision\/nope' not found/);
    assert.equal(await exists(path.join(sandbox.work, "x-runs")), false);

    await fs.writeFile(
      path.join(sweeps, "vision__mixed.yaml"),
      "- {id: bad, params: {dropout: 0.3}}\n- {id: good, params: {lr: 0.3}}\n",
    );
    const mixed = await sandbox.thunder(["wandb", "agent", "vision/mixed", config, "mixed-runs"], { env });
    assert.equal(mixed.status, 1);
    assert.match(mixed.stdout, /The names \{'dropout'\} are missing from the config/);
    assert.equal(await exists(path.join(sandbox.work, "mixed-runs/bad")), false);
    assert.ok(await exists(path.join(sandbox.work, "mixed-runs/good/checkpoints/last.ckpt")));
  });
});
