/**
 * The status-bar run button: shown for a `.config` in the active editor, runs (or builds and runs)
 * it with the last backend, and spins while a run of it is going.
 */
import * as vscode from "vscode";
import type { RunFlow } from "../build-run/run-flow";
import type { ExperimentsState } from "../views/experiments-state";
import { type RunTarget, runTargetFor } from "./run-target";

export const runActiveCommand = "thunder.runActiveEditor";

export class RunButton implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly experiments: ExperimentsState,
    private readonly runs: RunFlow,
  ) {
    this.item = vscode.window.createStatusBarItem("run", vscode.StatusBarAlignment.Left, 50);
    this.item.name = "Thunder Run";
    this.item.command = runActiveCommand;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.update()),
      experiments.onDidChange(() => this.update()),
      runs.onDidChangeRuns(() => this.update()),
    );
    this.update();
  }

  target(): RunTarget | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (document === undefined || document.uri.scheme !== "file") return undefined;
    return runTargetFor(document.uri.fsPath, {
      experimentAt: (folder) => this.experiments.scanned(folder),
      builtFrom: (config) => this.experiments.builtFrom(config),
    });
  }

  update(): void {
    const target = vscode.workspace.isTrusted ? this.target() : undefined;
    if (target === undefined) {
      this.item.hide();
      return;
    }
    const backend = this.runs.lastBackend;
    const on = backend ? ` on ${backend}` : "";
    if (target.kind === "run" && this.runs.isRunning(target.experiment)) {
      this.item.text = `$(sync~spin) Running ${target.label}`;
      this.item.tooltip = `thunder run ${target.label} is going; its terminal shows the output.`;
    } else if (target.kind === "run") {
      this.item.text = `$(play) Run ${target.label}`;
      this.item.tooltip = `thunder run ${target.experiment}${on}`;
    } else {
      this.item.text = `$(play) Build and Run`;
      this.item.tooltip = `Build ${target.label} into a new experiment and run it${on}`;
    }
    this.item.show();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
