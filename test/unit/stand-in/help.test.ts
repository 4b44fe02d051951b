import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Sandbox } from "./stand-in-harness";

let sandbox: Sandbox;

before(async () => {
  sandbox = await Sandbox.create();
});
after(async () => {
  await sandbox.dispose();
});

describe("Typer-like help and usage errors", () => {
  it("thunder --help lists every command", async () => {
    const result = await sandbox.thunder(["--help"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage: thunder \[OPTIONS\] COMMAND \[ARGS\]\.\.\.$/m);
    for (const command of ["backend", "build", "build-run", "run", "start", "wandb"]) {
      assert.match(result.stdout, new RegExp(`^  ${command} +\\S`, "m"));
    }
  });

  it("command help shows arguments and options; run shows the resolved engine's flags", async () => {
    const build = await sandbox.thunder(["build", "--help"]);
    assert.equal(build.status, 0);
    assert.match(build.stdout, /^Usage: thunder build \[OPTIONS\] CONFIG EXPERIMENT$/m);
    assert.match(build.stdout, /--update, -u TEXT/);
    assert.match(build.stdout, /--overwrite, -o /);

    const cliRun = await sandbox.thunder(["run", "--help"]);
    assert.match(cliRun.stdout, /--n-workers INTEGER/);
    assert.doesNotMatch(cliRun.stdout, /--cpus-per-task/);

    await fs.mkdir(path.dirname(sandbox.backendsFile), { recursive: true });
    await fs.writeFile(sandbox.backendsFile, "big:\n  backend: slurm\n  config: {}\n");
    const slurmRun = await sandbox.thunder(["run", "--help"]);
    assert.match(slurmRun.stdout, /--cpu, --cpus-per-task, -c INTEGER/);
    assert.match(slurmRun.stdout, /--mem, --ram, -r TEXT/);
    assert.match(slurmRun.stdout, /Choices: big, cli, slurm\. Currently using slurm\./);

    const add = await sandbox.thunder(["backend", "add", "--help"]);
    assert.match(add.stdout, /^Usage: thunder backend add \[OPTIONS\] NAME PARAMS\.\.\.$/m);
    const agent = await sandbox.thunder(["wandb", "agent", "--help"]);
    assert.match(agent.stdout, /^Usage: thunder wandb agent \[OPTIONS\] SWEEP CONFIG ROOT$/m);
  });

  it("usage errors print usage and `Error: ...` on stderr with exit status 2", async () => {
    const cases: [string[], string][] = [
      [[], "Missing command."],
      [["frobnicate"], "No such command 'frobnicate'."],
      [["build", "only-config"], "Missing argument 'EXPERIMENT'."],
      [["build", "a", "b", "--verbose"], "No such option: --verbose"],
      [["build", "a", "b", "-u"], "Option '-u' requires an argument."],
      [["start", "/a", "b", "c"], "Got unexpected extra argument (c)"],
    ];
    for (const [args, message] of cases) {
      const result = await sandbox.thunder(args);
      assert.equal(result.status, 2, args.join(" "));
      assert.match(result.stderr, /^Usage: thunder/m);
      assert.ok(result.stderr.endsWith(`\nError: ${message}\n`), `${args.join(" ")}: ${result.stderr}`);
    }
  });
});
