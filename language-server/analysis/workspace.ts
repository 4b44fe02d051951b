/**
 * The config graph: every `.config` file the service knows (open documents and files read
 * through the FileSystemHost), how parent imports resolve (exactly like lazycon), the scope
 * each file sees (own + inherited names), and which files are children of which.
 */
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as ast from "../parser/ast";
import { ParsedDocument, parse, type TextSource } from "../parser/index";
import type { FileSystemHost, ServiceSettings } from "../service";
import { analyzeFile, type FileAnalysis, type ParentImport } from "./file";
import { buildFails, lazyconError, type Problem } from "./problems";
import type { EntryDefinition } from "./statement";

export const CONFIG_EXTENSION = ".config";

export interface SourceFile {
  /** Cache key: the absolute path for file URIs, else the URI itself. */
  key: string;
  uri: string;
  /** Absolute path, when the file lives on disk. */
  path: string | undefined;
  text: string;
  module: ast.Module;
  /** Present while the file is open in the editor. */
  document?: ParsedDocument;
  /** Increases on every change of this file (service-wide counter). */
  stamp: number;
  analysisCache?: FileAnalysis;
  /** The analysis before the latest edit, for analyzeFile to reuse (consumed on the next analysis). */
  staleAnalysis?: FileAnalysis;
  /** Not a lazycon config at all (e.g. an XML `web.config`): no diagnostics, not part of families. */
  foreign: boolean;
}

/** `.config` is also the extension of XML configs (ASP.NET, NuGet): those start with `<`. */
export function looksLikeXml(text: TextSource): boolean {
  if (typeof text === "string") return /^\uFEFF?\s*</.test(text);
  // Read only as much of an open document as the leading white space needs.
  for (let prefix = 256; ; prefix *= 4) {
    const start = text.slice(0, prefix);
    if (start.length === text.length || !/^\uFEFF?\s*$/.test(start)) return /^\uFEFF?\s*</.test(start);
  }
}

export interface ResolvedParent {
  parent: ParentImport;
  /** The parent's file, when it resolved and could be read. */
  file?: SourceFile;
  /** Where lazycon would look (for messages). */
  path?: string;
  /** Why it failed, as a problem at the import line. */
  problem?: Problem;
}

/** An entry in effect for a file: which file defines it and how. */
export interface ScopeEntry {
  file: SourceFile;
  definition: EntryDefinition;
}

