/**
 * Which built experiments are runs of a W&B sweep (`ROOT/<run id>`): those under a root the sweep
 * commands recorded when they launched agents, and, failing that, those in a folder whose experiments
 * all look like W&B run ids. Pure: the Experiments view passes the folders and the recorded launches.
 */
import * as path from "node:path";

/** workspaceState key of the recorded launches: absolute root folder -> sweep and config. */
export const sweepLaunchesKey = "thunder.sweeps.launches";

export interface SweepLaunchRecord {
  sweepPath: string;
  /** The config every run was built from (absolute local path). */
  config: string;
}

export type SweepLaunches = Readonly<Record<string, SweepLaunchRecord | undefined>>;

/** The launches with this one added (a later launch into the same root replaces the earlier one). */
export function withSweepLaunch(
  launches: SweepLaunches,
  root: string,
  record: SweepLaunchRecord,
): SweepLaunches {
  return {
    ...launches,
    [path.resolve(root)]: { sweepPath: record.sweepPath, config: path.resolve(record.config) },
  };
}

/** W&B run ids as folder names: lowercase letters and digits. */
const RUN_ID = /^[a-z0-9]+$/;
/** Without a recorded launch, ids must look generated (a letter and a digit) so `exp1`-style names in a folder of two are rarer matches; at least two runs. */
const GUESSED_RUN_ID = /^(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[0-9])[a-z0-9]{3,}$/;
const MIN_GUESSED_RUNS = 2;

export interface SweepGroup {
  root: string;
  /** From the recorded launch; undefined for a folder recognised by its run ids. */
  sweepPath?: string;
  config?: string;
  /** Experiment folders of the runs, sorted. */
  runs: string[];
}

export interface SweepGrouping {
  sweeps: SweepGroup[];
  /** Experiment folders that are not sweep runs, in the order given. */
  others: string[];
}

export function groupBySweep(experimentFolders: readonly string[], launches: SweepLaunches): SweepGrouping {
  const byParent = new Map<string, string[]>();
  for (const folder of experimentFolders) {
    const parent = path.dirname(path.resolve(folder));
    byParent.set(parent, [...(byParent.get(parent) ?? []), folder]);
  }
  const grouped = new Set<string>();
  const sweeps: SweepGroup[] = [];
  for (const [parent, folders] of byParent) {
    const launch = launches[parent];
    const names = folders.map((folder) => path.basename(folder));
    let runs: string[];
    if (launch !== undefined) runs = folders.filter((folder) => RUN_ID.test(path.basename(folder)));
    else if (names.length >= MIN_GUESSED_RUNS && names.every((name) => GUESSED_RUN_ID.test(name)))
      runs = folders;
    else continue;
    if (runs.length === 0) continue;
    for (const run of runs) grouped.add(run);
    sweeps.push({
      root: parent,
      sweepPath: launch?.sweepPath,
      config: launch?.config,
      runs: [...runs].sort(),
    });
  }
  sweeps.sort((a, b) => a.root.localeCompare(b.root));
  return { sweeps, others: experimentFolders.filter((folder) => !grouped.has(folder)) };
}
