/**
 * The Experiments view: built experiment folders with their status (running / checkpoints and
 * when / not run), their folds as children, and the config they were built from.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { ExperimentView, NodeView, RunState } from "../experiments/experiment-status";
import type { ExperimentsState } from "./experiments-state";

export type ExperimentsNode =
  | { kind: "experiment"; experiment: ExperimentView }
  | { kind: "node"; experiment: ExperimentView; node: NodeView }
  | { kind: "source"; experiment: ExperimentView; config: string };

export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentsNode> {
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly state: ExperimentsState) {
    state.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: ExperimentsNode): ExperimentsNode[] {
    if (node === undefined) {
      return this.state.experiments().map((experiment) => ({ kind: "experiment", experiment }));
    }
    if (node.kind !== "experiment") return [];
    const children: ExperimentsNode[] = [];
    if (node.experiment.sourceConfig !== undefined) {
      children.push({ kind: "source", experiment: node.experiment, config: node.experiment.sourceConfig });
    }
    for (const fold of node.experiment.nodes)
      children.push({ kind: "node", experiment: node.experiment, node: fold });
    return children;
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    if (node.kind === "experiment") {
      const { experiment } = node;
      const hasChildren = experiment.nodes.length > 0 || experiment.sourceConfig !== undefined;
      const item = new vscode.TreeItem(
        experiment.name,
        hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = `experiment:${experiment.folder}`;
      item.resourceUri = vscode.Uri.file(experiment.folder);
      item.description = describeState(experiment.state, experiment.newestCheckpoint?.mtimeMs);
      item.iconPath = stateIcon(experiment.state, "beaker");
      const folds = experiment.nodes.length > 0 ? `\n${experiment.nodes.length} folds` : "";
      const source = experiment.sourceConfig ? `\nbuilt from ${experiment.sourceConfig}` : "";
      const problems = experiment.problems.length > 0 ? `\n${experiment.problems.join("\n")}` : "";
      item.tooltip = `${experiment.folder}${folds}${source}${problems}`;
      item.contextValue = [
        "thunderExperiment",
        experiment.nodes.length > 0 ? "withFolds" : "",
        experiment.sourceConfig ? "withSource" : "",
      ]
        .filter(Boolean)
        .join(".");
      item.command = {
        command: "thunder.experiments.openBuiltConfig",
        title: "Open Built Config",
        arguments: [node],
      };
      return item;
    }
    if (node.kind === "source") {
      const item = new vscode.TreeItem(path.basename(node.config));
      item.description = "source config";
      item.iconPath = new vscode.ThemeIcon("file-code");
      item.tooltip = node.config;
      item.contextValue = "thunderExperimentSource";
      item.command = {
        command: "vscode.open",
        title: "Open Source Config",
        arguments: [vscode.Uri.file(node.config)],
      };
      return item;
    }
    const item = new vscode.TreeItem(`fold ${node.node.name}`);
    item.id = `node:${node.experiment.folder}:${node.node.name}`;
    item.resourceUri = vscode.Uri.file(node.node.folder);
    item.description = describeState(node.node.state, node.node.newestCheckpoint?.mtimeMs);
    item.iconPath = stateIcon(node.node.state, "symbol-namespace");
    item.tooltip = node.node.folder;
    item.contextValue = "thunderExperimentNode";
    item.command = {
      command: "thunder.experiments.openBuiltConfig",
      title: "Open Built Config",
      arguments: [node],
    };
    return item;
  }
}

export function describeState(state: RunState, checkpointTime: number | undefined): string {
  if (state === "running") return "running…";
  if (state === "has-checkpoints" && checkpointTime !== undefined)
    return `checkpoint ${relativeTime(checkpointTime)}`;
  return "not run";
}

function stateIcon(state: RunState, idle: string): vscode.ThemeIcon {
  if (state === "running") return new vscode.ThemeIcon("sync~spin");
  if (state === "has-checkpoints")
    return new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"));
  return new vscode.ThemeIcon(idle);
}

function relativeTime(timeMs: number): string {
  const seconds = Math.max(0, Math.round((Date.now() - timeMs) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(timeMs).toISOString().slice(0, 10);
}
