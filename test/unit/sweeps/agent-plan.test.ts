import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type ArrayJobPlanInput,
  MAX_AGENTS,
  type PlanResult,
  planArrayJob,
  planLocalAgents,
  planLoginNodeAgents,
} from "../../../extension/sweeps/agent-plan";

/** Values a shell would mangle or execute if they were not quoted; all fine as plain arguments. */
const HOSTILE = [
  "with space",
  "it's",
  'say "hi"',
  "$(touch pwned-subst)",
  "`touch pwned-backtick`",
  "a;touch pwned-semicolon",
  "line one\nline two",
  "ünïcødé 🚀 配置",
  "tab\there",
  "back\\slash",
  "$HOME \u0024{HOME} ~ * ?",
  "a && b | c > d < e",
  "'",
  "trailing newline\n",
];

function ok<T>(result: PlanResult<T>): T {
  assert.ok(result.ok, result.ok ? "" : result.message);
  return result.plan;
}

function refusal<T>(result: PlanResult<T>, pattern: RegExp): void {
  assert.ok(!result.ok, "expected a refusal");
  assert.match(result.message, pattern);
}

const base = { sweepPath: "team/proj/abc123", configPath: "configs/exp.config", root: "sweeps/abc123" };

let workDir = "";
let fakeBin = "";

before(() => {
  workDir = realpathSync(mkdtempSync(join(tmpdir(), "thunder-sweep-plan-")));
  fakeBin = join(workDir, "bin");
  mkdirSync(fakeBin);
  // Prints where it runs, whether setup ran, then every argument, each NUL-terminated, then an end mark.
  writeFileSync(
    join(fakeBin, "thunder"),
    `#!/bin/sh\nprintf '%s\\0' "$PWD" "\${SETUP_MARK-no setup}" "$@" END\n`,
  );
  chmodSync(join(fakeBin, "thunder"), 0o755);
  // Records where it ran and its arguments, and answers like `sbatch --parsable`.
  writeFileSync(
    join(fakeBin, "sbatch"),
    `#!/bin/sh\nprintf '%s\\0' "$PWD" "$@" END > "$SBATCH_RECORD"\necho 4242\n`,
  );
  chmodSync(join(fakeBin, "sbatch"), 0o755);
});

after(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function fakeEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? "/usr/bin:/bin"}` };
}

/** Decodes the fake thunder's output: [cwd, setup mark, ...args]. */
function decode(output: Buffer | string): { cwd: string; setup: string; args: string[] } {
  const fields = output.toString("utf8").split("\0");
  assert.equal(fields.pop(), "", "output ends with a NUL");
  assert.equal(fields.pop(), "END", "fake thunder ran to the end");
  const [cwd, setup, ...args] = fields;
  return { cwd: cwd!, setup: setup!, args };
}

function makeHostileFolder(): string {
  const folder = join(workDir, `remote $(touch pwned) \`touch pwned2\`; it's "q"\nünï 🚀 #`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

function assertNothingExecuted(...folders: string[]): void {
  for (const folder of folders) {
    for (const name of ["pwned", "pwned2", "pwned-subst", "pwned-backtick", "pwned-semicolon"]) {
      assert.equal(existsSync(join(folder, name)), false, `${name} must not be created in ${folder}`);
    }
  }
}

