import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { interpretSubmission, planSlurmCommand } from "../../../extension/clusters/slurm-submission";
import {
  experimentTerminal,
  submissionTerminalFolder,
  submissionTranscript,
  TerminalRegistry,
} from "../../../extension/slurm-terminal/submission-transcript";
import { buildRemoteCommand } from "../../../extension/ssh/connection";

const plan = planSlurmCommand(
  {
    kind: "run",
    experiment: "/home/me/proj/exps/it's α",
    backend: "gpu",
    engine: "slurm",
    engineOptions: { time: "10:00" },
  },
  {
    clusterName: "hpc",
    thunderCommand: ["thunder"],
    setupLines: ["module load cuda", "source ~/venv/bin/activate"],
    mappings: [{ local: "/home/me/proj", remote: "/scratch/me/proj" }],
    workingFolder: "/home/me/proj",
  },
);
const commandLine = buildRemoteCommand(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines });
const at = new Date(2026, 10, 25, 15, 4, 5);

/** The transcript without colours, as a reader of the terminal sees it. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

describe("submissionTranscript", () => {
  test("shows the exact command line (setup lines, quoted thunder command) and the job id line", () => {
    const result = { stdout: "Submitted batch job 4242\n", stderr: "", exitCode: 0 };
    const text = plain(submissionTranscript({ commandLine, result, at }));
    const lines = text.split("\r\n");
    assert.deepEqual(lines, [
      "",
      "# Submitted from VS Code at 15:04:05:",
      `$ cd /scratch/me/proj && module load cuda && source ~/venv/bin/activate && thunder run '/scratch/me/proj/exps/it'\\''s α' '--backend=slurm' '--time=10:00'`,
      "Submitted batch job 4242",
      "",
    ]);
    assert.ok(interpretSubmission("hpc", result).ok, "the same output gives the job id to the extension");
  });

  test("every line ends in CRLF, so the terminal starts each one at column 0", () => {
    const result = { stdout: "a\nb\r\nc\n\n", stderr: "warn 1\nwarn 2\n", exitCode: 0 };
    const text = submissionTranscript({ commandLine, result, at });
    assert.doesNotMatch(text, /[^\r]\n/);
    assert.match(plain(text), /\r\na\r\nb\r\nc\r\nwarn 1\r\nwarn 2\r\n$/);
  });

  test("a refused job shows sbatch's error in red, the exit code and the extension's explanation", () => {
    const result = {
      stdout: "",
      stderr: "sbatch: error: Invalid generic resource (gres) specification\n",
      exitCode: 1,
    };
    const outcome = interpretSubmission("hpc", result);
    assert.ok(!outcome.ok);
    const text = submissionTranscript({ commandLine, result, at, failure: outcome.message });
    assert.match(text, /\x1b\[31msbatch: error: Invalid generic resource \(gres\) specification\r\n\x1b\[0m/);
    assert.match(plain(text), /\[exit code 1\]\r\n/);
    assert.ok(plain(text).endsWith(`${outcome.message}\r\n`), text);
  });

  test("a command ended by a signal says so", () => {
    const text = plain(
      submissionTranscript({ commandLine, result: { stdout: "", stderr: "", exitCode: null }, at }),
    );
    assert.match(text, /\[exit code none \(ended by a signal\)\]/);
  });

  test("refuses a multi-line command line rather than showing something that was not run", () => {
    assert.throws(
      () =>
        submissionTranscript({ commandLine: "a\nb", result: { stdout: "", stderr: "", exitCode: 0 }, at }),
      /single line/,
    );
  });
});

describe("the experiment's terminal", () => {
  test("named like Open Slurm Terminal names it; one key per cluster and experiment", () => {
    const spec = experimentTerminal("hpc", "/home/me/proj/exps/e1/", "/scratch/me/proj/exps/e1");
    assert.equal(spec.name, "Slurm: e1 @ hpc");
    assert.equal(spec.cwd, "/scratch/me/proj/exps/e1");
    assert.equal(spec.key, experimentTerminal("hpc", "/home/me/proj/exps/e1", undefined).key);
    assert.notEqual(spec.key, experimentTerminal("other", "/home/me/proj/exps/e1", undefined).key);
    assert.notEqual(spec.key, experimentTerminal("hpc", "/home/me/proj/exps/e2", undefined).key);
  });

  test("starts in the experiment folder, unless a build failed before creating it", () => {
    const where = { experimentPath: "/r/exps/e1", cwd: "/r" };
    assert.equal(submissionTerminalFolder("run", where, 1), "/r/exps/e1");
    assert.equal(submissionTerminalFolder("build", where, 0), "/r/exps/e1");
    assert.equal(submissionTerminalFolder("build-run", where, 0), "/r/exps/e1");
    assert.equal(submissionTerminalFolder("build", where, 1), "/r");
    assert.equal(submissionTerminalFolder("build-run", where, null), "/r");
  });

  test("the registry reuses a terminal until it is closed", () => {
    const registry = new TerminalRegistry<{ id: number }>();
    const first = { id: 1 };
    const second = { id: 2 };
    registry.set("a", first);
    registry.set("b", second);
    assert.equal(registry.get("a"), first);
    registry.forget(first);
    assert.equal(registry.get("a"), undefined);
    assert.equal(registry.get("b"), second);
    assert.equal(registry.size, 1);
  });
});
