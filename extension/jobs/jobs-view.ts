/** The Jobs tree: clusters at the top, their jobs (array tasks grouped) below. */
import * as vscode from "vscode";
import type { ClusterManager } from "../clusters/cluster-manager";
import { LOCAL_CLUSTER } from "./command-runner";
import {
  type ArrayGroup,
  arrayIconState,
  countStates,
  describeEntry,
  groupJobs,
  type JobEntry,
  type JobsTreeItem,
  stateIcon,
  tooltipOf,
} from "./jobs-model";
import type { JobsService } from "./jobs-service";

export type JobsNode =
  | { kind: "cluster"; name: string }
  | { kind: "message"; cluster: string; text: string; tooltip?: string; icon: string }
  | JobsTreeItem;

/** Context values carry flags the menus match with regular expressions. */
export function jobContextValue(
  entry: { finished: boolean; experiment: string | undefined; ours: boolean },
  kind: string,
): string {
  const flags = [kind];
  if (!entry.finished) flags.push("active");
  if (entry.experiment !== undefined) flags.push("withExperiment");
  if (entry.ours) flags.push("ours");
  return flags.join(" ");
}

/** How a cluster's connection state reads in its row. */
function clusterStateLabel(state: string): string {
  switch (state) {
    case "idle":
      return "not connected";
    case "connecting":
      return "connecting…";
    case "disconnected":
      // A connection that worked and dropped is retried with backoff until it works again.
      return "connection lost, retrying";
    default:
      return state;
  }
}

