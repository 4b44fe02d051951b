/**
 * Finds built experiments (folders holding `experiment.config`) under the configured roots and
 * reads what the experiments view shows: nodes (folds) and the newest checkpoint of each.
 * Async fs with a bounded number of operations in flight; symlinked folders are not followed
 * (no loops), hidden folders, `node_modules` and excluded globs are skipped.
 */
import type { Dirent } from "node:fs";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { createPathMatcher, type PathMatcher } from "./glob";
import { createLimiter, type Limiter } from "./limiter";

export const EXPERIMENT_CONFIG = "experiment.config";
export const NODES_FILE = "nodes.json";
const FOLD_FOLDER = /^fold_(\d+)$/;

export interface CheckpointInfo {
  path: string;
  mtimeMs: number;
}

export interface ExperimentNode {
  name: string;
  /** `EXP/fold_<i>`. */
  folder: string;
  /** Whether the fold folder holds its `experiment.config`. */
  built: boolean;
  newestCheckpoint?: CheckpointInfo;
}

export interface ScannedExperiment {
  folder: string;
  /** The folder name, which thunder uses as the experiment (and Slurm job) name. */
  name: string;
  /** The configured root it was found under. */
  root: string;
  /** Empty for single experiments (no `nodes.json` and no `fold_<i>` folders). */
  nodes: ExperimentNode[];
  /** Newest checkpoint of the experiment (single) or of any of its nodes. */
  newestCheckpoint?: CheckpointInfo;
  /** Things that could not be read, for a tooltip (e.g. a broken nodes.json). */
  problems: string[];
}

export interface ScanOptions {
  roots: readonly string[];
  /** Globs relative to each root; matching folders are not entered. */
  exclude?: readonly string[];
  /** How deep below a root experiments are looked for (default 12). */
  maxDepth?: number;
  /** How deep below an experiment or fold folder checkpoints are looked for (default 4). */
  checkpointDepth?: number;
  /** File system operations in flight at once (default 64). */
  concurrency?: number;
}

const ALWAYS_SKIPPED = new Set(["node_modules", ".git"]);

/** Shared state of one scanner: options compiled once, one limiter for all fs calls. */
export class ExperimentScanner {
  readonly roots: string[];
  private readonly excluded: PathMatcher;
  private readonly hasExcludes: boolean;
  private readonly maxDepth: number;
  private readonly checkpointDepth: number;
  private readonly limit: Limiter;

  constructor(options: ScanOptions) {
    this.roots = options.roots.map((root) => path.resolve(root));
    this.excluded = createPathMatcher(options.exclude ?? []);
    this.hasExcludes = (options.exclude ?? []).some((pattern) => pattern.trim() !== "");
    this.maxDepth = options.maxDepth ?? 12;
    this.checkpointDepth = options.checkpointDepth ?? 4;
    this.limit = createLimiter(options.concurrency ?? 64);
  }

  /** Every experiment under every root, keyed by folder. */
  async scanAll(): Promise<Map<string, ScannedExperiment>> {
    const found = new Map<string, ScannedExperiment>();
    await Promise.all(this.roots.map((root) => this.walk(root, root, 0, found)));
    return found;
  }

  /** The root `target` lies in, if any (the innermost when roots are nested). */
  rootOf(target: string): string | undefined {
    let best: string | undefined;
    for (const root of this.roots) {
      if (isInside(target, root) && (best === undefined || root.length > best.length)) best = root;
    }
    return best;
  }

  /** Whether a path below `root` lies in a skipped folder (hidden, node_modules, .git or excluded). */
  isSkipped(target: string, root: string): boolean {
    const relative = path.relative(root, target);
    if (relative === "") return false;
    const parts = relative.split(path.sep);
    if (parts.some((part) => part.startsWith(".") || ALWAYS_SKIPPED.has(part))) return true;
    for (let depth = 1; depth <= parts.length; depth += 1) {
      if (this.excluded(parts.slice(0, depth).join("/"))) return true;
    }
    return false;
  }

  /** Experiments at or below `folder` (which must lie in a root); none if it is gone. */
  async scanSubtree(folder: string): Promise<Map<string, ScannedExperiment>> {
    const found = new Map<string, ScannedExperiment>();
    const root = this.rootOf(folder);
    if (root === undefined || this.isSkipped(folder, root)) return found;
    const depth = path.relative(root, folder).split(path.sep).filter(Boolean).length;
    // Same reach as a full scan: nothing deeper than maxDepth.
    if (depth > this.maxDepth) return found;
    await this.walk(folder, root, depth, found);
    return found;
  }

