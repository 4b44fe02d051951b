/** Registers the W&B sweep commands; the one entry point main.ts calls. */
import * as path from "node:path";
import * as vscode from "vscode";
import type { ThunderContext } from "../context";
import { SweepConfigCreator } from "./create-config-flow";
import { SweepLauncher } from "./launch-flow";

export const launchSweepAgentsCommand = "thunder.sweeps.launchAgents";
export const createSweepConfigCommand = "thunder.sweeps.createConfig";

export function registerSweepCommands(ctx: ThunderContext): void {
  const launcher = new SweepLauncher(ctx);
  ctx.own(launcher);
  const creator = new SweepConfigCreator(ctx, (config) => launcher.launch({ config }));
  ctx.registerCommand(
    launchSweepAgentsCommand,
    () => (arg) =>
      reportingErrors(ctx, launchSweepAgentsCommand, async () => {
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage(
            "Launching sweep agents is disabled until you trust this workspace.",
          );
          return;
        }
        await launcher.launch({ config: configUriOf(arg) });
      }),
  );
  ctx.registerCommand(
    createSweepConfigCommand,
    () => (arg) => reportingErrors(ctx, createSweepConfigCommand, () => creator.create(configUriOf(arg))),
  );
}

/** A `.config` the command was invoked on (Explorer or editor context menu); built configs are not sources. */
function configUriOf(arg: unknown): vscode.Uri | undefined {
  if (!(arg instanceof vscode.Uri) || !arg.fsPath.endsWith(".config")) return undefined;
  return path.basename(arg.fsPath) === "experiment.config" ? undefined : arg;
}

async function reportingErrors(ctx: ThunderContext, id: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.error(`${id}: ${message}`);
    void vscode.window.showErrorMessage(`Thunder: ${message}`, "Show Log").then((choice) => {
      if (choice === "Show Log") ctx.showLog();
    });
  }
}