describe("local agents", () => {
  test("N identical argv arrays with backend and engine flags in thunder's order", () => {
    const plan = ok(
      planLocalAgents({
        ...base,
        agents: 3,
        backend: "gpu_short",
        engine: "slurm",
        options: {
          limit: 2,
          time: "2h30m",
          partition: "short",
          gpu: 1,
          cpu: 4,
          ram: "100G",
          nodelist: "n[1-3]",
        },
        names: ["0", "1"],
      }),
    );
    const expected = [
      "thunder",
      "wandb",
      "agent",
      "team/proj/abc123",
      "configs/exp.config",
      "sweeps/abc123",
      "--names",
      "0,1",
      "--backend",
      "gpu_short",
      "--ram",
      "100G",
      "--cpu",
      "4",
      "--gpu",
      "1",
      "--partition",
      "short",
      "--nodelist",
      "n[1-3]",
      "--time",
      "0-02:30:00",
      "--limit",
      "2",
    ];
    assert.equal(plan.agents.length, 3);
    for (const argv of plan.agents) assert.deepEqual(argv, expected);
    assert.notEqual(plan.agents[0], plan.agents[1], "each agent has its own array");
  });

  test("cli engine flag, custom executable, no backend", () => {
    const plan = ok(
      planLocalAgents({
        ...base,
        agents: 1,
        thunder: "/opt/env/bin/thunder",
        engine: "cli",
        options: { n_workers: 2 },
      }),
    );
    assert.deepEqual(plan.agents, [
      [
        "/opt/env/bin/thunder",
        "wandb",
        "agent",
        "team/proj/abc123",
        "configs/exp.config",
        "sweeps/abc123",
        "--n-workers",
        "2",
      ],
    ]);
  });

  test("hostile paths reach a real process unchanged", () => {
    for (const value of HOSTILE) {
      const plan = ok(
        planLocalAgents({ ...base, configPath: value, root: `${value}/root`, agents: 1, backend: value }),
      );
      const [argv] = plan.agents;
      const run = spawnSync(argv![0]!, argv!.slice(1), { env: fakeEnv(), cwd: workDir });
      assert.equal(run.status, 0, run.stderr.toString());
      assert.deepEqual(decode(run.stdout).args, argv!.slice(1));
      assert.deepEqual(argv!.slice(4, 6), [value, `${value}/root`]);
    }
    assertNothingExecuted(workDir);
  });

  test("refusals", () => {
    refusal(planLocalAgents({ ...base, agents: 0 }), /from 1 to 256/);
    refusal(planLocalAgents({ ...base, agents: MAX_AGENTS + 1 }), /from 1 to 256/);
    refusal(planLocalAgents({ ...base, agents: 1.5 }), /whole number/);
    refusal(planLocalAgents({ ...base, agents: 1, sweepPath: "team/proj/$(id)" }), /not a sweep path/);
    refusal(
      planLocalAgents({ ...base, agents: 1, sweepPath: "wandb agent team/proj/abc123" }),
      /not a sweep path/,
    );
    refusal(planLocalAgents({ ...base, agents: 1, configPath: "" }), /config path is empty/);
    refusal(planLocalAgents({ ...base, agents: 1, root: "--overwrite" }), /starts with "-"/);
    refusal(planLocalAgents({ ...base, agents: 1, configPath: "a\0b" }), /NUL/);
    refusal(planLocalAgents({ ...base, agents: 1, backend: "-x" }), /backend name/);
    refusal(planLocalAgents({ ...base, agents: 1, options: { cpu: 2 } }), /which engine/);
    refusal(
      planLocalAgents({ ...base, agents: 1, engine: "cli", options: { cpu: 2 } }),
      /Unknown cli option "cpu"/,
    );
    refusal(planLocalAgents({ ...base, agents: 1, engine: "slurm", options: { ram: "lots" } }), /"ram"/);
    refusal(planLocalAgents({ ...base, agents: 1, engine: "slurm", options: { time: "soon" } }), /"time"/);
    refusal(
      planLocalAgents({ ...base, agents: 1, engine: "slurm", options: { limit: 0 } }),
      /greater than 0/,
    );
    refusal(
      planLocalAgents({ ...base, agents: 1, engine: "slurm", options: { partition: "-p" } }),
      /starts with "-"/,
    );
    refusal(planLocalAgents({ ...base, agents: 1, names: ["a,b"] }), /comma/);
  });
});

