/**
 * The backends.yml the extension shows and edits: its path (setting `thunder.backendsFile`, else
 * thunder's own location), the last snapshot read, a watcher, and edits that report parse errors,
 * conflicts and invalid edits to the user instead of writing.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { BackendsModel } from "../backends/backends-document";
import type { BackendsEdit } from "../backends/backends-edits";
import {
  BackendsConflictError,
  BackendsEditError,
  BackendsParseError,
  type BackendsSnapshot,
  readBackendsFile,
  writeBackendsEdit,
} from "../backends/backends-file";
import { resolveBackendsPath } from "../backends/backends-path";

export class BackendsStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: vscode.FileSystemWatcher | undefined;
  filePath = "";
  snapshot: BackendsSnapshot | undefined;
  model: BackendsModel | undefined;
  /** Set when the file could not be read at all (permissions, a folder in its place, ...). */
  readError: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("thunder.backendsFile")) void this.relocate();
      }),
    );
  }

  async relocate(): Promise<void> {
    const setting = vscode.workspace.getConfiguration("thunder").get<string>("backendsFile", "");
    this.filePath = resolveBackendsPath(setting, {
      platform: process.platform,
      homeDir: os.homedir(),
      env: process.env,
    });
    this.watcher?.dispose();
    const folder = vscode.Uri.file(path.dirname(this.filePath));
    this.watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, path.basename(this.filePath)),
    );
    const reload = () => void this.reload();
    this.watcher.onDidCreate(reload);
    this.watcher.onDidChange(reload);
    this.watcher.onDidDelete(reload);
    await this.reload();
  }

  async reload(): Promise<void> {
    try {
      const { snapshot, model } = await readBackendsFile(this.filePath);
      this.snapshot = snapshot;
      this.model = model;
      this.readError = undefined;
    } catch (error) {
      this.snapshot = undefined;
      this.model = undefined;
      this.readError = `Cannot read ${this.filePath}: ${errorText(error)}`;
      this.log.warn(this.readError);
    }
    this.changed.fire();
  }

  /** Applies one edit to the file on disk; reports every failure and returns whether it was written. */
  async edit(edit: BackendsEdit): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage("Backends cannot be edited in an untrusted workspace.");
      return false;
    }
    if (this.snapshot === undefined) await this.reload();
    const snapshot = this.snapshot;
    if (snapshot === undefined) {
      void vscode.window.showErrorMessage(this.readError ?? `Cannot read ${this.filePath}.`);
      return false;
    }
    try {
      this.snapshot = await writeBackendsEdit(snapshot, edit);
      this.log.info(
        `backends.yml: ${edit.kind} ${"name" in edit ? (edit.name ?? "") : ""} written to ${this.filePath}`,
      );
      await this.reload();
      return true;
    } catch (error) {
      if (error instanceof BackendsParseError) {
        await this.showParseError(error.message, error.line);
      } else if (error instanceof BackendsConflictError) {
        await this.reload();
        void vscode.window.showWarningMessage(error.message);
      } else if (error instanceof BackendsEditError) {
        void vscode.window.showErrorMessage(error.message);
      } else {
        this.log.error(`Writing ${this.filePath}: ${errorText(error)}`);
        void vscode.window.showErrorMessage(`Could not write ${this.filePath}: ${errorText(error)}`);
      }
      return false;
    }
  }

  async showParseError(message: string, line: number): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Open File");
    if (choice === "Open File") await this.openFile(line);
  }

  async openFile(line = 0): Promise<void> {
    const uri = vscode.Uri.file(this.filePath);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      void vscode.window.showInformationMessage(
        `${this.filePath} does not exist yet. Add a backend to create it.`,
      );
      return;
    }
    const position = new vscode.Position(Math.max(0, line), 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position) });
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
