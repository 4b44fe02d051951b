import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import {
  findOnPath,
  interpretSubmission,
  planSlurmCommand,
  type SlurmRunRequest,
  slurmBackendChoices,
} from "../../../extension/clusters/slurm-submission";
import { buildRemoteCommand } from "../../../extension/ssh/connection";

const remote = {
  clusterName: "hpc",
  thunderCommand: ["thunder"],
  setupLines: ["module load cuda"],
  mappings: [{ local: "/home/me/proj", remote: "~/proj" }],
  workingFolder: "/home/me/proj",
};

const run: SlurmRunRequest = {
  kind: "run",
  experiment: "/home/me/proj/exps/e1",
  backend: "gpu_short",
  engine: "slurm",
  engineOptions: { ram: "100G", cpu: 4, gpu: null, partition: "short" },
};

describe("planSlurmCommand", () => {
  test("remote: mapped paths, built-in slurm backend with the entry's options as flags, setup lines kept", () => {
    const plan = planSlurmCommand({ ...run, names: ["0", "2"] }, remote);
    assert.equal(plan.experimentPath, "~/proj/exps/e1");
    assert.equal(plan.cwd, "~/proj");
    assert.deepEqual(plan.setupLines, ["module load cuda"]);
    assert.equal(plan.args[0], "thunder");
    assert.equal(plan.args[1], "run");
    assert.ok(
      plan.args.includes("--backend=slurm") || plan.args.join(" ").includes("--backend slurm"),
      plan.args.join(" "),
    );
    const text = plan.args.join(" ");
    assert.match(text, /100G/);
    assert.match(text, /short/);
    assert.doesNotMatch(text, /gpu/, "null options are not sent");
    assert.match(text, /0,2/);
  });

  test("local (this machine's sbatch): local paths and the chosen backend name", () => {
    const plan = planSlurmCommand(run, {
      ...remote,
      mappings: undefined,
      setupLines: [],
      thunderCommand: ["/venv/bin/thunder"],
    });
    assert.equal(plan.experimentPath, "/home/me/proj/exps/e1");
    assert.equal(plan.args[0], "/venv/bin/thunder");
    assert.match(plan.args.join(" "), /gpu_short/);
  });

  test("an experiment outside every mapped folder is refused with a message naming the cluster", () => {
    assert.throws(
      () => planSlurmCommand({ ...run, experiment: "/tmp/e1" }, remote),
      /in no folder mapped for cluster "hpc"/,
    );
  });

  test("build-run maps the config too; a cli backend is refused", () => {
    const plan = planSlurmCommand(
      { ...run, kind: "build-run", config: "/home/me/proj/configs/base.config", overrides: ["lr=0.1"] },
      remote,
    );
    assert.deepEqual(plan.args.slice(0, 4), [
      "thunder",
      "build-run",
      "~/proj/configs/base.config",
      "~/proj/exps/e1",
    ]);
    assert.ok(plan.args.includes("lr=0.1"));
    assert.throws(() => planSlurmCommand({ ...run, engine: "cli" }, remote), /cli engine/);
  });

  test("hostile paths and option values arrive intact through a real POSIX shell", () => {
    const hostile = '/home/me/proj/exps/it\'s $(rm -rf ~) `x` "q" ; a&b\\c';
    const plan = planSlurmCommand(
      { ...run, experiment: hostile, engineOptions: { partition: "p;echo hacked", ram: "1G" } },
      {
        ...remote,
        setupLines: [],
        thunderCommand: ["python3", "-c", "import json,sys; print(json.dumps(sys.argv[1:]))"],
      },
    );
    // The command the SSH layer sends, run by sh without a cd (the folder does not exist here).
    const command = buildRemoteCommand(plan.args, {});
    const result = spawnSync("sh", ["-c", command], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const received = JSON.parse(result.stdout) as string[];
    assert.deepEqual(received, plan.args.slice(3));
    assert.ok(received.includes('~/proj/exps/it\'s $(rm -rf ~) `x` "q" ; a&b\\c'));
    assert.ok(received.some((arg) => arg.includes("p;echo hacked")));
  });
});

describe("interpretSubmission", () => {
  test("job ids from thunder's output", () => {
    const outcome = interpretSubmission("hpc", {
      stdout: "Submitted batch job 42\n",
      stderr: "",
      exitCode: 0,
    });
    assert.deepEqual(outcome, { ok: true, jobIds: ["42"] });
  });

  test("sbatch rejections name the cluster and the backend option to change", () => {
    const outcome = interpretSubmission("hpc", {
      stdout: "",
      stderr:
        "sbatch: error: Memory specification can not be satisfied\nsbatch: error: Batch job submission failed: Requested node configuration is not available\n",
      exitCode: 1,
    });
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.match(outcome.message, /cluster "hpc"/);
    assert.match(outcome.message, /`ram`/);
  });

  test("thunder missing on the cluster, and other failures", () => {
    const missing = interpretSubmission("hpc", {
      stdout: "",
      stderr: "bash: thunder: command not found\n",
      exitCode: 127,
    });
    assert.ok(!missing.ok);
    assert.match(missing.message, /thunderCommand/);
    const other = interpretSubmission("hpc", {
      stdout: "",
      stderr: "Trying to run experiment from folder /x, but it does not exist.\nAborted!\n",
      exitCode: 1,
    });
    assert.ok(!other.ok);
    assert.match(other.message, /exit code 1\): Trying to run experiment from folder \/x/);
    const silent = interpretSubmission("hpc", { stdout: "ok\n", stderr: "", exitCode: 0 });
    assert.ok(!silent.ok);
    assert.match(silent.message, /no "Submitted batch job"/);
  });
});

describe("slurmBackendChoices", () => {
  test("slurm entries with their options, the default first, built-in slurm last", () => {
    const choices = slurmBackendChoices({
      entries: [
        { name: "local", engine: "cli", options: [{ key: "n_workers", value: 2 }] },
        {
          name: "gpu",
          engine: "slurm",
          options: [
            { key: "gpu", value: 1 },
            { key: "ram", value: null },
          ],
        },
        { name: "cpu", engine: "slurm", options: [{ key: "cpu", value: 8 }] },
      ],
      defaultName: "cpu",
    });
    assert.deepEqual(
      choices.map((choice) => [choice.name, choice.options, choice.isDefault]),
      [
        ["cpu", { cpu: 8 }, true],
        ["gpu", { gpu: 1 }, false],
        ["slurm", {}, false],
      ],
    );
  });
});

describe("findOnPath", () => {
  test("the first folder holding the program wins; empty entries are skipped", () => {
    const present = new Set(["/b/sbatch", "/c/sbatch"]);
    assert.equal(
      findOnPath("sbatch", "/a::/b/:/c", (file) => present.has(file)),
      "/b/sbatch",
    );
    assert.equal(
      findOnPath("sbatch", undefined, () => true),
      undefined,
    );
    assert.equal(
      findOnPath("sbatch", "/a", (file) => present.has(file)),
      undefined,
    );
  });
});
