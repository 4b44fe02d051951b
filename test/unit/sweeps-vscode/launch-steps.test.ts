import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BackendEntry } from "../../../extension/backends/backends-document";
import {
  agentTaskName,
  defaultSweepRoot,
  effectiveEngineOptions,
  localAgentTasks,
  parseAgentCount,
  resolveSweepRoot,
  sweepFromInput,
  sweepInputProblem,
} from "../../../extension/sweep-commands/launch-steps";
import { MAX_AGENTS, planLocalAgents } from "../../../extension/sweeps/agent-plan";
import { groupSweepRuns } from "../../../extension/sweeps/sweep-runs";

const standInThunder = join(__dirname, "..", "..", "stand-in", "thunder");

describe("the sweep input box", () => {
  test("accepts W&B's printed line, a prompt-prefixed paste and a bare path", () => {
    assert.equal(
      sweepInputProblem("wandb: Run sweep agent with: wandb agent team/mnist/abc123\n"),
      undefined,
    );
    assert.equal(sweepFromInput("$ wandb agent team/mnist/abc123")?.path, "team/mnist/abc123");
    assert.equal(sweepFromInput("mnist/abc123")?.path, "mnist/abc123");
  });

  test("refuses hostile or malformed text with a message and yields no sweep", () => {
    for (const text of [
      "",
      "wandb agent team/mnist/abc123; rm -rf ~",
      "wandb agent $(curl evil)/x/y",
      "wandb agent team/mnist/ABC",
      "wandb sweep sweep.yaml",
      "a/b/c/d",
      "wandb agent team/mnist/abc123\nwandb agent team/mnist/def456",
    ]) {
      const problem = sweepInputProblem(text);
      assert.ok(problem !== undefined && problem.length > 10, `no message for ${JSON.stringify(text)}`);
      assert.equal(sweepFromInput(text), undefined, text);
    }
  });
});

describe("agent count and root folder", () => {
  test("the agent count is a whole number from 1 to MAX_AGENTS", () => {
    assert.deepEqual(parseAgentCount(" 4 "), { ok: true, agents: 4 });
    assert.deepEqual(parseAgentCount(String(MAX_AGENTS)), { ok: true, agents: MAX_AGENTS });
    for (const text of ["0", "", "2.5", "1e1", "0x2", "-1", String(MAX_AGENTS + 1), "two"]) {
      assert.equal(parseAgentCount(text).ok, false, text);
    }
  });

  test("the root defaults to sweeps/<id> and is resolved against the workspace folder", () => {
    assert.equal(defaultSweepRoot({ sweepId: "abc123" }), "sweeps/abc123");
    assert.deepEqual(resolveSweepRoot("/ws", "sweeps/abc123"), { ok: true, root: "/ws/sweeps/abc123" });
    assert.deepEqual(resolveSweepRoot("/ws", "/data/runs"), { ok: true, root: "/data/runs" });
    // A leading "-" cannot reach thunder as an option: the root is made absolute.
    assert.deepEqual(resolveSweepRoot("/ws", "-o"), { ok: true, root: "/ws/-o" });
    assert.equal(resolveSweepRoot("/ws", "   ").ok, false);
  });
});

describe("local agent tasks", () => {
  test("one task per agent, named i/N, with the plan's argv split into program and arguments", () => {
    const plan = planLocalAgents({
      sweepPath: "team/mnist/abc123",
      configPath: "/ws/it's a config.config",
      root: "/ws/runs $(x)",
      thunder: "/venv/bin/thunder",
      backend: "local",
      engine: "cli",
      options: { n_workers: 2 },
      agents: 3,
    });
    assert.ok(plan.ok);
    const tasks = localAgentTasks(plan.plan, "team/mnist/abc123", "/ws");
    assert.deepEqual(
      tasks.map((task) => task.name),
      [1, 2, 3].map((index) => `Sweep agent ${index}/3 – team/mnist/abc123`),
    );
    for (const task of tasks) {
      assert.equal(task.executable, "/venv/bin/thunder");
      assert.deepEqual(task.args, [
        "wandb",
        "agent",
        "team/mnist/abc123",
        "/ws/it's a config.config",
        "/ws/runs $(x)",
        "--backend",
        "local",
        "--n-workers",
        "2",
      ]);
      assert.equal(task.cwd, "/ws");
      // The log line is what a user could paste into sh: every awkward value single-quoted.
      assert.equal(
        task.logLine,
        `$ /venv/bin/thunder wandb agent team/mnist/abc123 '/ws/it'\\''s a config.config' '/ws/runs $(x)' --backend local --n-workers 2   (terminal "${task.name}", in /ws)`,
      );
    }
    assert.equal(agentTaskName(2, 4, "p/x1"), "Sweep agent 2/4 – p/x1");
  });

  test("array-job engine options: stored values, overridden by this launch, unset ones dropped", () => {
    const option = (key: string, value: unknown) =>
      ({
        key,
        value,
        sourceText: String(value),
        range: undefined,
      }) as unknown as BackendEntry["options"][number];
    const entry = {
      options: [option("ram", "100G"), option("cpu", 4), option("gpu", null), option("bogus", 1)],
    };
    assert.deepEqual(effectiveEngineOptions(entry, "slurm", { cpu: 8, time: "0-01:00:00" }), {
      ram: "100G",
      cpu: 8,
      time: "0-01:00:00",
    });
    assert.deepEqual(effectiveEngineOptions(undefined, "cli", {}), {});
  });
});

