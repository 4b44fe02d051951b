/** Choosing a source `.config` (not a built `experiment.config`) for a command. */
import * as path from "node:path";
import * as vscode from "vscode";

/** The active editor's config if there is one, else a pick among the workspace's configs. */
export async function pickSourceConfig(title: string, noneMessage: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.fsPath.endsWith(".config") && path.basename(active.fsPath) !== "experiment.config")
    return active;
  const files = await vscode.workspace.findFiles("**/*.config", "**/{node_modules,.git}/**", 500);
  const candidates = files.filter((uri) => path.basename(uri.fsPath) !== "experiment.config");
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(noneMessage);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    candidates.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title },
  );
  return choice?.uri;
}