  private async walk(
    folder: string,
    root: string,
    depth: number,
    found: Map<string, ScannedExperiment>,
  ): Promise<void> {
    const entries = await this.readFolder(folder);
    if (entries === undefined) return;
    if (entries.some((entry) => entry.name === EXPERIMENT_CONFIG && entry.isFile())) {
      found.set(folder, await this.readExperiment(folder, root, entries));
      return;
    }
    if (depth >= this.maxDepth) return;
    const children: Promise<void>[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || ALWAYS_SKIPPED.has(entry.name)) continue;
      const child = joinPath(folder, entry.name);
      if (this.hasExcludes && this.excluded(relativeSlashPath(root, child))) continue;
      children.push(this.walk(child, root, depth + 1, found));
    }
    await Promise.all(children);
  }

  private async readExperiment(folder: string, root: string, entries: Dirent[]): Promise<ScannedExperiment> {
    const experiment: ScannedExperiment = {
      folder,
      name: path.basename(folder),
      root,
      nodes: [],
      problems: [],
    };
    const foldIndexes = entries
      .filter((entry) => entry.isDirectory() && FOLD_FOLDER.test(entry.name))
      .map((entry) => Number(FOLD_FOLDER.exec(entry.name)![1]))
      .sort((a, b) => a - b);
    let names: string[] | undefined;
    if (entries.some((entry) => entry.name === NODES_FILE && entry.isFile())) {
      names = await this.readNodeNames(path.join(folder, NODES_FILE), experiment.problems);
    }
    if (names === undefined && foldIndexes.length === 0) {
      experiment.newestCheckpoint = await this.newestCheckpoint(folder, entries, 0);
      return experiment;
    }
    // Node i lives in fold_<i> (thunder's Split layout); without nodes.json the folders name the nodes.
    const nodeList = names ?? foldIndexes.map(String);
    const indexes = names ? names.map((_, index) => index) : foldIndexes;
    experiment.nodes = await Promise.all(
      nodeList.map(async (name, position): Promise<ExperimentNode> => {
        const nodeFolder = joinPath(folder, `fold_${indexes[position]}`);
        const nodeEntries = await this.readFolder(nodeFolder);
        const node: ExperimentNode = {
          name,
          folder: nodeFolder,
          built: nodeEntries?.some((entry) => entry.name === EXPERIMENT_CONFIG && entry.isFile()) ?? false,
        };
        if (nodeEntries) {
          const newest = await this.newestCheckpoint(nodeFolder, nodeEntries, 0);
          if (newest) node.newestCheckpoint = newest;
        }
        return node;
      }),
    );
    experiment.newestCheckpoint = newestOf(experiment.nodes.map((node) => node.newestCheckpoint));
    if (experiment.newestCheckpoint === undefined) delete experiment.newestCheckpoint;
    return experiment;
  }

  private async readNodeNames(file: string, problems: string[]): Promise<string[] | undefined> {
    try {
      const parsed: unknown = JSON.parse(await this.limit(() => fs.readFile(file, "utf8")));
      if (!Array.isArray(parsed)) throw new Error("expected a list");
      return parsed.map((node, index) => {
        const name = (node as { name?: unknown } | null)?.name;
        return typeof name === "string" || typeof name === "number" ? String(name) : String(index);
      });
    } catch (error) {
      problems.push(`${NODES_FILE} could not be read: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Newest `*.ckpt` in `folder` and below (bounded depth, fold folders excluded: they are nodes). */
  private async newestCheckpoint(
    folder: string,
    entries: Dirent[],
    depth: number,
  ): Promise<CheckpointInfo | undefined> {
    const candidates: Promise<CheckpointInfo | undefined>[] = [];
    for (const entry of entries) {
      const child = joinPath(folder, entry.name);
      if (entry.isFile() && entry.name.endsWith(".ckpt")) {
        candidates.push(this.checkpointInfo(child));
      } else if (
        entry.isDirectory() &&
        depth < this.checkpointDepth &&
        !entry.name.startsWith(".") &&
        !ALWAYS_SKIPPED.has(entry.name) &&
        !(depth === 0 && FOLD_FOLDER.test(entry.name))
      ) {
        candidates.push(
          this.readFolder(child).then((childEntries) =>
            childEntries ? this.newestCheckpoint(child, childEntries, depth + 1) : undefined,
          ),
        );
      }
    }
    if (candidates.length === 0) return undefined;
    return newestOf(await Promise.all(candidates));
  }

  private async checkpointInfo(file: string): Promise<CheckpointInfo | undefined> {
    try {
      const stats = await this.limit(() => fs.stat(file));
      return { path: file, mtimeMs: stats.mtimeMs };
    } catch {
      return undefined; // Deleted while scanning.
    }
  }

  private async readFolder(folder: string): Promise<Dirent[] | undefined> {
    try {
      return await this.limit(() => fs.readdir(folder, { withFileTypes: true }));
    } catch {
      return undefined; // Gone, not a folder, or unreadable: nothing to show.
    }
  }
}

function newestOf(checkpoints: (CheckpointInfo | undefined)[]): CheckpointInfo | undefined {
  let newest: CheckpointInfo | undefined;
  for (const checkpoint of checkpoints) {
    if (checkpoint === undefined) continue;
    if (
      newest === undefined ||
      checkpoint.mtimeMs > newest.mtimeMs ||
      (checkpoint.mtimeMs === newest.mtimeMs && checkpoint.path < newest.path)
    ) {
      newest = checkpoint;
    }
  }
  return newest;
}

/** `path.join` for a clean absolute folder and a plain entry name, without re-normalising (hot path). */
function joinPath(folder: string, name: string): string {
  return folder.endsWith(path.sep) ? folder + name : folder + path.sep + name;
}

function relativeSlashPath(root: string, target: string): string {
  const relative = target.slice(root.endsWith(path.sep) ? root.length : root.length + 1);
  return path.sep === "/" ? relative : relative.split(path.sep).join("/");
}

export function isInside(target: string, folder: string): boolean {
  return target === folder || target.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}
