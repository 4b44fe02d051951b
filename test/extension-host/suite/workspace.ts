/** Helpers over the test workspace (a temporary copy of examples/workspace made by the runner). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { waitFor } from "./framework";

export const extensionId = "thunder-tools.thunder-vscode";

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the tests need an open workspace folder");
  return folder.uri;
}

export function workspaceFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder(), name);
}

export async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

export async function openDocument(name: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  await vscode.window.showTextDocument(document);
  return document;
}

/** The 0-based position of the `occurrence`-th (0-based) `text` in the document, plus `offset` characters. */
export function positionOf(
  document: vscode.TextDocument,
  text: string,
  occurrence = 0,
  offset = 0,
): vscode.Position {
  const content = document.getText();
  let index = -1;
  for (let seen = 0; seen <= occurrence; seen++) {
    index = content.indexOf(text, index + 1);
    if (index < 0) throw new Error(`${JSON.stringify(text)} occurs fewer than ${occurrence + 1} times`);
  }
  return document.positionAt(index + offset);
}

/** The 0-based line of `file` (in the workspace) whose text starts with `prefix`. */
export function lineStartingWith(name: string, prefix: string): number {
  const lines = readFileSync(workspaceFile(name).fsPath, "utf8").split("\n");
  const line = lines.findIndex((text) => text.startsWith(prefix));
  if (line < 0) throw new Error(`${name} has no line starting with ${JSON.stringify(prefix)}`);
  return line;
}

/** The language id VS Code currently gives an open document (it changes after `setTextDocumentLanguage`). */
export function currentLanguageId(uri: vscode.Uri): string | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString())
    ?.languageId;
}

export async function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<readonly vscode.Diagnostic[]> {
  return waitFor(
    what,
    () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      return accept(diagnostics) ? diagnostics : undefined;
    },
    timeoutMs,
  );
}

/** PIDs of language servers run from this extension's dist/server.js (this machine runs the host). */
export function languageServerPids(extensionPath: string): number[] {
  const serverScript = join(extensionPath, "dist", "server.js");
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (commandLine.includes(serverScript)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === "string" ? content : content.value))
    .join("\n");
}
