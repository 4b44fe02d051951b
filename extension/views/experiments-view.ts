/**
 * The Experiments view: built experiment folders with their status (running / their Slurm job's
 * state / checkpoints and when / not run), their folds as children (each with the state of the array
 * task running it), and the config they were built from. The runs of a
 * W&B sweep (`ROOT/<run id>`) are grouped under their sweep, each with the entries the sweep changed.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import type { ExperimentView, NodeView, RunState, SlurmPhase } from "../experiments/experiment-status";
import { describeOverrides, groupSweepRuns, type RunOverride } from "../sweeps/sweep-runs";
import { timeAgo } from "./experiments-jobs";
import type { ExperimentsState } from "./experiments-state";
import { groupBySweep, type SweepGroup } from "./sweep-groups";

export type ExperimentsNode =
  | { kind: "sweep"; group: SweepGroup }
  /** `overrides`: for the run of a sweep whose source config is known, what the sweep changed. */
  | { kind: "experiment"; experiment: ExperimentView; overrides?: RunOverride[] }
  | { kind: "node"; experiment: ExperimentView; node: NodeView }
  | { kind: "source"; experiment: ExperimentView; config: string };

export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentsNode> {
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly state: ExperimentsState) {
    state.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: ExperimentsNode): ExperimentsNode[] | Promise<ExperimentsNode[]> {
    if (node === undefined) {
      const experiments = this.state.experiments();
      const byFolder = new Map(experiments.map((experiment) => [experiment.folder, experiment]));
      const { sweeps, others } = groupBySweep([...byFolder.keys()], this.state.sweepLaunches());
      return [
        ...sweeps.map((group): ExperimentsNode => ({ kind: "sweep", group })),
        ...others.map(
          (folder): ExperimentsNode => ({ kind: "experiment", experiment: byFolder.get(folder)! }),
        ),
      ];
    }
    if (node.kind === "sweep") return this.sweepRuns(node.group);
    if (node.kind !== "experiment") return [];
    const children: ExperimentsNode[] = [];
    if (node.experiment.sourceConfig !== undefined) {
      children.push({ kind: "source", experiment: node.experiment, config: node.experiment.sourceConfig });
    }
    for (const fold of node.experiment.nodes)
      children.push({ kind: "node", experiment: node.experiment, node: fold });
    return children;
  }

  /** The runs of a sweep with their overrides: each built config against the sweep's source config. */
  private async sweepRuns(group: SweepGroup): Promise<ExperimentsNode[]> {
    const experiments = group.runs
      .map((folder) => this.state.experiment(folder))
      .filter((experiment): experiment is ExperimentView => experiment !== undefined);
    const sourceConfig = group.config ?? experiments.find((run) => run.sourceConfig)?.sourceConfig;
    const source = sourceConfig === undefined ? undefined : await readText(sourceConfig);
    if (source === undefined) return experiments.map((experiment) => ({ kind: "experiment", experiment }));
    const built = await Promise.all(
      experiments.map(async (experiment) => ({
        folderName: path.basename(experiment.folder),
        configText: (await readText(path.join(experiment.folder, "experiment.config"))) ?? "",
      })),
    );
    const runs = groupSweepRuns({ root: group.root, source, runs: built }).runs;
    const overridesOf = new Map(runs.map((run) => [run.runId, run.overrides]));
    return experiments.map((experiment) => ({
      kind: "experiment",
      experiment,
      overrides: overridesOf.get(path.basename(experiment.folder)),
    }));
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    if (node.kind === "sweep") {
      const { group } = node;
      const item = new vscode.TreeItem(
        group.sweepPath ?? path.basename(group.root),
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.id = `sweep:${group.root}`;
      item.resourceUri = vscode.Uri.file(group.root);
      const runs = `${group.runs.length} run${group.runs.length === 1 ? "" : "s"}`;
      // Agents submitted as an array job are recorded against the sweep's root folder.
      const agents = this.state.slurmJobs()?.stateOf(group.root, Date.now());
      item.description = [
        group.sweepPath === undefined ? `${runs} (W&B run ids)` : `sweep · ${runs}`,
        agents ? `agents on Slurm: ${agents.description}` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      item.iconPath = new vscode.ThemeIcon("graph-line");
      item.tooltip = [
        group.sweepPath === undefined
          ? `${group.root}\nrecognised as a sweep by its run ids`
          : `W&B sweep ${group.sweepPath}\nruns in ${group.root}`,
        group.config === undefined ? "" : `built from ${group.config}`,
        ...(agents?.tooltip ?? []),
      ]
        .filter(Boolean)
        .join("\n");
      item.contextValue = "thunderSweep";
      return item;
    }
    if (node.kind === "experiment") {
      const { experiment } = node;
      const hasChildren = experiment.nodes.length > 0 || experiment.sourceConfig !== undefined;
      const item = new vscode.TreeItem(
        experiment.name,
        hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = `experiment:${experiment.folder}`;
      item.resourceUri = vscode.Uri.file(experiment.folder);
      // A run in a local terminal is the freshest news; else Slurm's, else what is on disk.
      const slurm = experiment.state === "running" ? undefined : experiment.slurm;
      const state = slurm
        ? `Slurm: ${slurm.description}`
        : describeState(experiment.state, experiment.newestCheckpoint?.mtimeMs);
      item.description =
        node.overrides === undefined ? state : `${describeOverrides(node.overrides)} · ${state}`;
      item.iconPath = slurm ? slurmIcon(slurm.phase) : stateIcon(experiment.state, "beaker");
      const folds = experiment.nodes.length > 0 ? `\n${experiment.nodes.length} folds` : "";
      const source = experiment.sourceConfig ? `\nbuilt from ${experiment.sourceConfig}` : "";
      const overrides =
        node.overrides === undefined || node.overrides.length === 0
          ? ""
          : `\nsweep overrides:${node.overrides.map((o) => `\n  ${o.name}: ${o.sourceValue} → ${o.builtValue}`).join("")}`;
      const problems = experiment.problems.length > 0 ? `\n${experiment.problems.join("\n")}` : "";
      const slurmLines = experiment.slurm ? `\n${experiment.slurm.tooltip.join("\n")}` : "";
      item.tooltip = `${experiment.folder}${folds}${source}${overrides}${slurmLines}${problems}`;
      item.contextValue = [
        "thunderExperiment",
        experiment.nodes.length > 0 ? "withFolds" : "",
        experiment.sourceConfig ? "withSource" : "",
        experiment.slurm ? "withJobs" : "",
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
    // As on the experiment's row: a local run first, else the Slurm task running this fold, else the disk.
    const slurm = node.node.state === "running" ? undefined : node.node.slurm;
    item.description = slurm
      ? `Slurm: ${slurm.description}`
      : describeState(node.node.state, node.node.newestCheckpoint?.mtimeMs);
    item.iconPath = slurm ? slurmIcon(slurm.phase) : stateIcon(node.node.state, "symbol-namespace");
    item.tooltip = [node.node.folder, ...(node.node.slurm?.tooltip ?? [])].join("\n");
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

function slurmIcon(phase: SlurmPhase): vscode.ThemeIcon {
  const icons: Record<SlurmPhase, [string, string | undefined]> = {
    submitted: ["cloud-upload", undefined],
    ended: ["history", undefined],
    pending: ["clock", "charts.yellow"],
    running: ["sync~spin", "charts.blue"],
    completed: ["pass", "testing.iconPassed"],
    failed: ["error", "testing.iconFailed"],
    timeout: ["watch", "testing.iconFailed"],
    cancelled: ["circle-slash", "disabledForeground"],
  };
  const [icon, color] = icons[phase];
  return new vscode.ThemeIcon(icon, color === undefined ? undefined : new vscode.ThemeColor(color));
}

function relativeTime(timeMs: number): string {
  return timeAgo(timeMs, Date.now());
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}
