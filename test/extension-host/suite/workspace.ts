/** Helpers over the test workspace (a temporary copy of examples/workspace made by the runner). */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** The file of the active editor, if it shows one on disk. */
export function activeFile(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor?.document.uri.scheme === "file" ? editor.document.uri.fsPath : undefined;
}

/**
 * Points `thunder.backendsFile` at a fresh backends.yml holding `text` for the body, then restores
 * the setting. The body starts once the extension reads that file (never the user's own).
 */
export async function withBackendsFile(text: string, body: (file: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "thunder-exthost-backends-"));
  const file = join(folder, "backends.yml");
  writeFileSync(file, text);
  const settings = vscode.workspace.getConfiguration("thunder");
  await settings.update("backendsFile", file, vscode.ConfigurationTarget.Global);
  try {
    // The extension re-reads the setting asynchronously: retry until Open backends.yml opens ours.
    await waitFor(
      "the extension to use the configured backends.yml",
      async () => {
        await vscode.commands.executeCommand("thunder.backends.openFile");
        return activeFile() === file ? true : undefined;
      },
      10_000,
      200,
    );
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    await body(file);
  } finally {
    await settings.update("backendsFile", undefined, vscode.ConfigurationTarget.Global);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Presses Enter on whatever quick input is open (a user accepting every default) until `done`. */
export async function acceptDefaultsUntil(
  what: string,
  done: () => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      if (done()) return true;
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      return undefined;
    },
    timeoutMs,
    300,
  );
}

/** Runs a command that asks questions, accepting every default (proposed value, first pick). */
export async function runAcceptingDefaults(command: string, ...args: unknown[]): Promise<void> {
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand(command, ...args)).finally(() => {
    settled = true;
  });
  await acceptDefaultsUntil(`${command} to finish`, () => settled);
  await running;
}
