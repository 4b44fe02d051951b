/**
 * A run's command in the experiment's Slurm terminal, against the real sshd + Slurm: the submission
 * runs once over an exec channel the way the extension runs it, the terminal (a real pty shell)
 * shows that exact command line and sbatch's answer, then a live shell in the experiment folder;
 * a second submission is shown in the same terminal. thunder is asked to run exactly once per submission.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { interpretSubmission, planSlurmCommand } from "../../extension/clusters/slurm-submission";
import { shQuote } from "../../extension/remote/posix-quote";
import { scancelArgs } from "../../extension/slurm/scancel";
import { SshPseudoterminal } from "../../extension/slurm-terminal/ssh-pseudoterminal";
import {
  submissionTerminalFolder,
  submissionTranscript,
} from "../../extension/slurm-terminal/submission-transcript";
import { buildRemoteCommand, type SshConnection } from "../../extension/ssh/connection";
import { loadClusterInfo, REPO, scratchFolder, trustedConnection, waitFor } from "./cluster-env";

const STAND_IN = join(REPO, "test/stand-in/thunder");
const LOCAL_PROJECT = "/local/ws";

let ssh: SshConnection;
let scratch: { path: string; remove: () => void };
let base = "";
const submitted: string[] = [];

before(async () => {
  scratch = scratchFolder();
  ssh = await trustedConnection(loadClusterInfo(), scratch.path);
  const home = (await ssh.exec(["pwd"], { cwd: "~" })).stdout.trim();
  base = `${home}/thunder-submission-terminal-${process.pid}`;
  const written = await ssh.exec(
    [
      "sh",
      "-c",
      'mkdir -p "$(dirname "$1")" "$2" && cat > "$1"',
      "sh",
      `${base}/ws/c.config`,
      `${base}/home`,
    ],
    { stdin: "lr = 0.1\nmodule = None\n" },
  );
  assert.equal(written.exitCode, 0, written.stderr);
});

after(async () => {
  if (submitted.length > 0) await ssh.exec(scancelArgs(submitted)).catch(() => undefined);
  await ssh.exec(["rm", "-rf", base]).catch(() => undefined);
  await ssh.close();
  scratch.remove();
});

/** thunder calls the stand-in recorded, by subcommand. */
async function thunderCalls(kind: string): Promise<string[][]> {
  const log = await ssh.exec(["cat", `${base}/argv.jsonl`]);
  return log.stdout
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    .filter((argv) => argv[0] === kind);
}

describe("a submission shown in the experiment's Slurm terminal", { timeout: 90_000 }, () => {
  test("the command line and `Submitted batch job N`, then a live shell in the experiment folder", async () => {
    const target = {
      clusterName: "test-cluster",
      thunderCommand: [STAND_IN],
      setupLines: [
        `export HOME=${shQuote(`${base}/home`)}`,
        `export THUNDER_STANDIN_LOG=${shQuote(`${base}/argv.jsonl`)}`,
        "export THUNDER_STANDIN_TRAIN_SECONDS=1",
      ],
      mappings: [{ local: LOCAL_PROJECT, remote: `${base}/ws` }],
      workingFolder: LOCAL_PROJECT,
    };
    const experiment = `${LOCAL_PROJECT}/exps/term exp 'q'`;
    const common = { experiment, backend: "slurm", engine: "slurm" } as const;
    const build = planSlurmCommand({ ...common, kind: "build", config: `${LOCAL_PROJECT}/c.config` }, target);
    const built = await ssh.exec(build.args, { cwd: build.cwd, setupLines: build.setupLines });
    assert.equal(built.exitCode, 0, built.stdout + built.stderr);

    // Submitted once, over exec, exactly as runOnSlurm does; the job id comes from this result.
    const plan = planSlurmCommand({ ...common, kind: "run", engineOptions: { time: "5:00" } }, target);
    const result = await ssh.exec(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines });
    const outcome = interpretSubmission("test-cluster", result);
    assert.ok(outcome.ok, result.stdout + result.stderr);
    submitted.push(...outcome.jobIds);
    const [jobId] = outcome.jobIds;
    const commandLine = buildRemoteCommand(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines });

    let output = "";
    const pty = new SshPseudoterminal({
      clusterName: "test-cluster",
      openShell: (size) => ssh.shell(size),
      cwd: submissionTerminalFolder("run", plan, result.exitCode),
      initialLines: ["export PS1='$ '"],
      prelude: submissionTranscript({ commandLine, result, at: new Date() }),
    });
    pty.onDidWrite((text) => {
      output += text;
    });
    pty.open({ columns: 200, rows: 30 });
    assert.ok(output.includes(`$ ${commandLine}\r\n`), `the command line is shown:\n${output}`);
    assert.ok(output.includes(`Submitted batch job ${jobId}\r\n`), `the job id line is shown:\n${output}`);
    // Shown before the shell connects, so the shell's prompt comes after it.
    assert.ok(output.indexOf(`Submitted batch job ${jobId}`) < output.indexOf("Connecting to cluster"));

    pty.handleInput('echo "at:$(pwd)"\r');
    await waitFor("the shell's answer", async () =>
      output.includes(`at:${plan.experimentPath}`) ? true : undefined,
    );

    // A second submission of the same experiment is shown in the same (still open) terminal.
    const again = await ssh.exec(plan.args, { cwd: plan.cwd, setupLines: plan.setupLines });
    const second = interpretSubmission("test-cluster", again);
    assert.ok(second.ok, again.stdout + again.stderr);
    submitted.push(...second.jobIds);
    pty.showText(submissionTranscript({ commandLine, result: again, at: new Date() }));
    assert.ok(output.includes(`Submitted batch job ${second.jobIds[0]}\r\n`), output);
    pty.handleInput("echo still-$((6*7))\r");
    await waitFor("the shell to go on", async () => (output.includes("still-42") ? true : undefined));

    // Nothing was run by the terminal: thunder received one `run` per submission.
    assert.equal((await thunderCalls("run")).length, 2);
    pty.close();
  });
});
