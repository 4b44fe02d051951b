/** W&B sweep commands through the real `vscode` API. */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { parse } from "yaml";
import { test } from "./framework";
import { acceptDefaultsUntil, activeFile, workspaceFolder } from "./workspace";

test(
  "Create Sweep Config with the defaults writes <config>.sweep.yaml seeded from the config's entries",
  async () => {
    const workspace = workspaceFolder().fsPath;
    const config = join(workspace, "child.config");
    const target = join(workspace, "child.sweep.yaml");
    assert.ok(!existsSync(target));
    const running = Promise.resolve(
      vscode.commands.executeCommand("thunder.sweeps.createConfig", vscode.Uri.file(config)),
    );
    try {
      // The entries pick (the sweepable ones come checked), then the method pick (first: grid).
      await acceptDefaultsUntil("the sweep YAML to open", () => activeFile() === target);
      const sweep = parse(readFileSync(target, "utf8")) as {
        program?: string;
        method?: string;
        parameters?: Record<string, unknown>;
      };
      assert.equal(sweep.program, "child.config");
      assert.equal(sweep.method, "grid");
      const parameters = Object.keys(sweep.parameters ?? {});
      // child.config's own lr and max_epochs, and batch_size inherited from base.config.
      for (const name of ["lr", "max_epochs", "batch_size"]) {
        assert.ok(parameters.includes(name), `${name} is not swept: ${parameters.join(", ")}`);
      }
    } finally {
      // The command ends when its closing notification (hidden in this mode) is dismissed.
      await vscode.commands.executeCommand("notifications.clearAll");
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
      rmSync(target, { force: true });
    }
  },
  { timeoutMs: 30_000 },
);
