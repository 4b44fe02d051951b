/**
 * Extension entry point. Activates on `onLanguage:lazycon` (inferred by VS Code from the
 * contributed language) and on our commands; everything is owned by one ThunderContext.
 */
import type * as vscode from "vscode";
import { registerExperimentFeatures } from "./build-run/register";
import { registerSlurmFeatures } from "./clusters/register";
import { showLogCommand, ThunderContext } from "./context";
import { registerSweepCommands } from "./sweep-commands/register";
import { switchXmlConfigsToXml } from "./xml-config/switch-xml-documents";

let context: ThunderContext | undefined;

export async function activate(extensionContext: vscode.ExtensionContext): Promise<void> {
  const ctx = new ThunderContext(extensionContext);
  context = ctx;
  ctx.own(switchXmlConfigsToXml(ctx.log));
  ctx.registerCommand("thunder.restartLanguageServer", (c) => () => c.restartServer());
  ctx.registerCommand(showLogCommand, (c) => () => c.showLog());
  registerExperimentFeatures(ctx);
  registerSlurmFeatures(ctx);
  registerSweepCommands(ctx);
  ctx.log.info(`Thunder ${extensionContext.extension.packageJSON.version ?? ""} activated.`);
  // Not awaited: activation must not wait for the server; failures are reported by the context.
  void ctx.startServer();
}

export async function deactivate(): Promise<void> {
  await context?.dispose();
  context = undefined;
}