describe("local agents started from the tasks' argv against the stand-in thunder", () => {
  let work = "";
  before(() => {
    work = mkdtempSync(join(tmpdir(), "thunder-sweeps-vscode-"));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  function start(executable: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
    return new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(executable, args, { cwd, env, shell: false, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
      });
      child.stderr.on("data", (chunk) => {
        output += chunk;
      });
      child.once("close", (code) => resolve({ code, output }));
    });
  }

  test("two agents split the sweep's runs; each run is built under ROOT/<run id> with its overrides", async () => {
    const sweeps = join(work, "wandb");
    mkdirSync(sweeps);
    writeFileSync(
      join(sweeps, "team__mnist__abc123.yaml"),
      [
        "- {id: r1a, params: {lr: 0.1, batch_size: 16}}",
        "- {id: r2b, params: {lr: 0.001}}",
        "- {id: r3c, params: {batch_size: 64}}",
        "",
      ].join("\n"),
    );
    const folder = join(work, "project dir");
    mkdirSync(folder);
    const config = join(folder, "train's.config");
    const source = "from thunder.placeholders import ExpName, GroupName\n\nlr = 0.01\nbatch_size = 8\n";
    writeFileSync(config, source);
    const argvLog = join(work, "argv.jsonl");
    const plan = planLocalAgents({
      sweepPath: "team/mnist/abc123",
      configPath: config,
      root: join(folder, "runs"),
      thunder: standInThunder,
      backend: "cli",
      agents: 2,
    });
    assert.ok(plan.ok);
    const tasks = localAgentTasks(plan.plan, "team/mnist/abc123", folder);
    const env = {
      ...process.env,
      THUNDER_STANDIN_SWEEPS: sweeps,
      THUNDER_STANDIN_LOG: argvLog,
      THUNDER_STANDIN_TRAIN_SECONDS: "0.3",
    };
    const results = await Promise.all(tasks.map((task) => start(task.executable, task.args, task.cwd, env)));
    for (const result of results) assert.equal(result.code, 0, result.output);

    const agentCalls = readFileSync(argvLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { argv: string[]; cwd: string })
      .filter((call) => call.argv[0] === "wandb");
    assert.equal(agentCalls.length, 2);
    for (const call of agentCalls) {
      assert.deepEqual(call.argv, [
        "wandb",
        "agent",
        "team/mnist/abc123",
        config,
        join(folder, "runs"),
        "--backend",
        "cli",
      ]);
      assert.equal(call.cwd, folder);
    }

    const root = join(folder, "runs");
    const runFolders = readdirSync(root).sort();
    assert.deepEqual(runFolders, ["r1a", "r2b", "r3c"]);
    for (const run of runFolders) assert.ok(existsSync(join(root, run, "checkpoints", "last.ckpt")), run);
    const group = groupSweepRuns({
      root,
      source,
      runs: runFolders.map((folderName) => ({
        folderName,
        configText: readFileSync(join(root, folderName, "experiment.config"), "utf8"),
      })),
    });
    assert.deepEqual(
      group.runs.map((run) => [run.runId, run.overrides.map((o) => `${o.name}=${o.builtValue}`)]),
      [
        ["r1a", ["lr=0.1", "batch_size=16"]],
        ["r2b", ["lr=0.001"]],
        ["r3c", ["batch_size=64"]],
      ],
    );
  });
});