export type Scope = Map<string, ScopeEntry>;

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(filePath: string): string {
  return pathToFileURL(filePath).href;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Shared by every file without parents (never modified), so that it can be compared by identity. */
const EMPTY_SCOPE: Scope = new Map();

const SKIPPED_FOLDERS = new Set(["node_modules", "__pycache__", "site-packages"]);
const MAX_SCANNED_FILES = 20000;

export class ConfigWorkspace {
  private readonly files = new Map<string, SourceFile>();
  private stampCounter = 0;
  /** Bumped when anything on disk may have changed (watcher events, settings). */
  private diskEpoch = 0;
  private readonly scopeCache = new Map<string, { stamps: string; scope: Scope }>();
  private readonly parentCache = new Map<
    string,
    { stamp: number; epoch: number; parents: ResolvedParent[] }
  >();
  private childIndex: { epoch: number; stamps: string; children: Map<string, Set<string>> } | undefined;
  /** `.config` files under the workspace folders: walked once per settings change, then kept up to date by fileChanged. */
  private scannedConfigs: { epoch: number; paths: Set<string> } | undefined;
  private settingsEpoch = 0;
  /** Whether a parent import was ever looked up on sys.path (only then does a new sys.path matter). */
  private sysPathConsulted = false;

  settings: ServiceSettings = { shortcuts: {}, sysPath: [], workspaceFolders: [] };

  constructor(readonly host: FileSystemHost) {}

  updateSettings(settings: Partial<ServiceSettings>): void {
    const before = this.settings;
    const after = { ...before, ...settings };
    this.settings = after;
    // The server applies its settings again after the editor answers, and sys.path arrives
    // while the first document is being checked: when that changes nothing a lookup depends
    // on, the caches stay (no second full check of a large config right after it opened).
    const foldersChanged = !sameJson(before.workspaceFolders, after.workspaceFolders);
    const lookupsChanged =
      !sameJson(before.shortcuts, after.shortcuts) ||
      (this.sysPathConsulted && !sameJson(before.sysPath, after.sysPath));
    if (foldersChanged || lookupsChanged) this.diskEpoch++;
    if (foldersChanged) this.settingsEpoch++;
  }

  keyOf(uri: string): string {
    return uriToPath(uri) ?? uri;
  }

  // ------------------------------------------------------------ documents

  open(uri: string, text: string): SourceFile {
    const document = new ParsedDocument(text);
    const filePath = uriToPath(uri);
    const file: SourceFile = {
      key: filePath ?? uri,
      uri,
      path: filePath,
      // Joined only when read: the analysis reads the document's chunks instead.
      get text() {
        return document.text;
      },
      module: document.module,
      document,
      stamp: ++this.stampCounter,
      foreign: looksLikeXml(document.source.text),
    };
    this.files.set(file.key, file);
    return file;
  }

  change(uri: string, edits: { range?: ast.Range; text: string }[]): SourceFile | undefined {
    const file = this.files.get(this.keyOf(uri));
    if (!file?.document) return undefined;
    for (const edit of edits) {
      if (edit.range) file.document.applyEdits([{ range: edit.range, text: edit.text }]);
      else file.document.setText(edit.text);
    }
    file.module = file.document.module;
    file.foreign = looksLikeXml(file.document.source.text);
    file.stamp = ++this.stampCounter;
    file.staleAnalysis = file.analysisCache ?? file.staleAnalysis;
    file.analysisCache = undefined;
    return file;
  }

  close(uri: string): void {
    // Forget the editor's text: the file on disk is what counts again.
    this.files.delete(this.keyOf(uri));
    this.diskEpoch++;
  }

  /** A file changed on disk (or appeared / disappeared). Open documents keep the editor's text. */
  fileChanged(uri: string): void {
    const key = this.keyOf(uri);
    const file = this.files.get(key);
    if (!file?.document) this.files.delete(key);
    this.diskEpoch++;
    const filePath = uriToPath(uri);
    if (this.scannedConfigs && filePath?.endsWith(CONFIG_EXTENSION) && this.isInWorkspace(filePath)) {
      if (this.host.stat(filePath) === "file") this.scannedConfigs.paths.add(filePath);
      else this.scannedConfigs.paths.delete(filePath);
    } else if (filePath && this.host.stat(filePath) === "directory") {
      // A folder appeared or moved: walk again next time.
      this.scannedConfigs = undefined;
    }
  }

  private isInWorkspace(filePath: string): boolean {
    return this.settings.workspaceFolders.some((folder) => {
      const relative = path.relative(path.resolve(folder), filePath);
      return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
    });
  }

  isOpen(uri: string): boolean {
    return this.files.get(this.keyOf(uri))?.document !== undefined;
  }

  openFiles(): SourceFile[] {
    return [...this.files.values()].filter((file) => file.document !== undefined);
  }

  /** A file by URI: the open document, else read from disk (cached until it changes). */
  get(uri: string): SourceFile | undefined {
    const key = this.keyOf(uri);
    const known = this.files.get(key);
    if (known) return known;
    const filePath = uriToPath(uri);
    return filePath ? this.getByPath(filePath) : undefined;
  }

  getByPath(filePath: string): SourceFile | undefined {
    const key = path.resolve(filePath);
    const known = this.files.get(key);
    if (known) return known;
    if (this.host.stat(key) !== "file") return undefined;
    const text = this.host.readFile(key);
    if (text === undefined) return undefined;
    const file: SourceFile = {
      key,
      uri: pathToUri(key),
      path: key,
      text,
      module: parse(text),
      stamp: ++this.stampCounter,
      foreign: looksLikeXml(text),
    };
    this.files.set(key, file);
    return file;
  }

  analysis(file: SourceFile): FileAnalysis {
    if (!file.analysisCache) {
      const source = file.document ? file.document.source : file.text;
      file.analysisCache = analyzeFile(file.module, source, file.path ?? file.uri, file.staleAnalysis);
      file.staleAnalysis = undefined;
    }
    return file.analysisCache;
  }

  // ------------------------------------------------------------ parents

  /** lazycon's ImportConfig.get_path plus reading the file. */
  parents(file: SourceFile): ResolvedParent[] {
    const cached = this.parentCache.get(file.key);
    if (cached && cached.stamp === file.stamp && cached.epoch === this.diskEpoch) return cached.parents;
    const parents = this.analysis(file).parentImports.map((parent) => this.resolveParent(file, parent));
    this.parentCache.set(file.key, { stamp: file.stamp, epoch: this.diskEpoch, parents });
    return parents;
  }

  private resolveParent(file: SourceFile, parent: ParentImport): ResolvedParent {
    const range = parent.statement.range;
    const parts = parent.module.split(".");
    let candidate: string | undefined;
    if (parent.level > 0) {
      if (!file.path) {
        return {
          parent,
          problem: lazyconError(
            "parent-not-found",
            range,
            "Relative parent imports need the config to be saved in a folder first",
          ),
        };
      }
      const ups = new Array<string>(parent.level - 1).fill("..");
      candidate = path.resolve(path.dirname(file.path), ...ups, ...parts) + CONFIG_EXTENSION;
      const kind = this.host.stat(candidate);
      if (kind === undefined) {
        return {
          parent,
          path: candidate,
          problem: lazyconError(
            "parent-not-found",
            range,
            buildFails(
              `Parent config "${candidate}" does not exist`,
              `No such file or directory: '${candidate}'`,
            ),
          ),
        };
      }
    } else {
      const shortcut = this.settings.shortcuts[parts[0]];
      if (shortcut !== undefined) {
        candidate = path.resolve(shortcut, ...parts.slice(1)) + CONFIG_EXTENSION;
        if (this.host.stat(candidate) === undefined) {
          return {
            parent,
            path: candidate,
            problem: lazyconError(
              "parent-not-found",
              range,
              buildFails(
                `Parent config "${candidate}" (shortcut "${parts[0]}") does not exist`,
                `No such file or directory: '${candidate}'`,
              ),
            ),
          };
        }
      } else {
        this.sysPathConsulted = true;
        const visited = new Set<string>();
        for (const prefix of this.settings.sysPath) {
          if (visited.has(prefix)) continue;
          visited.add(prefix);
          const option = path.resolve(prefix, ...parts) + CONFIG_EXTENSION;
          if (this.host.stat(option) !== undefined) {
            candidate = option;
            break;
          }
        }
        if (!candidate) {
          return {
            parent,
            problem: lazyconError(
              "parent-not-found",
              range,
              buildFails(
                `"${parent.module}" is not a config: "from ... import *" only imports parent configs, and no ${parts.join("/")}${CONFIG_EXTENSION} was found via shortcuts or sys.path`,
                `Parent config "${parent.module}" not found while parsing "${file.path ?? file.uri}".`,
              ),
            ),
          };
        }
      }
    }
    const parentFile = this.getByPath(candidate);
    if (!parentFile) {
      const what = this.host.stat(candidate) === "directory" ? "is a folder, not a file" : "cannot be read";
      return {
        parent,
        path: candidate,
        problem: lazyconError(
          "parent-unreadable",
          range,
          buildFails(`Parent config "${candidate}" ${what}`, `cannot open '${candidate}'`),
        ),
      };
    }
    return { parent, file: parentFile, path: candidate };
  }

  /** All ancestors, nearest first, each once (cycles are cut, like lazycon does). */
  ancestors(file: SourceFile): SourceFile[] {
    const seen = new Set<string>([file.key]);
    const result: SourceFile[] = [];
    const visit = (current: SourceFile): void => {
      for (const resolved of this.parents(current)) {
        if (!resolved.file || seen.has(resolved.file.key)) continue;
        seen.add(resolved.file.key);
        result.push(resolved.file);
        visit(resolved.file);
      }
    };
    visit(file);
    return result;
  }

  // ------------------------------------------------------------ scopes

  /** Names the parents give to `file` (later parent wins), without its own definitions. */
  inheritedScope(file: SourceFile): Scope {
    return this.inheritedScopeGuarded(file, new Set());
  }

  /** Everything in effect in `file`: inherited names, overridden by its own. */
  fullScope(file: SourceFile): Scope {
    return this.fullScopeGuarded(file, new Set());
  }

  private fullScopeGuarded(file: SourceFile, visiting: Set<string>): Scope {
    const scope: Scope = new Map(this.inheritedScopeGuarded(file, visiting));
    for (const [name, definition] of this.analysis(file).entries) scope.set(name, { file, definition });
    return scope;
  }

  private inheritedScopeGuarded(file: SourceFile, visiting: Set<string>): Scope {
    const parents = this.parents(file);
    if (parents.length === 0) return EMPTY_SCOPE;
    const stamps = this.familyStamps(file);
    const cached = this.scopeCache.get(file.key);
    if (cached && cached.stamps === stamps) return cached.scope;
    // lazycon caches a config while importing it, so a cyclic import sees an empty scope.
    if (visiting.has(file.key)) return new Map();
    visiting.add(file.key);
    const scope: Scope = new Map();
    for (const resolved of parents) {
      if (!resolved.file || visiting.has(resolved.file.key)) continue;
      for (const [name, entry] of this.fullScopeGuarded(resolved.file, visiting)) scope.set(name, entry);
    }
    visiting.delete(file.key);
    this.scopeCache.set(file.key, { stamps, scope });
    return scope;
  }

  /** Changes whenever the file's ancestors or how they resolve change. */
  private familyStamps(file: SourceFile): string {
    const parts = [`${this.diskEpoch}`, this.analysis(file).parentSignature];
    for (const ancestor of this.ancestors(file)) parts.push(`${ancestor.key}@${ancestor.stamp}`);
    return parts.join(";");
  }

  // ------------------------------------------------------------ children

  /** Every `.config` file under the workspace folders (cached until something changes on disk). */
  workspaceConfigPaths(): Iterable<string> {
    if (this.scannedConfigs && this.scannedConfigs.epoch === this.settingsEpoch)
      return this.scannedConfigs.paths;
    const paths = new Set<string>();
    const walk = (folder: string): void => {
      for (const name of this.host.readDirectory(folder)) {
        if (paths.size >= MAX_SCANNED_FILES) return;
        if (name.startsWith(".") || SKIPPED_FOLDERS.has(name)) continue;
        const full = path.join(folder, name);
        const kind = this.host.stat(full);
        if (kind === "directory") walk(full);
        else if (kind === "file" && name.endsWith(CONFIG_EXTENSION)) paths.add(full);
      }
    };
    for (const folder of this.settings.workspaceFolders) walk(path.resolve(folder));
    this.scannedConfigs = { epoch: this.settingsEpoch, paths };
    return paths;
  }

  /** Workspace configs plus open documents, each once. */
  knownConfigs(): SourceFile[] {
    const result = new Map<string, SourceFile>();
    for (const filePath of this.workspaceConfigPaths()) {
      const file = this.getByPath(filePath);
      if (file && !file.foreign) result.set(file.key, file);
    }
    for (const file of this.openFiles()) if (!file.foreign) result.set(file.key, file);
    return [...result.values()];
  }

  /** Files that import `file` directly as a parent. */
  children(file: SourceFile): SourceFile[] {
    const index = this.childrenIndex();
    const keys = index.get(file.key);
    if (!keys) return [];
    const result: SourceFile[] = [];
    for (const key of keys) {
      const child = this.files.get(key);
      if (child) result.push(child);
    }
    return result;
  }

  /** All descendants (children, their children, ...), each once. */
  descendants(file: SourceFile): SourceFile[] {
    const seen = new Set<string>([file.key]);
    const result: SourceFile[] = [];
    const queue = [file];
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const child of this.children(current)) {
        if (seen.has(child.key)) continue;
        seen.add(child.key);
        result.push(child);
        queue.push(child);
      }
    }
    return result;
  }

  private childrenIndex(): Map<string, Set<string>> {
    const configs = this.knownConfigs();
    const openStamps = this.openFiles()
      .map((file) => `${file.key}:${this.analysis(file).parentSignature}`)
      .join("|");
    if (
      this.childIndex &&
      this.childIndex.epoch === this.diskEpoch &&
      this.childIndex.stamps === openStamps
    ) {
      return this.childIndex.children;
    }
    const children = new Map<string, Set<string>>();
    for (const file of configs) {
      for (const resolved of this.parents(file)) {
        if (!resolved.file) continue;
        let set = children.get(resolved.file.key);
        if (!set) children.set(resolved.file.key, (set = new Set()));
        set.add(file.key);
      }
    }
    this.childIndex = { epoch: this.diskEpoch, stamps: openStamps, children };
    return children;
  }

  /** The whole family of a file: itself, ancestors, and every file that descends from any of them. */
  family(file: SourceFile): SourceFile[] {
    const result = new Map<string, SourceFile>([[file.key, file]]);
    const roots = [file, ...this.ancestors(file)];
    for (const root of roots) {
      result.set(root.key, root);
      for (const descendant of this.descendants(root)) result.set(descendant.key, descendant);
    }
    return [...result.values()];
  }
}
