/**
 * Building and running experiments through the real commands: `thunder.build` and `thunder.run`
 * ask their questions (answered here like a user pressing Enter on every default), then run the
 * stand-in thunder (test/stand-in), which records each invocation it receives.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { test, waitFor } from "./framework";
import { runAcceptingDefaults, withBackendsFile, workspaceFolder } from "./workspace";

interface Invocation {
  argv: string[];
  cwd: string;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with test/extension-host/run.mjs`);
  return value;
}

function invocations(logFile: string): Invocation[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Invocation);
}

test(
  "Build Experiment with the defaults runs `thunder build CONFIG FOLDER` and the folder appears",
  async () => {
    const standIn = requiredEnv("THUNDER_EXTHOST_STANDIN");
    const logFile = requiredEnv("THUNDER_STANDIN_LOG");
    const workspace = workspaceFolder().fsPath;
    const config = join(workspace, "child.config");
    const settings = vscode.workspace.getConfiguration("thunder");
    await settings.update("executable", standIn, vscode.ConfigurationTarget.Global);
    try {
      // The folder box (proposed folder), then the overrides pick, whose first item is "Build".
      await runAcceptingDefaults("thunder.build", vscode.Uri.file(config));
      const build = invocations(logFile).find((invocation) => invocation.argv[0] === "build");
      assert.ok(build, "the stand-in thunder was not asked to build");
      assert.equal(build.argv[1], config);
      const experiment = build.argv[2] ?? "";
      assert.equal(build.argv.length, 3, `unexpected flags: ${build.argv.join(" ")}`);
      assert.ok(experiment.startsWith(join(workspace, "experiments")), `built into ${experiment}`);
      // child.config overrides base.config's lr and inherits its batch_size: the built config has both.
      const built = readFileSync(join(experiment, "experiment.config"), "utf8");
      assert.match(built, /^lr = 1e-2$/m);
      assert.match(built, /^batch_size = 32$/m);
      // The build is remembered: its experiment can be compared with the config it came from.
      // (The experiments list learns about the new folder from a file watcher: retry until it has.)
      const input = await waitFor(
        "Diff Built Config with Source to open a diff",
        async () => {
          await vscode.commands.executeCommand(
            "thunder.experiments.diffWithSource",
            vscode.Uri.file(experiment),
          );
          const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          return tab instanceof vscode.TabInputTextDiff ? tab : undefined;
        },
        10_000,
        300,
      );
      assert.equal(input.original.fsPath, config);
      assert.equal(input.modified.fsPath, join(experiment, "experiment.config"));
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    } finally {
      await settings.update("executable", undefined, vscode.ConfigurationTarget.Global);
      rmSync(join(workspace, "experiments"), { recursive: true, force: true });
    }
  },
  { timeoutMs: 40_000 },
);

test(
  "Run Experiment runs `thunder run EXP --backend=<chosen>` as a task that succeeds",
  async () => {
    const standIn = requiredEnv("THUNDER_EXTHOST_STANDIN");
    const logFile = requiredEnv("THUNDER_STANDIN_LOG");
    const workspace = workspaceFolder().fsPath;
    const experiment = join(workspace, "experiments", "run_me");
    execFileSync(standIn, ["build", "single.config", experiment], { cwd: workspace, encoding: "utf8" });
    assert.ok(existsSync(join(experiment, "experiment.config")), "the stand-in did not build the experiment");
    const settings = vscode.workspace.getConfiguration("thunder");
    await settings.update("executable", standIn, vscode.ConfigurationTarget.Global);
    const ended = new Promise<vscode.TaskProcessEndEvent>((resolve) => {
      const listener = vscode.tasks.onDidEndTaskProcess((event) => {
        if (event.execution.task.definition.type !== "thunder") return;
        listener.dispose();
        resolve(event);
      });
    });
    try {
      // The default backend (the built-in `cli` here) comes first in the pick.
      await withBackendsFile("meta:\n  default: cli\n", async () => {
        // The backend pick, then the empty engine-options box.
        await runAcceptingDefaults("thunder.run", vscode.Uri.file(experiment));
      });
      const end = await Promise.race([
        ended,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000)),
      ]);
      assert.ok(end, "the thunder task did not end within 20 s");
      assert.equal(end.exitCode, 0);
      assert.equal(end.execution.task.definition.experiment, experiment);

      const received = invocations(logFile);
      const run = received.find((invocation) => invocation.argv[0] === "run");
      assert.deepEqual(run?.argv, ["run", experiment, "--backend=cli"]);
      assert.equal(run?.cwd, workspace);
      // The cli engine trains through `thunder start`: the run really happened.
      assert.ok(
        received.some((invocation) => invocation.argv[0] === "start" && invocation.argv[1] === experiment),
        `no thunder start of the experiment among ${JSON.stringify(received.map((invocation) => invocation.argv))}`,
      );
    } finally {
      await settings.update("executable", undefined, vscode.ConfigurationTarget.Global);
      rmSync(join(workspace, "experiments"), { recursive: true, force: true });
    }
  },
  { timeoutMs: 60_000 },
);
