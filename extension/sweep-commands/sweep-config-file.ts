/**
 * Where "Thunder: Create Sweep Config" writes the sweep YAML and the `wandb sweep` command that
 * creates the sweep from it. Pure: whether a file exists is asked through a function.
 */
import * as path from "node:path";
import type { ConfigEntry } from "../../language-server/protocol";
import { shJoin } from "../remote/posix-quote";
import { generateSweepYaml } from "../sweeps/sweep-yaml";

/**
 * `train.config` -> `train.sweep.yaml` next to it; when taken, `train.sweep-2.yaml`, `-3`, ...
 * An existing sweep file is never overwritten: it may hold the user's edits.
 */
export function sweepConfigPath(configPath: string, exists: (candidate: string) => boolean): string {
  const folder = path.dirname(configPath);
  const stem = path.basename(configPath).replace(/\.config$/, "");
  for (let attempt = 1; ; attempt++) {
    const candidate = path.join(folder, `${stem}.sweep${attempt === 1 ? "" : `-${attempt}`}.yaml`);
    if (!exists(candidate)) return candidate;
  }
}

/** `wandb sweep FILE`, run in the YAML's folder (so `program` resolves to the config beside it). */
export function wandbSweepCommand(yamlPath: string): { argv: string[]; cwd: string; text: string } {
  const argv = ["wandb", "sweep", path.basename(yamlPath)];
  return { argv, cwd: path.dirname(yamlPath), text: shJoin(argv) };
}

export type SweepEntry = Pick<ConfigEntry, "name" | "value"> & Partial<Pick<ConfigEntry, "kind">>;

/** Entries offered in the picker: assignments only (functions and imports are not values). */
export function sweepableEntries<T extends SweepEntry>(entries: readonly T[]): T[] {
  return entries.filter((entry) => entry.kind === undefined || entry.kind === "assignment");
}

/** Names picked by default: those whose current value can seed a parameter (literals, not thunder's own). */
export function defaultPickedNames(entries: readonly SweepEntry[]): Set<string> {
  const probe = generateSweepYaml({ programPath: "probe.config", method: "random", entries });
  return new Set(probe.parameters);
}
