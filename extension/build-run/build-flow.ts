/**
 * "Thunder: Build Experiment" and "Build and Run": config, experiment folder (default under
 * `thunder.experiments.root`, clash -> overwrite or a new name), overrides picked from the
 * language server's entries and checked with PyYAML's typing, then `thunder build` with progress.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  type ConfigEntriesResult,
  type ConfigEntry,
  configEntriesRequest,
} from "../../language-server/protocol";
import { pickSourceConfig } from "../configs/pick-config";
import type { ThunderContext } from "../context";
import { checkOverrides, splitOverride } from "../overrides/override-validation";
import { buildArgs, CommandLineError } from "../thunder-cli/command-lines";
import { recognizeThunderError } from "../thunder-cli/thunder-errors";
import type { ExperimentsState } from "../views/experiments-state";
import { locateThunder } from "../which-thunder/locate-thunder";
import { defaultExperimentFolder, describeOverwriteLoss, firstFreeFolder } from "./experiment-target";
import { describeOverrideValue, overridePicks } from "./override-picks";
import { commandLineForLog, lastErrorLine, runThunderProcess } from "./thunder-process";

const lastOverridesKey = "thunder.lastOverrides";

export interface BuildPlan {
  config: string;
  experiment: string;
  overrides: string[];
  overwrite: boolean;
}

export class BuildFlow {
  constructor(
    private readonly ctx: ThunderContext,
    private readonly experiments: ExperimentsState,
  ) {}

  /** Asks for everything a build needs; undefined when the user cancels. */
  async plan(configUri: vscode.Uri | undefined): Promise<BuildPlan | undefined> {
    const config =
      configUri ??
      (await pickSourceConfig(
        "Build Experiment: choose a config",
        "There is no .config file in this workspace to build.",
      ));
    if (config === undefined) return undefined;
    const workspaceFolder =
      vscode.workspace.getWorkspaceFolder(config)?.uri.fsPath ?? path.dirname(config.fsPath);
    const root = vscode.workspace
      .getConfiguration("thunder.experiments", config)
      .get<string>("root", "experiments");
    const suggested = defaultExperimentFolder(workspaceFolder, root, config.fsPath);
    const typed = await vscode.window.showInputBox({
      title: `Build ${path.basename(config.fsPath)}: experiment folder`,
      prompt: "Folder to create (relative to the workspace folder, or absolute)",
      value: path.relative(workspaceFolder, suggested) || suggested,
      validateInput: (value) => (value.trim() === "" ? "Give the experiment a folder." : undefined),
    });
    if (typed === undefined) return undefined;
    let experiment = path.resolve(workspaceFolder, typed.trim());
    let overwrite = false;
    if (existsSync(experiment)) {
      const decision = await this.resolveClash(experiment);
      if (decision === undefined) return undefined;
      experiment = decision.folder;
      overwrite = decision.overwrite;
    }
    const overrides = await this.pickOverrides(config);
    if (overrides === undefined) return undefined;
    return { config: config.fsPath, experiment, overrides, overwrite };
  }

  /** Existing target: overwrite (saying what is lost) or the first free new name. */
  async resolveClash(folder: string): Promise<{ folder: string; overwrite: boolean } | undefined> {
    const loss = describeOverwriteLoss(folder, this.experiments.scanned(folder));
    const newFolder = firstFreeFolder(folder, existsSync);
    const overwriteItem = { label: "$(trash) Overwrite", detail: loss };
    const renameItem = { label: `$(new-folder) Build into ${path.basename(newFolder)}`, detail: newFolder };
    const choice = await vscode.window.showQuickPick([renameItem, overwriteItem], {
      title: `"${path.basename(folder)}" already exists`,
      placeHolder: "Keep the existing experiment, or replace it",
    });
    if (choice === undefined) return undefined;
    return choice === overwriteItem ? { folder, overwrite: true } : { folder: newFolder, overwrite: false };
  }

  async configEntries(config: vscode.Uri): Promise<ConfigEntry[] | undefined> {
    const client = this.ctx.languageClient;
    if (client === undefined) return undefined;
    try {
      const result = await client.sendRequest<ConfigEntriesResult>(configEntriesRequest, {
        uri: config.toString(),
      });
      return result.entries;
    } catch (error) {
      this.ctx.log.warn(`${configEntriesRequest}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** The overrides loop: the list of entries with chosen values, "Build" to finish. */
  async pickOverrides(config: vscode.Uri): Promise<string[] | undefined> {
    const remembered = this.rememberedOverrides(config.fsPath);
    const entries = await this.configEntries(config);
    if (entries === undefined) {
      this.ctx.log.warn(
        "The language server did not list the config's entries; overrides are not checked by name.",
      );
    }
    const chosen = new Map<string, string>();
    for (const text of remembered) {
      const split = splitOverride(text);
      if (split) chosen.set(split.name, split.value);
    }
    const picks = overridePicks(entries ?? [], []);
    const buildLabel = "$(tools) Build";
    const clearLabel = "$(clear-all) Clear overrides";
    const otherLabel = "$(edit) Another name…";
    for (;;) {
      const summary = [...chosen].map(([name, value]) => `${name}=${value}`).join("  ");
      const items: (vscode.QuickPickItem & { name?: string })[] = [
        { label: buildLabel, description: summary === "" ? "no overrides" : summary },
      ];
      if (chosen.size > 0) items.push({ label: clearLabel });
      items.push({ label: "", kind: vscode.QuickPickItemKind.Separator });
      for (const pick of picks) {
        const value = chosen.get(pick.name);
        items.push({
          label: pick.name,
          name: pick.name,
          description: value === undefined ? pick.currentValue : `${pick.currentValue} → ${value}`,
          detail: pick.inherited ? `$(arrow-up) ${pick.origin}` : undefined,
        });
      }
      if (entries === undefined) items.push({ label: otherLabel });
      const choice = await vscode.window.showQuickPick(items, {
        title: `Build ${path.basename(config.fsPath)}: overrides (-u NAME=VALUE)`,
        placeHolder: "Choose an entry to override, or Build",
      });
      if (choice === undefined) return undefined;
      if (choice.label === buildLabel) {
        const overrides = [...chosen].map(([name, value]) => `${name}=${value}`);
        if (entries !== undefined) {
          const check = checkOverrides(
            overrides,
            entries.map((entry) => entry.name),
          );
          const error = check.problems.find((problem) => problem.severity === "error");
          if (error) {
            void vscode.window.showErrorMessage(error.message);
            continue;
          }
        }
        await this.ctx.extensionContext.workspaceState.update(lastOverridesKey, {
          ...this.allRemembered(),
          [config.fsPath]: overrides,
        });
        return overrides;
      }
      if (choice.label === clearLabel) {
        chosen.clear();
        continue;
      }
      let name = choice.name;
      if (choice.label === otherLabel) {
        name = (await vscode.window.showInputBox({ title: "Entry name to override" }))?.trim();
      }
      if (name === undefined || name === "") continue;
      const current = picks.find((pick) => pick.name === name)?.currentValue;
      const value = await askOverrideValue(name, chosen.get(name) ?? current ?? "");
      if (value === undefined) continue;
      chosen.set(name, value);
    }
  }

  private allRemembered(): Record<string, string[]> {
    return this.ctx.extensionContext.workspaceState.get<Record<string, string[]>>(lastOverridesKey, {});
  }

  rememberedOverrides(config: string): string[] {
    return this.allRemembered()[config] ?? [];
  }

  /** Runs `thunder build` with a progress notification; true when it succeeded. */
  async build(plan: BuildPlan): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage("Building experiments is disabled in an untrusted workspace.");
      return false;
    }
    const configUri = vscode.Uri.file(plan.config);
    const thunder = await locateThunder(configUri);
    if (!thunder.ok) {
      this.ctx.log.error(thunder.message);
      void vscode.window.showErrorMessage(thunder.message);
      return false;
    }
    let args: string[];
    try {
      args = buildArgs(plan);
    } catch (error) {
      if (error instanceof CommandLineError) {
        void vscode.window.showErrorMessage(error.message);
        return false;
      }
      throw error;
    }
    const cwd = vscode.workspace.getWorkspaceFolder(configUri)?.uri.fsPath ?? path.dirname(plan.config);
    const invocation = { executable: thunder.executable.path, args, cwd };
    this.ctx.log.info(`$ ${commandLineForLog(invocation)}   (in ${cwd})`);
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Building ${path.basename(plan.experiment)}…`,
      },
      () => runThunderProcess(invocation, (chunk) => this.ctx.log.info(chunk.trimEnd())),
    );
    this.ctx.log.info(
      `thunder build exited with ${outcome.exitCode ?? outcome.startError} after ${outcome.durationMs} ms`,
    );
    if (outcome.exitCode === 0) {
      await this.experiments.recordBuild(plan.experiment, plan.config);
      void vscode.window.showInformationMessage(`Built ${path.basename(plan.experiment)}.`);
      return true;
    }
    const known = recognizeThunderError(outcome.output);
    const message =
      known?.userMessage ??
      (outcome.startError
        ? `Could not start ${thunder.executable.path}: ${outcome.startError}`
        : `thunder build failed: ${lastErrorLine(outcome.output) ?? `exit code ${outcome.exitCode}`}`);
    void vscode.window.showErrorMessage(message, "Show Log").then((choice) => {
      if (choice === "Show Log") this.ctx.showLog();
    });
    return false;
  }
}

