/**
 * Commands behind the Backends and Experiments views, driven through the real `vscode` API with
 * the arguments the views pass, and checked on disk and in the editor.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { test, waitFor } from "./framework";
import { activeFile, withBackendsFile, workspaceFolder } from "./workspace";

const backendsText = [
  "# Shared cluster backends: this comment must survive edits.",
  "gpu_short:",
  "  backend: slurm",
  "  config:",
  "    partition: debug # the test partition",
  "    cpu: 2",
  "local:",
  "  backend: cli",
  "",
].join("\n");

test(
  "Open backends.yml at a line opens the file named by thunder.backendsFile there",
  async () => {
    await withBackendsFile(backendsText, async (file) => {
      const line = backendsText.split("\n").indexOf("local:");
      await vscode.commands.executeCommand("thunder.backends.openFileAtLine", line);
      assert.equal(activeFile(), file);
      assert.equal(vscode.window.activeTextEditor?.selection.active.line, line);
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    });
  },
  { timeoutMs: 20_000 },
);

test(
  "Set as Default Backend writes meta.default and keeps the file's comments",
  async () => {
    await withBackendsFile(backendsText, async (file) => {
      // The argument the Backends view passes for a built-in backend row.
      await vscode.commands.executeCommand("thunder.backends.setDefault", {
        kind: "built-in",
        name: "cli",
        isDefault: false,
      });
      const written = await waitFor("meta.default in backends.yml", () => {
        const text = readFileSync(file, "utf8");
        return /^meta:\n {2}default: cli$/m.test(text) ? text : undefined;
      });
      for (const kept of [
        "# Shared cluster backends: this comment must survive edits.",
        "    partition: debug # the test partition",
        "local:\n  backend: cli",
      ]) {
        assert.ok(written.includes(kept), `lost ${JSON.stringify(kept)}:\n${written}`);
      }
    });
  },
  { timeoutMs: 20_000 },
);

test("Open Built Config opens experiment.config of an experiment folder", async () => {
  const folder = join(workspaceFolder().fsPath, "experiments", "exthost_exp");
  mkdirSync(folder, { recursive: true });
  const builtConfig = join(folder, "experiment.config");
  writeFileSync(builtConfig, "lr = 0.001\nmax_epochs = 3\n");
  try {
    await vscode.commands.executeCommand("thunder.experiments.openBuiltConfig", vscode.Uri.file(folder));
    await waitFor("experiment.config to be the active editor", () =>
      activeFile() === builtConfig ? true : undefined,
    );
    assert.equal(vscode.window.activeTextEditor?.document.languageId, "lazycon");
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  } finally {
    rmSync(join(workspaceFolder().fsPath, "experiments"), { recursive: true, force: true });
  }
});