describe("login node agents", () => {
  test("argv, log paths and a script that starts every agent in the remote folder after setup", () => {
    const remoteFolder = makeHostileFolder();
    const partition = "gpu;touch pwned-semicolon $(touch pwned)";
    const plan = ok(
      planLoginNodeAgents({
        ...base,
        configPath: HOSTILE.join("|"),
        agents: 2,
        remoteFolder,
        setupLines: ["export SETUP_MARK='set up'\r\n", "", "# comments are fine"],
        logDir: "logs 'of' $(sweeps)",
        engine: "slurm",
        options: { partition },
      }),
    );
    assert.deepEqual(plan.setupLines, ["export SETUP_MARK='set up'", "# comments are fine"]);
    assert.deepEqual(
      plan.agents.map((agent) => agent.logPath),
      ["logs 'of' $(sweeps)/abc123-agent-1.log", "logs 'of' $(sweeps)/abc123-agent-2.log"],
    );
    const expectedArgs = [
      "wandb",
      "agent",
      "team/proj/abc123",
      HOSTILE.join("|"),
      "sweeps/abc123",
      "--partition",
      partition,
    ];
    assert.deepEqual(plan.agents[0]!.argv, ["thunder", ...expectedArgs]);

    const run = spawnSync("sh", ["-c", plan.script], { env: fakeEnv(), cwd: workDir });
    assert.equal(run.status, 0, run.stderr.toString());
    const pids = run.stdout.toString().trim().split("\n");
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.match(pid, /^\d+$/);
    for (const agent of plan.agents) {
      const logFile = join(remoteFolder, agent.logPath);
      const deadline = Date.now() + 10_000;
      let log = "";
      while (Date.now() < deadline) {
        log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        if (log.endsWith("END\0")) break;
        spawnSync("sleep", ["0.05"]);
      }
      const seen = decode(log);
      assert.equal(seen.cwd, remoteFolder);
      assert.equal(seen.setup, "set up");
      assert.deepEqual(seen.args, expectedArgs);
    }
    assertNothingExecuted(workDir, remoteFolder, join(remoteFolder, "logs 'of' $(sweeps)"));
  });

  test("refusals", () => {
    refusal(planLoginNodeAgents({ ...base, agents: 1, remoteFolder: "" }), /remote folder is empty/);
    refusal(planLoginNodeAgents({ ...base, agents: 1, remoteFolder: "r", setupLines: ["a\0"] }), /NUL/);
    refusal(
      planLoginNodeAgents({ ...base, agents: 1, remoteFolder: "r", logDir: "" }),
      /log folder is empty/,
    );
  });
});

