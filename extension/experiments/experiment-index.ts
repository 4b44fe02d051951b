/**
 * The set of experiments under the roots, kept current from file-watcher events: each event is
 * mapped to the smallest folder whose experiments may have changed (the experiment it lies in, a
 * new experiment's folder, or the created/deleted folder itself), and only those are rescanned.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import {
  EXPERIMENT_CONFIG,
  ExperimentScanner,
  isInside,
  type ScannedExperiment,
  type ScanOptions,
} from "./scanner";

export interface FileEvent {
  type: "created" | "changed" | "deleted";
  path: string;
}

export interface IndexChange {
  added: string[];
  updated: string[];
  removed: string[];
}

export class ExperimentIndex {
  private readonly scanner: ExperimentScanner;
  private experiments = new Map<string, ScannedExperiment>();
  // Batches are applied one after another: a slow scan of an older batch finishing after a newer
  // one would otherwise remove what the newer batch found (a folder scanned before its config existed).
  private applying: Promise<unknown> = Promise.resolve();

  constructor(options: ScanOptions) {
    this.scanner = new ExperimentScanner(options);
  }

  /** Full scan; replaces everything known. */
  async rescanAll(): Promise<IndexChange> {
    const next = await this.scanner.scanAll();
    const change = diff(this.experiments, next, () => true);
    this.experiments = next;
    return change;
  }

  /** Experiments sorted by folder. */
  list(): ScannedExperiment[] {
    return [...this.experiments.values()].sort((a, b) =>
      a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0,
    );
  }

  get(folder: string): ScannedExperiment | undefined {
    return this.experiments.get(path.resolve(folder));
  }

  get size(): number {
    return this.experiments.size;
  }

  /** Applies watcher events without a full rescan and reports which experiments changed. */
  applyEvents(events: readonly FileEvent[]): Promise<IndexChange> {
    const applied = this.applying.then(() => this.applyNow(events));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  private async applyNow(events: readonly FileEvent[]): Promise<IndexChange> {
    const folders: string[] = [];
    for (const event of events) {
      const folder = await this.folderToRescan(path.resolve(event.path));
      if (folder !== undefined && !folders.includes(folder)) folders.push(folder);
    }
    // A folder inside another one to rescan is covered by it.
    const outermost = folders.filter(
      (folder) => !folders.some((other) => other !== folder && isInside(folder, other)),
    );
    const scans = await Promise.all(outermost.map((folder) => this.scanner.scanSubtree(folder)));
    const rescanned = new Set(outermost);
    const after = new Map<string, ScannedExperiment>();
    for (const scan of scans) for (const [folder, experiment] of scan) after.set(folder, experiment);
    // One pass over the known experiments; each checks its own ancestors against the rescanned folders.
    const change = diff(this.experiments, after, (folder) => this.hasRescannedAncestor(folder, rescanned));
    for (const removed of change.removed) this.experiments.delete(removed);
    for (const [folder, experiment] of after) this.experiments.set(folder, experiment);
    return change;
  }

  private hasRescannedAncestor(folder: string, rescanned: ReadonlySet<string>): boolean {
    const root = this.scanner.rootOf(folder);
    for (let current = folder; ; current = path.dirname(current)) {
      if (rescanned.has(current)) return true;
      if (current === root || path.dirname(current) === current) return false;
    }
  }

  private async folderToRescan(target: string): Promise<string | undefined> {
    const root = this.scanner.rootOf(target);
    if (root === undefined || this.scanner.isSkipped(target, root)) return undefined;
    for (let folder = target; isInside(folder, root); folder = path.dirname(folder)) {
      if (this.experiments.has(folder)) return folder;
      if (folder === root) break;
    }
    if (path.basename(target) === EXPERIMENT_CONFIG) return path.dirname(target);
    // A file inside an experiment the index does not know yet (its own events were lost or came
    // out of order): the experiment is the nearest folder above with an experiment.config.
    for (let folder = path.dirname(target); folder !== root && isInside(folder, root); ) {
      if (await exists(path.join(folder, EXPERIMENT_CONFIG))) return folder;
      const parent = path.dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
    return target;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** What differs between `before` and `after`, looking only at folders `inScope` accepts. */
function diff(
  before: Map<string, ScannedExperiment>,
  after: Map<string, ScannedExperiment>,
  inScope: (folder: string) => boolean,
): IndexChange {
  const change: IndexChange = { added: [], updated: [], removed: [] };
  for (const [folder, experiment] of after) {
    const previous = before.get(folder);
    if (previous === undefined) change.added.push(folder);
    else if (JSON.stringify(previous) !== JSON.stringify(experiment)) change.updated.push(folder);
  }
  for (const folder of before.keys()) {
    if (inScope(folder) && !after.has(folder)) change.removed.push(folder);
  }
  return change;
}