export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly clusters: ClusterManager,
    private readonly jobs: JobsService,
    private readonly clusterNames: () => string[],
  ) {
    this.disposables.push(
      jobs.onDidChange(() => this.refreshIfChanged()),
      clusters.onDidChange(() => this.refreshIfChanged()),
    );
  }

  private shownSignature = "";

  /**
   * Re-renders only when a row would look different. A refresh makes VS Code forget its rows for a
   * moment, and a button pressed then reaches its command without the row; most polls change nothing.
   */
  private refreshIfChanged(): void {
    const signature = this.signature();
    if (signature === this.shownSignature) return;
    this.shownSignature = signature;
    this.changed.fire(undefined);
  }

  private signature(): string {
    const rows: unknown[] = [];
    const visit = (nodes: JobsNode[], depth: number) => {
      for (const node of nodes) {
        const item = this.getTreeItem(node);
        const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : "";
        const tooltip = typeof item.tooltip === "string" ? item.tooltip : "";
        rows.push([depth, item.id, item.label, item.description, icon, item.contextValue, tooltip]);
        if (node.kind !== "job" && node.kind !== "message") visit(this.getChildren(node), depth + 1);
      }
    };
    visit(this.getChildren(), 0);
    return JSON.stringify(rows);
  }

  /** When the cluster was last asked, read on hover so that the row itself stays unchanged. */
  resolveTreeItem(item: vscode.TreeItem, node: JobsNode): vscode.TreeItem {
    if (node.kind !== "cluster") return item;
    const refreshedAt = this.jobs.jobsOf(node.name)?.refreshedAt;
    if (refreshedAt !== undefined && typeof item.tooltip === "string")
      item.tooltip = `${item.tooltip}\nUpdated ${refreshedAt.toLocaleTimeString()}.`;
    return item;
  }

  getChildren(node?: JobsNode): JobsNode[] {
    if (node === undefined) return this.clusterNames().map((name) => ({ kind: "cluster", name }));
    if (node.kind === "cluster") return this.clusterChildren(node.name);
    if (node.kind === "array") return node.tasks.map((job) => ({ kind: "job", job }));
    return [];
  }

  /** For reveal(): tasks sit under their array, jobs and arrays under their cluster. */
  getParent(node: JobsNode): JobsNode | undefined {
    if (node.kind === "cluster") return undefined;
    if (node.kind === "message") return { kind: "cluster", name: node.cluster };
    if (node.kind === "array") return { kind: "cluster", name: node.cluster };
    const job = node.job;
    if (job.arrayTaskId !== undefined) {
      const array = this.clusterChildren(job.cluster).find(
        (item) => item.kind === "array" && item.arrayJobId === job.jobId,
      );
      if (array !== undefined) return array;
    }
    return { kind: "cluster", name: job.cluster };
  }

  /** The rows (jobs or arrays, newest first) of the jobs linked to an experiment folder. */
  rowsOfExperiment(folder: string): JobsNode[] {
    return this.clusterNames().flatMap((name) =>
      this.clusterChildren(name).filter(
        (item) =>
          (item.kind === "array" && item.experiment === folder) ||
          (item.kind === "job" && item.job.experiment === folder),
      ),
    );
  }

  private clusterChildren(name: string): JobsNode[] {
    const data = this.jobs.jobsOf(name);
    const nodes: JobsNode[] = [];
    const state = name === LOCAL_CLUSTER ? "connected" : this.clusters.state(name);
    if (data?.error) {
      nodes.push({ kind: "message", cluster: name, text: data.error, tooltip: data.error, icon: "warning" });
    }
    if (data === undefined) {
      const text =
        state === "failed"
          ? (this.clusters.status(name)?.error ?? "The connection failed.")
          : state === "connecting"
            ? "Connecting…"
            : "Not connected. Connect to see your jobs.";
      nodes.push({
        kind: "message",
        cluster: name,
        text,
        tooltip: text,
        icon: state === "failed" ? "error" : "info",
      });
      return nodes;
    }
    const items = groupJobs(name, [...data.entries, ...data.finished]);
    if (items.length === 0) nodes.push({ kind: "message", cluster: name, text: "No jobs.", icon: "info" });
    return [...nodes, ...items];
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    if (node.kind === "cluster") return this.clusterItem(node.name);
    if (node.kind === "message") {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.tooltip;
      item.contextValue = "thunderJobsMessage";
      return item;
    }
    if (node.kind === "array") return this.arrayItem(node);
    return this.jobItem(node.job);
  }

  private clusterItem(name: string): vscode.TreeItem {
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `cluster:${name}`;
    const state = name === LOCAL_CLUSTER ? "connected" : this.clusters.state(name);
    const data = this.jobs.jobsOf(name);
    const active = data?.entries.length ?? 0;
    const parts = [clusterStateLabel(state)];
    if (data !== undefined) parts.push(`${active} in queue`);
    item.description = parts.join(" · ");
    item.iconPath = new vscode.ThemeIcon(
      state === "connected" ? "vm-active" : state === "failed" ? "error" : "vm-outline",
    );
    item.tooltip = this.clusters.status(name)?.error ?? `Cluster ${name}: ${parts.join(", ")}`;
    item.contextValue =
      name === LOCAL_CLUSTER
        ? "thunderCluster local"
        : `thunderCluster ${state === "connected" ? "connected" : "disconnected"}`;
    return item;
  }

  private arrayItem(group: ArrayGroup): vscode.TreeItem {
    const item = new vscode.TreeItem(group.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${group.cluster}:array:${group.arrayJobId}:${group.finished ? "done" : "queued"}`;
    // The counts lead: in a narrow sidebar the end of the description is cut off.
    item.description = `${group.arrayJobId} · ${countStates(group.tasks.map((task) => task.state))}`;
    const icon = stateIcon(arrayIconState(group.tasks.map((task) => task.state)));
    item.iconPath = new vscode.ThemeIcon(
      icon.icon,
      icon.color ? new vscode.ThemeColor(icon.color) : undefined,
    );
    item.tooltip =
      `${group.name}: array job ${group.arrayJobId} on ${group.cluster}, ${group.tasks.length} tasks\n${group.state}` +
      (group.experiment ? `\nExperiment: ${group.experiment}` : "");
    item.contextValue = jobContextValue(group, "thunderJobArray");
    return item;
  }

  private jobItem(entry: JobEntry): vscode.TreeItem {
    const label = entry.arrayTaskId === undefined ? entry.name : `task ${entry.arrayTaskId}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${entry.cluster}:job:${entry.displayId}:${entry.finished ? "done" : "queued"}`;
    item.description =
      describeEntry(entry) + (entry.finished && entry.resources ? ` · ${entry.resources}` : "");
    const icon = entry.stuck
      ? { icon: "warning", color: "problemsWarningIcon.foreground" }
      : stateIcon(entry.state);
    item.iconPath = new vscode.ThemeIcon(
      icon.icon,
      icon.color ? new vscode.ThemeColor(icon.color) : undefined,
    );
    item.tooltip = tooltipOf(entry);
    item.contextValue = jobContextValue(
      entry,
      entry.arrayTaskId === undefined ? "thunderJob" : "thunderJobTask",
    );
    item.command = {
      command: "thunder.jobs.openLog",
      title: "Open Log",
      arguments: [{ kind: "job", job: entry }],
    };
    return item;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