describe("array job", () => {
  const arrayBase: ArrayJobPlanInput = {
    ...base,
    agents: 5,
    remoteFolder: "/home/u/project",
    scriptPath: ".thunder-sweeps/abc123.sh",
    slurm: {},
  };

  test("sbatch argv with every resource flag of the slurm backend", () => {
    const plan = ok(
      planArrayJob({
        ...arrayBase,
        logDir: "logs/100%/x",
        slurm: {
          ram: "100G",
          cpu: 4,
          gpu: 1,
          partition: "short",
          nodelist: "host[1-5,7]",
          time: "2h30m",
          limit: 3,
        },
      }),
    );
    const log = "logs/100%%/x/abc123-%A_%a.log";
    assert.deepEqual(plan.sbatchArgv, [
      "sbatch",
      "--parsable",
      "--array=1-5%3",
      "--job-name",
      "sweep-abc123",
      "--output",
      log,
      "--error",
      log,
      "--mem",
      "100G",
      "--cpus-per-task",
      "4",
      "--gpus-per-node",
      "1",
      "--partition",
      "short",
      "--nodelist",
      "host[1-5,7]",
      "--time",
      "0-02:30:00",
      "--signal=B:INT@30",
      ".thunder-sweeps/abc123.sh",
    ]);
    assert.equal(plan.logPattern, log);
    assert.deepEqual(plan.agentArgv, [
      "thunder",
      "wandb",
      "agent",
      "team/proj/abc123",
      "configs/exp.config",
      "sweeps/abc123",
      "--backend",
      "cli",
    ]);
  });

  test("minimal: no resources, default log folder, custom job name, workers inside the allocation", () => {
    const plan = ok(planArrayJob({ ...arrayBase, agents: 1, jobName: "my sweep", nWorkers: 2 }));
    assert.deepEqual(plan.sbatchArgv, [
      "sbatch",
      "--parsable",
      "--array=1-1",
      "--job-name",
      "my sweep",
      "--output",
      ".thunder-sweeps/abc123-%A_%a.log",
      "--error",
      ".thunder-sweeps/abc123-%A_%a.log",
      ".thunder-sweeps/abc123.sh",
    ]);
    assert.deepEqual(plan.agentArgv.slice(-4), ["--backend", "cli", "--n-workers", "2"]);
    assert.match(plan.scriptText, /^#!\/bin\/bash\n# W&B sweep agent for team\/proj\/abc123, .*\nset -e\n/);
  });

  test("the batch script, run by a real sh, hands every argument over byte for byte", () => {
    const remoteFolder = makeHostileFolder();
    for (const value of HOSTILE) {
      const plan = ok(
        planArrayJob({
          ...arrayBase,
          thunder: "thunder",
          configPath: value,
          root: `${value}/runs`,
          remoteFolder,
          setupLines: ["export SETUP_MARK=ready"],
          nWorkers: 3,
        }),
      );
      const scriptFile = join(workDir, "batch.sh");
      writeFileSync(scriptFile, plan.scriptText);
      const run = spawnSync("sh", [scriptFile], { env: fakeEnv(), cwd: workDir });
      assert.equal(run.status, 0, run.stderr.toString());
      const seen = decode(run.stdout);
      assert.equal(seen.cwd, remoteFolder);
      assert.equal(seen.setup, "ready");
      assert.deepEqual(seen.args, [
        "wandb",
        "agent",
        "team/proj/abc123",
        value,
        `${value}/runs`,
        "--backend",
        "cli",
        "--n-workers",
        "3",
      ]);
      assert.deepEqual(seen.args, plan.agentArgv.slice(1));
    }
    assertNothingExecuted(workDir, remoteFolder);
  });

  test("the submit command, run by a real sh, creates the folders, writes the script and submits it", () => {
    const remoteFolder = makeHostileFolder();
    const logDir = "logs 100% $(touch pwned)";
    const scriptPath = "scripts/it's `touch pwned2`.sh";
    const plan = ok(
      planArrayJob({
        ...arrayBase,
        configPath: HOSTILE.join(" "),
        remoteFolder,
        logDir,
        scriptPath,
        setupLines: ["export SETUP_MARK='from the script'"],
        slurm: { partition: "p;touch pwned", limit: 2 },
      }),
    );
    assert.deepEqual(plan.foldersToCreate, [logDir, "scripts"]);
    assert.equal(plan.logPattern, "logs 100%% $(touch pwned)/abc123-%A_%a.log");
    const record = join(workDir, "sbatch-record");
    const run = spawnSync("sh", ["-c", plan.submitCommand], {
      env: { ...fakeEnv(), SBATCH_RECORD: record },
      cwd: workDir,
    });
    assert.equal(run.status, 0, run.stderr.toString());
    assert.equal(run.stdout.toString(), "4242\n");
    const submitted = readFileSync(record, "utf8").split("\0");
    assert.deepEqual(submitted, [remoteFolder, ...plan.sbatchArgv.slice(1), "END", ""]);
    assert.equal(readFileSync(join(remoteFolder, scriptPath), "utf8"), plan.scriptText);
    assert.ok(existsSync(join(remoteFolder, logDir)));

    // And the script it wrote runs the agent with every argument intact.
    const task = spawnSync("sh", [join(remoteFolder, scriptPath)], { env: fakeEnv(), cwd: workDir });
    assert.equal(task.status, 0, task.stderr.toString());
    const seen = decode(task.stdout);
    assert.equal(seen.cwd, remoteFolder);
    assert.equal(seen.setup, "from the script");
    assert.deepEqual(seen.args, plan.agentArgv.slice(1));
    assert.equal(seen.args[3], HOSTILE.join(" "));
    assertNothingExecuted(workDir, remoteFolder, join(remoteFolder, "scripts"));
  });

  test("a failing setup line stops the script before the agent starts", () => {
    const plan = ok(planArrayJob({ ...arrayBase, remoteFolder: workDir, setupLines: ["false"] }));
    const run = spawnSync("sh", ["-c", plan.scriptText], { env: fakeEnv(), cwd: workDir });
    assert.notEqual(run.status, 0);
    assert.equal(run.stdout.length, 0);
  });

  test("refusals", () => {
    refusal(planArrayJob({ ...arrayBase, logDir: "logs\\x" }), /backslash/);
    refusal(planArrayJob({ ...arrayBase, jobName: "two\nlines" }), /control characters/);
    refusal(planArrayJob({ ...arrayBase, jobName: "-x" }), /job name/);
    refusal(planArrayJob({ ...arrayBase, scriptPath: "" }), /batch script path is empty/);
    refusal(planArrayJob({ ...arrayBase, slurm: { n_workers: 2 } }), /Unknown slurm option "n_workers"/);
    refusal(planArrayJob({ ...arrayBase, slurm: { cpu: "many" } }), /"cpu"/);
    refusal(planArrayJob({ ...arrayBase, nWorkers: -1 }), /"n_workers" cannot be negative/);
    refusal(planArrayJob({ ...arrayBase, agents: 300 }), /from 1 to 256/);
  });
});
