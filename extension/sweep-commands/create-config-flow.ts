/**
 * "Thunder: Create Sweep Config": pick entries of a config (from the language server's
 * `thunder/configEntries`), a search method, and get a W&B sweep YAML saved next to the config,
 * opened in an editor, with the `wandb sweep` command and a button to launch agents afterwards.
 *
 * The YAML is saved beside the config rather than left untitled: `wandb sweep FILE` needs a file
 * on disk, and `program` (the config) is resolved relative to the folder it runs in.
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
import { generateSweepYaml, SWEEP_METHODS, type SweepMethod } from "../sweeps/sweep-yaml";
import {
  defaultPickedNames,
  sweepableEntries,
  sweepConfigPath,
  wandbSweepCommand,
} from "./sweep-config-file";

const methodDetails: Record<SweepMethod, string> = {
  random: "Samples parameters at random from ranges (numbers as ranges, log scale for positive floats)",
  grid: "Tries every combination of value lists (numbers as a few values around the current one)",
  bayes: "Bayesian optimisation over ranges toward the metric",
};

export class SweepConfigCreator {
  constructor(
    private readonly ctx: ThunderContext,
    private readonly launchAgents: (config: vscode.Uri) => Promise<void>,
  ) {}

  async create(configUri: vscode.Uri | undefined): Promise<void> {
    const config =
      configUri ??
      (await pickSourceConfig(
        "Create Sweep Config: choose a config",
        "There is no .config file in this workspace to sweep over.",
      ));
    if (config === undefined) return;
    const entries = await this.configEntries(config);
    if (entries === undefined) return;
    const offered = sweepableEntries(entries);
    if (offered.length === 0) {
      void vscode.window.showInformationMessage(
        `${path.basename(config.fsPath)} has no assignments to sweep over.`,
      );
      return;
    }
    const picked = defaultPickedNames(offered);
    const chosen = await vscode.window.showQuickPick(
      offered.map((entry) => ({
        label: entry.name,
        description: oneLine(entry.value),
        detail: entry.inherited
          ? `inherited from ${path.basename(vscode.Uri.parse(entry.definedIn).fsPath)}`
          : undefined,
        picked: picked.has(entry.name),
        entry,
      })),
      {
        title: `Create Sweep Config (1/2): entries of ${path.basename(config.fsPath)} to sweep`,
        placeHolder: "Parameters are seeded from the current values",
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (chosen === undefined || chosen.length === 0) return;
    const method = await vscode.window.showQuickPick(
      SWEEP_METHODS.map((name) => ({ label: name, detail: methodDetails[name], method: name })),
      { title: "Create Sweep Config (2/2): search method", ignoreFocusOut: true },
    );
    if (method === undefined) return;

    const target = sweepConfigPath(config.fsPath, existsSync);
    const result = generateSweepYaml({
      programPath: path.relative(path.dirname(target), config.fsPath),
      method: method.method,
      entries: chosen.map((item) => item.entry),
      fileName: path.basename(target),
    });
    await vscode.workspace.fs.writeFile(vscode.Uri.file(target), Buffer.from(result.text, "utf8"));
    this.ctx.log.info(
      `Wrote ${target}: parameters ${result.parameters.join(", ") || "(none)"}` +
        (result.skipped.length > 0
          ? `; not swept: ${result.skipped.map((entry) => `${entry.name} (${entry.reason})`).join("; ")}`
          : ""),
    );
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: false });

    const command = wandbSweepCommand(target);
    this.ctx.log.info(`Create the sweep with: cd ${command.cwd} && ${command.text}`);
    const answer = await vscode.window.showInformationMessage(
      `Created ${path.basename(target)}. Create the sweep with \`${command.text}\` (in the folder of ${path.basename(config.fsPath)}), then launch agents with the sweep id it prints.`,
      "Launch Agents…",
      "Copy Command",
    );
    if (answer === "Copy Command") await vscode.env.clipboard.writeText(command.text);
    else if (answer === "Launch Agents…") await this.launchAgents(config);
  }

  private async configEntries(config: vscode.Uri): Promise<ConfigEntry[] | undefined> {
    const client = this.ctx.languageClient;
    if (client === undefined) {
      void vscode.window.showErrorMessage(
        "The Thunder language server is not running, so the config's entries are unknown. Restart it (Thunder: Restart Language Server) and try again.",
      );
      return undefined;
    }
    const result = await client.sendRequest<ConfigEntriesResult>(configEntriesRequest, {
      uri: config.toString(),
    });
    return result.entries;
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
