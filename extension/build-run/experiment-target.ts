/**
 * Where a build goes and what an overwrite would destroy. Pure: the callers pass what they know
 * about the disk (an `exists` check, the scanned experiment).
 */
import * as path from "node:path";
import type { ScannedExperiment } from "../experiments/scanner";

const CONFIG_EXTENSION = ".config";

/** `<root>/<config name without .config>`; a relative root is taken from the workspace folder. */
export function defaultExperimentFolder(
  workspaceFolder: string,
  experimentsRoot: string,
  config: string,
): string {
  const root = path.resolve(workspaceFolder, experimentsRoot.trim() === "" ? "experiments" : experimentsRoot);
  const base = path.basename(config);
  const name = base.endsWith(CONFIG_EXTENSION) ? base.slice(0, -CONFIG_EXTENSION.length) : base;
  return path.join(root, name === "" ? "experiment" : name);
}

/** The folder itself when free, else the first of `folder-2`, `folder-3`, ... that is. */
export function firstFreeFolder(folder: string, exists: (candidate: string) => boolean): string {
  if (!exists(folder)) return folder;
  for (let suffix = 2; ; suffix += 1) {
    const candidate = `${folder}-${suffix}`;
    if (!exists(candidate)) return candidate;
  }
}

/** What `thunder build -o` deletes, in words for the confirmation. */
export function describeOverwriteLoss(folder: string, experiment: ScannedExperiment | undefined): string {
  const name = path.basename(folder);
  if (experiment === undefined) {
    return `"${name}" already exists and will be deleted with everything in it before building.`;
  }
  const parts: string[] = [];
  if (experiment.nodes.length > 0)
    parts.push(`${experiment.nodes.length} folds (${experiment.nodes.map((node) => node.name).join(", ")})`);
  const withCheckpoints = experiment.nodes.filter((node) => node.newestCheckpoint !== undefined).length;
  if (experiment.newestCheckpoint) {
    const when = new Date(experiment.newestCheckpoint.mtimeMs).toISOString().replace("T", " ").slice(0, 16);
    const where =
      experiment.nodes.length > 0 ? ` in ${withCheckpoints} of ${experiment.nodes.length} folds` : "";
    parts.push(`its checkpoints${where} (newest ${when} UTC) and logs`);
  } else {
    parts.push("no checkpoints yet");
  }
  return `Overwriting deletes the experiment "${name}": ${parts.join(", ")}.`;
}
