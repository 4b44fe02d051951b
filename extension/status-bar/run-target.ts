/**
 * What the status-bar run button does for the file in the active editor: run the built experiment
 * the file belongs to (a fold's config runs that fold), run the newest experiment built from a
 * source config, or build the source config and run it.
 */
import * as path from "node:path";

export type RunTarget =
  | { kind: "run"; experiment: string; names?: string[]; label: string }
  | { kind: "build-and-run"; config: string; label: string };

export interface RunTargetLookup {
  /** The experiment scanned at `folder`, with its nodes' folders and names. */
  experimentAt(folder: string): { nodes: readonly { name: string; folder: string }[] } | undefined;
  /** The newest experiment folder built from this source config, if it still exists. */
  builtFrom(config: string): string | undefined;
}

export function runTargetFor(filePath: string, lookup: RunTargetLookup): RunTarget | undefined {
  if (!filePath.endsWith(".config")) return undefined;
  const file = path.resolve(filePath);
  const folder = path.dirname(file);
  if (path.basename(file) === "experiment.config") {
    const parent = path.dirname(folder);
    const node = lookup
      .experimentAt(parent)
      ?.nodes.find((candidate) => path.resolve(candidate.folder) === folder);
    if (node !== undefined) {
      return {
        kind: "run",
        experiment: parent,
        names: [node.name],
        label: `${path.basename(parent)} fold ${node.name}`,
      };
    }
    return { kind: "run", experiment: folder, label: path.basename(folder) };
  }
  const built = lookup.builtFrom(file);
  if (built !== undefined) return { kind: "run", experiment: built, label: path.basename(built) };
  return { kind: "build-and-run", config: file, label: path.basename(file) };
}
