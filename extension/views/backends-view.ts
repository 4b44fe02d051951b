/**
 * The Backends view: backends.yml entries (engine, options as children, the default marked), the
 * built-ins `cli` and `slurm`, and the file's problems (with the line, opening the file on click).
 */
import * as vscode from "vscode";
import type { BackendEntry, BackendOption, BackendsProblem } from "../backends/backends-document";
import { BUILT_IN_BACKENDS } from "../backends/engine-options";
import type { BackendsStore } from "./backends-store";

export type BackendsNode =
  | { kind: "entry"; entry: BackendEntry; isDefault: boolean }
  | { kind: "option"; entry: BackendEntry; option: BackendOption }
  | { kind: "built-in"; name: string; isDefault: boolean }
  | { kind: "problem"; problem: BackendsProblem }
  | { kind: "file"; path: string };

export const openBackendsAtLineCommand = "thunder.backends.openFileAtLine";

export class BackendsTreeProvider implements vscode.TreeDataProvider<BackendsNode> {
  private readonly changed = new vscode.EventEmitter<BackendsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: BackendsStore) {
    store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: BackendsNode): BackendsNode[] {
    if (node?.kind === "entry") {
      return node.entry.options.map((option) => ({ kind: "option", entry: node.entry, option }));
    }
    if (node !== undefined) return [];
    const model = this.store.model;
    const nodes: BackendsNode[] = [];
    if (this.store.readError !== undefined) {
      nodes.push({
        kind: "problem",
        problem: {
          message: this.store.readError,
          severity: "error",
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
      });
    }
    for (const problem of model?.problems ?? []) nodes.push({ kind: "problem", problem });
    const builtIns: readonly string[] = BUILT_IN_BACKENDS;
    for (const entry of model?.entries ?? []) {
      if (builtIns.includes(entry.name)) continue;
      nodes.push({ kind: "entry", entry, isDefault: entry.name === model?.defaultName });
    }
    for (const name of BUILT_IN_BACKENDS)
      nodes.push({ kind: "built-in", name, isDefault: name === model?.defaultName });
    return nodes;
  }

  getTreeItem(node: BackendsNode): vscode.TreeItem {
    switch (node.kind) {
      case "entry": {
        const item = new vscode.TreeItem(
          node.entry.name,
          node.entry.options.length > 0
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `entry:${node.entry.name}`;
        item.description = `${node.entry.engine}${node.isDefault ? " · default" : ""}`;
        item.iconPath = new vscode.ThemeIcon(node.isDefault ? "star-full" : "server-environment");
        item.contextValue = node.isDefault ? "thunderBackend.default" : "thunderBackend";
        item.tooltip = `${node.entry.name}: engine ${node.entry.engine}${node.isDefault ? " (the default backend)" : ""}`;
        return item;
      }
      case "option": {
        const item = new vscode.TreeItem(node.option.key);
        item.id = `option:${node.entry.name}:${node.option.key}`;
        item.description = node.option.sourceText;
        item.iconPath = new vscode.ThemeIcon("symbol-property");
        item.contextValue = "thunderBackendOption";
        item.tooltip = `${node.entry.name}.${node.option.key} = ${node.option.sourceText} (click to edit)`;
        item.command = { command: "thunder.backends.editOption", title: "Edit Option", arguments: [node] };
        return item;
      }
      case "built-in": {
        const item = new vscode.TreeItem(node.name);
        item.id = `built-in:${node.name}`;
        item.description = `built-in${node.isDefault ? " · default" : ""}`;
        item.iconPath = new vscode.ThemeIcon(node.isDefault ? "star-full" : "server");
        item.contextValue = "thunderBuiltInBackend";
        item.tooltip = `The built-in ${node.name} engine with its default options.`;
        return item;
      }
      case "problem": {
        const line = node.problem.range.start.line;
        // The line comes first: long YAML messages are cut off at the view's edge.
        const item = new vscode.TreeItem(`Line ${line + 1}: ${node.problem.message}`);
        item.iconPath = new vscode.ThemeIcon(node.problem.severity === "error" ? "error" : "warning");
        item.tooltip = `${node.problem.message} (line ${line + 1}). Click to open backends.yml.`;
        item.contextValue = "thunderBackendsProblem";
        item.command = { command: openBackendsAtLineCommand, title: "Open File", arguments: [line] };
        return item;
      }
      case "file":
        return new vscode.TreeItem(node.path);
    }
  }
}
