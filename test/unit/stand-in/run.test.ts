import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { BASE_CONFIG, exists, run, Sandbox, standInThunder } from "./stand-in-harness";

let sandbox: Sandbox;
let foldsConfig = "";
let singleConfig = "";

before(async () => {
  sandbox = await Sandbox.create();
  foldsConfig = await sandbox.write(
    "configs/folds.config",
    `from thunder.layout import Split\nfrom sklearn.model_selection import KFold\n${BASE_CONFIG}` +
      "layout = Split(KFold(3), list(range(9)))\n",
  );
  singleConfig = await sandbox.write("configs/single.config", BASE_CONFIG);
});
after(async () => {
  await sandbox.dispose();
});

async function build(config: string, name: string): Promise<string> {
  const result = await sandbox.thunder(["build", config, name]);
  assert.equal(result.status, 0, result.stderr);
  return path.join(sandbox.work, name);
}

async function writeBackends(text: string): Promise<void> {
  await fs.mkdir(path.dirname(sandbox.backendsFile), { recursive: true });
  await fs.writeFile(sandbox.backendsFile, text);
}

function logsFolder(): string {
  return path.join(sandbox.home, ".cache", "thunder", "slurm", "logs");
}

describe("thunder run with the cli engine", () => {
  it("starts every node as `thunder start ABS_EXP NODE` and leaves a checkpoint per fold", async () => {
    await fs.rm(sandbox.backendsFile, { force: true });
    const experiment = await build(foldsConfig, "exp-cli");
    const result = await sandbox.thunder(["run", "exp-cli"]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Epoch 2: .*loss=/);
    for (const fold of [0, 1, 2]) {
      assert.ok(await exists(path.join(experiment, `fold_${fold}`, "checkpoints", "last.ckpt")));
    }
    const starts = (await sandbox.invocations()).filter((call) => call.argv[0] === "start");
    assert.deepEqual(starts.map((call) => call.argv).sort(), [
      ["start", experiment, "0"],
      ["start", experiment, "1"],
      ["start", experiment, "2"],
    ]);
  });

  it("--names picks nodes; a single experiment runs without a node name", async () => {
    const experiment = await build(foldsConfig, "exp-names");
    const picked = await sandbox.thunder(["run", experiment, "--names", "0,2"]);
    assert.equal(picked.status, 0, picked.stderr);
    assert.ok(await exists(path.join(experiment, "fold_0/checkpoints/last.ckpt")));
    assert.equal(await exists(path.join(experiment, "fold_1/checkpoints")), false);
    assert.ok(await exists(path.join(experiment, "fold_2/checkpoints/last.ckpt")));

    const single = await build(singleConfig, "exp-single-run");
    const result = await sandbox.thunder(["run", "exp-single-run"]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(await exists(path.join(single, "checkpoints/last.ckpt")));
    const starts = (await sandbox.invocations()).filter(
      (call) => call.argv[0] === "start" && call.argv[1] === single,
    );
    assert.deepEqual(
      starts.map((call) => call.argv),
      [["start", single]],
    );
  });

  it("runs n_workers nodes at once, and one at a time by default", async () => {
    const experiment = await build(foldsConfig, "exp-workers");
    // Long enough that all three parallel starts land before the first can finish, even on a busy machine.
    const env = { THUNDER_STANDIN_TRAIN_SECONDS: "1.0" };
    const startTimes = async (): Promise<number[]> =>
      (await sandbox.invocations())
        .filter((call) => call.argv[0] === "start" && call.argv[1] === experiment)
        .map((call) => call.time)
        .sort();
    const checkpointTimes = async (): Promise<number[]> =>
      Promise.all(
        [0, 1, 2].map(
          async (fold) =>
            (await fs.stat(path.join(experiment, `fold_${fold}/checkpoints/last.ckpt`))).mtimeMs / 1000,
        ),
      );

    const parallel = await sandbox.thunder(["run", experiment, "--n-workers", "3"], { env });
    assert.equal(parallel.status, 0, parallel.stderr);
    const parallelStarts = await startTimes();
    assert.equal(parallelStarts.length, 3);
    assert.ok(
      parallelStarts[2] < Math.min(...(await checkpointTimes())),
      "all three started before any finished",
    );

    await fs.rm(sandbox.log, { force: true });
    const sequential = await sandbox.thunder(["run", experiment], {
      env: { THUNDER_STANDIN_TRAIN_SECONDS: "0.1" },
    });
    assert.equal(sequential.status, 0, sequential.stderr);
    const sequentialStarts = await startTimes();
    const finished = (await checkpointTimes()).sort();
    assert.ok(sequentialStarts[1] >= finished[0] - 0.05, "the second node starts after the first finished");
    assert.ok(sequentialStarts[2] >= finished[1] - 0.05);
    assert.match(sequential.stdout, /Restoring states from the checkpoint path/, "a rerun resumes");
  });

  it("exits with the worst status when a node fails, after running the others", async () => {
    const experiment = await build(foldsConfig, "exp-failing");
    const result = await sandbox.thunder(["run", experiment, "--n-workers", "2"], {
      env: { THUNDER_STANDIN_FAIL: "exp-failing:1" },
    });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /RuntimeError: THUNDER_STANDIN_FAIL asked exp-failing\(1\) to fail/);
    assert.ok(await exists(path.join(experiment, "fold_0/checkpoints/last.ckpt")));
    assert.equal(await exists(path.join(experiment, "fold_1/checkpoints/last.ckpt")), false);
    assert.ok(await exists(path.join(experiment, "fold_2/checkpoints/last.ckpt")));
  });

  it("refuses a missing experiment and unknown node names", async () => {
    const missing = await sandbox.thunder(["run", "no-such-exp"]);
    assert.equal(missing.status, 1);
    assert.equal(
      missing.stdout,
      `Trying to run experiment from folder ${path.join(sandbox.work, "no-such-exp")}, but it does not exist.\n`,
    );
    await build(foldsConfig, "exp-bad-names");
    const unknown = await sandbox.thunder(["run", "exp-bad-names", "--names", "0,7"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /KeyError: '7'/);
  });

  it("build-run builds, then runs with the run options", async () => {
    const result = await sandbox.thunder([
      "build-run",
      singleConfig,
      "exp-build-run",
      "-u",
      "lr=0.2",
      "--n-workers",
      "2",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(await sandbox.read("exp-build-run/experiment.config"), /^lr = 0\.2$/m);
    assert.ok(await exists(path.join(sandbox.work, "exp-build-run/checkpoints/last.ckpt")));
  });
});

describe("thunder start", () => {
  it("requires an absolute experiment path and fails on THUNDER_STANDIN_FAIL", async () => {
    const experiment = await build(singleConfig, "exp-start");
    const relative = await sandbox.thunder(["start", "exp-start"]);
    assert.equal(relative.status, 1);
    assert.equal(relative.stdout, "The `experiment` argument must be an absolute.\n");
    assert.equal(relative.stderr, "Aborted!\n");

    const failing = await sandbox.thunder(["start", experiment], {
      env: { THUNDER_STANDIN_FAIL: "exp-start" },
    });
    assert.equal(failing.status, 1);
    assert.match(failing.stdout, /Traceback \(most recent call last\)/);
    assert.equal(await exists(path.join(experiment, "checkpoints/last.ckpt")), false);

    const ok = await sandbox.thunder(["start", experiment]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      await fs.readFile(path.join(experiment, "checkpoints/last.ckpt"), "utf8"),
      /stand-in checkpoint/,
    );
  });
});

describe("which backend a run uses", () => {
  it("no backends.yml: the built-in cli; several entries without a default: Missing option '--backend'", async () => {
    const experiment = await build(singleConfig, "exp-resolve");
    await fs.rm(sandbox.backendsFile, { force: true });
    const builtin = await sandbox.thunder(["run", experiment, "--n-workers", "1"]);
    assert.equal(builtin.status, 0, builtin.stderr);

    await writeBackends(
      "a:\n  backend: cli\n  config: {n_workers: 2}\nb:\n  backend: slurm\n  config: {cpu: 2}\n",
    );
    const ambiguous = await sandbox.thunder(["run", experiment]);
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /^Usage: thunder run \[OPTIONS\] EXPERIMENT$/m);
    assert.match(ambiguous.stderr, /^Error: Missing option '--backend'\.$/m);

    const chosen = await sandbox.thunder(["run", experiment, "--backend", "a"]);
    assert.equal(chosen.status, 0, chosen.stderr);

    const unknown = await sandbox.thunder(["run", experiment, "--backend", "zzz"]);
    assert.equal(unknown.status, 1);
    assert.ok(
      unknown.stderr.includes(
        "Specified backend `zzz is not among available configs: ['a', 'b', 'cli', 'slurm']`",
      ),
    );
  });

  it("meta.default, else the only entry; engine flags exist only for the resolved engine", async () => {
    const experiment = await build(singleConfig, "exp-default");
    await sandbox.fakeSbatch();
    await writeBackends("only:\n  backend: slurm\n  config:\n    cpu: 3\n");
    const onlyEntry = await sandbox.thunder(["run", experiment]);
    assert.equal(onlyEntry.status, 0, onlyEntry.stderr);
    assert.equal(onlyEntry.stdout, "Submitted batch job 4242\n");
    assert.deepEqual((await sandbox.sbatchCalls()).at(-1)?.slice(0, 2), ["--cpus-per-task", "3"]);

    const cliFlag = await sandbox.thunder(["run", experiment, "--n-workers", "2"]);
    assert.equal(cliFlag.status, 2);
    assert.match(cliFlag.stderr, /Error: No such option: --n-workers/);

    await writeBackends(
      "one:\n  backend: cli\n  config: {n_workers: 1}\ntwo:\n  backend: slurm\n  config: {gpu: 1}\nmeta:\n  default: two\n",
    );
    const byDefault = await sandbox.thunder(["run", experiment, "-g", "2"]);
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.deepEqual(
      (await sandbox.sbatchCalls()).at(-1)?.slice(0, 2),
      ["--gpus-per-node", "2"],
      "the flag overrides",
    );

    const overridden = await sandbox.thunder(["run", experiment, "--backend", "one"]);
    assert.equal(overridden.status, 0, overridden.stderr);
    assert.equal((await sandbox.sbatchCalls()).length, 2, "--backend one ran locally");
    await fs.rm(sandbox.backendsFile);
  });
});

describe("thunder run with the slurm engine", () => {
  it("submits an array job with exactly thunder's sbatch arguments", async () => {
    const experiment = await build(foldsConfig, "exp_slurm folds");
    await sandbox.fakeSbatch();
    await writeBackends(
      "gpu:\n  backend: slurm\n  config:\n    ram: 100G\n    cpu: 4\n    gpu: 1\n    partition: short\n    limit: 2\n",
    );
    const result = await sandbox.thunder([
      "run",
      experiment,
      "--cpus-per-task=8",
      "--nodelist",
      "host[1-5,7]",
      "-t",
      "2h30m",
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, "Submitted batch job 4242\n");
    const args = (await sandbox.sbatchCalls()).at(-1)!;
    const script = args.at(-1)!;
    const log = args[args.indexOf("--output") + 1];
    assert.deepEqual(args, [
      "--array=1-3%2",
      "--mem",
      "100G",
      "--cpus-per-task",
      "8",
      "--gpus-per-node",
      "1",
      "--partition",
      "short",
      "--nodelist",
      "host[1-5,7]",
      "--time",
      "0-02:30:00",
      "--signal=B:INT@30",
      "--job-name",
      "exp_slurm folds",
      "--output",
      log,
      "--error",
      log,
      script,
    ]);
    const unique = path.basename(script).replace(/_cmd\.sh$/, "");
    assert.match(unique, /^exp-slurm-folds-\d{4}-[a-z]{3}\d{2}-\d{2}-\d{2}-\d{2}(_\d+)?$/);
    assert.equal(path.dirname(script), path.join(sandbox.home, ".cache/thunder/slurm/cmdsh"));
    assert.equal(log, path.join(logsFolder(), `${unique}.o%A.%a`));

    // The script really starts node i-1 for array task i.
    const task = await run("bash", [script], { ...sandbox.env, SLURM_ARRAY_TASK_ID: "2" }, sandbox.work);
    assert.equal(task.status, 0, task.stderr);
    assert.ok(await exists(path.join(experiment, "fold_1/checkpoints/last.ckpt")));
    assert.equal(await exists(path.join(experiment, "fold_0/checkpoints")), false);
    const started = (await sandbox.invocations()).at(-1)!;
    assert.deepEqual(started.argv, ["start", experiment, "1"]);
    await fs.rm(sandbox.backendsFile);
  });

  it("submits a single experiment without --array, logging to .o%j; converts and checks times", async () => {
    const experiment = await build(singleConfig, "exp-slurm-single");
    await sandbox.fakeSbatch();
    const times: [string, string][] = [
      ["5d", "5-00:00:00"],
      ["90s", "0-00:01:30"],
      ["12:00", "12:00"],
      ["1-02:03:04", "1-02:03:04"],
      ["1.5 hours", "0-01:30:00"],
    ];
    for (const [given, submitted] of times) {
      const result = await sandbox.thunder(["run", experiment, "--backend", "slurm", "--time", given]);
      assert.equal(result.status, 0, result.stderr);
      const args = (await sandbox.sbatchCalls()).at(-1)!;
      assert.deepEqual(args.slice(0, 4), ["--time", submitted, "--signal=B:INT@30", "--job-name"]);
      assert.match(args[args.indexOf("--output") + 1], /\/exp-slurm-single-[^/]+\.o%j$/);
    }
    const plain = await sandbox.thunder(["run", experiment, "--backend", "slurm"]);
    assert.equal(plain.status, 0);
    const args = (await sandbox.sbatchCalls()).at(-1)!;
    assert.equal(args[0], "--job-name", "no resources, no time: nothing before --job-name");
    const script = await fs.readFile(args.at(-1)!, "utf8");
    assert.equal(script, `#!/bin/bash\nexec ${standInThunder} start ${experiment}\n`);

    const bad = await sandbox.thunder(["run", experiment, "--backend", "slurm", "-t", "soon"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /The time format could not be parsed: soon/);
    const badLimit = await sandbox.thunder(["run", experiment, "--backend", "slurm", "--limit", "0"]);
    assert.equal(badLimit.status, 1);
    assert.match(badLimit.stderr, /The jobs limit, if specified, must be positive/);
    const badInt = await sandbox.thunder(["run", experiment, "--backend", "slurm", "-c", "four"]);
    assert.equal(badInt.status, 2);
    assert.match(
      badInt.stderr,
      /Invalid value for '-c' \/ '--cpu' \/ '--cpus-per-task': 'four' is not a valid integer\./,
    );
  });

  it("prints sbatch's output and exits with its status when sbatch fails", async () => {
    const experiment = await build(singleConfig, "exp-slurm-fails");
    await sandbox.fakeSbatch({ exitStatus: 3, message: "sbatch: error: invalid partition specified: nope" });
    const result = await sandbox.thunder(["run", experiment, "--backend", "slurm", "-p", "nope"]);
    assert.equal(result.status, 3);
    assert.equal(result.stdout, "sbatch: error: invalid partition specified: nope\n");
  });
});
