/**
 * What the experiments view shows per experiment and node: running (from the runs the extension
 * knows about), has checkpoints, or not run; the config it was built from, when a build was
 * recorded; and what Slurm says about it. Pure: the scan result plus those inputs.
 */
import * as path from "node:path";
import type { CheckpointInfo, ScannedExperiment } from "./scanner";

export type RunState = "running" | "has-checkpoints" | "not-run";

export interface NodeView {
  name: string;
  folder: string;
  state: RunState;
  newestCheckpoint?: CheckpointInfo;
  /** The state of the array task that runs this fold in the experiment's newest Slurm job. */
  slurm?: ExperimentSlurmState;
}

/**
 * Where the newest Slurm job of an experiment (or a fold's task) is; `submitted`: recorded, not seen
 * by squeue yet; `ended`: left the queue, final state not known (yet).
 */
export type SlurmPhase =
  | "submitted"
  | "ended"
  | "pending"
  | "running"
  | "completed"
  | "failed"
  | "cancelled"
  | "timeout";

export interface ExperimentSlurmState {
  cluster: string;
  /** The job id, or the array job id of an experiment with folds. */
  jobId: string;
  /** For a fold: the index of the array task that runs it. */
  taskId?: string;
  phase: SlurmPhase;
  /** One short line, e.g. `pending (Priority)`, `running 1:02:03`, `2 running, 1 pending`, `completed 5 min ago`. */
  description: string;
  /** Lines for the tooltip: the cluster and job id first. */
  tooltip: string[];
}

export interface ExperimentView {
  folder: string;
  name: string;
  state: RunState;
  newestCheckpoint?: CheckpointInfo;
  nodes: NodeView[];
  /** The source `.config` this folder was built from, when the extension built it. */
  sourceConfig?: string;
  problems: string[];
  /** The newest Slurm job of the experiment, when Slurm knows of one. */
  slurm?: ExperimentSlurmState;
}

/** Key of a known running run: a whole experiment, or one node of it. */
export function runKey(experimentFolder: string, nodeName?: string): string {
  const folder = path.resolve(experimentFolder);
  return nodeName === undefined ? folder : `${folder}\u0000${nodeName}`;
}

export interface BuildRecord {
  /** Source config by experiment folder (absolute paths). */
  readonly [experimentFolder: string]: { config: string } | undefined;
}

export interface StatusInputs {
  /** Keys made with runKey(). */
  running: ReadonlySet<string>;
  builds: BuildRecord;
  /** What Slurm says about the experiment in a folder. */
  slurm?: (experimentFolder: string) => ExperimentSlurmState | undefined;
  /** What Slurm says about each fold (by node name) of the experiment in a folder. */
  slurmFolds?: (
    experimentFolder: string,
    nodeNames: readonly string[],
  ) => ReadonlyMap<string, ExperimentSlurmState>;
}

export function describeExperiment(experiment: ScannedExperiment, inputs: StatusInputs): ExperimentView {
  const wholeRunning = inputs.running.has(runKey(experiment.folder));
  const nodes = experiment.nodes.map((node): NodeView => {
    const running = wholeRunning || inputs.running.has(runKey(experiment.folder, node.name));
    const view: NodeView = {
      name: node.name,
      folder: node.folder,
      state: stateOf(running, node.newestCheckpoint),
    };
    if (node.newestCheckpoint) view.newestCheckpoint = node.newestCheckpoint;
    return view;
  });
  const running = wholeRunning || nodes.some((node) => node.state === "running");
  const view: ExperimentView = {
    folder: experiment.folder,
    name: experiment.name,
    state: stateOf(running, experiment.newestCheckpoint),
    nodes,
    problems: experiment.problems,
  };
  if (experiment.newestCheckpoint) view.newestCheckpoint = experiment.newestCheckpoint;
  const build = inputs.builds[experiment.folder];
  if (build) view.sourceConfig = build.config;
  const slurm = inputs.slurm?.(experiment.folder);
  if (slurm) view.slurm = slurm;
  if (nodes.length > 0 && inputs.slurmFolds) {
    const folds = inputs.slurmFolds(
      experiment.folder,
      nodes.map((node) => node.name),
    );
    for (const node of nodes) {
      const fold = folds.get(node.name);
      if (fold) node.slurm = fold;
    }
  }
  return view;
}

function stateOf(running: boolean, checkpoint: CheckpointInfo | undefined): RunState {
  if (running) return "running";
  return checkpoint ? "has-checkpoints" : "not-run";
}