/**
 * The value box of one override. Built with createInputBox so the PyYAML reading of the value it
 * opens with (the current or remembered one) shows at once, not only after the first keystroke.
 */
function askOverrideValue(name: string, initial: string): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = `-u ${name}=VALUE`;
  box.prompt = "The value is read by PyYAML (YAML 1.1), as thunder does";
  box.value = initial;
  const check = (value: string): vscode.InputBoxValidationMessage => {
    const described = describeOverrideValue(value);
    if (!described.ok)
      return { message: described.summary, severity: vscode.InputBoxValidationSeverity.Error };
    if (described.warnings.length > 0) {
      return {
        message: `${described.summary}. ${described.warnings.join(" ")}`,
        severity: vscode.InputBoxValidationSeverity.Warning,
      };
    }
    return { message: described.summary, severity: vscode.InputBoxValidationSeverity.Info };
  };
  box.validationMessage = check(initial);
  return new Promise((resolve) => {
    let accepted: string | undefined;
    box.onDidChangeValue((value) => {
      box.validationMessage = check(value);
    });
    box.onDidAccept(() => {
      if (check(box.value).severity === vscode.InputBoxValidationSeverity.Error) return;
      accepted = box.value;
      box.hide();
    });
    box.onDidHide(() => {
      box.dispose();
      resolve(accepted);
    });
    box.show();
  });
}
