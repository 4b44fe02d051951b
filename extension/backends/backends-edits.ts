/**
 * Edits of backends.yml as text -> text. They go through the `yaml` Document so every comment
 * and the order of untouched keys survive (thunder's own `backend add/set/remove` rewrites the
 * file with safe_dump and loses both). Files that do not parse, or whose root is not a mapping,
 * are refused with a typed error instead of being "repaired".
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import { keyText, META_KEY, parseBackendsYaml } from "./backends-document";
import {
  ENGINE_NAMES,
  type EngineName,
  isEngineName,
  type OptionValue,
  validateEngineOption,
} from "./engine-options";
import { keepUntouchedLines } from "./keep-formatting";

/** The file is not valid YAML (or not a mapping); it is left as it is. */
export class BackendsParseError extends Error {
  constructor(
    message: string,
    /** 0-based line of the first problem. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "BackendsParseError";
  }
}

/** The edit itself cannot be done (unknown entry, name taken, invalid value, ...). */
export class BackendsEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendsEditError";
  }
}

export type BackendsEdit =
  | {
      kind: "add-entry";
      name: string;
      engine: EngineName;
      options: Readonly<Record<string, OptionValue>>;
      /** Replace an entry of the same name (thunder's `--force`). */
      replace?: boolean;
    }
  | { kind: "set-option"; name: string; key: string; value: OptionValue }
  | { kind: "remove-option"; name: string; key: string }
  | { kind: "rename-entry"; name: string; newName: string }
  | { kind: "duplicate-entry"; name: string; newName: string }
  | { kind: "remove-entry"; name: string }
  /** `undefined` removes the default. */
  | { kind: "set-default"; name: string | undefined };

/** Applies one edit and returns the new text. Throws BackendsParseError / BackendsEditError. */
export function applyBackendsEdit(text: string, edit: BackendsEdit): string {
  const { document, lineCounter } = parseBackendsYaml(text);
  const firstError = document.errors[0];
  if (firstError !== undefined) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    throw new BackendsParseError(
      `backends.yml is not valid YAML (line ${line}): ${firstError.message.split("\n")[0]}. Fix the file first; it was not changed.`,
      line - 1,
      col - 1,
    );
  }
  let root = document.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) {
    const emptyRoot = document.createNode({}) as YAMLMap;
    // An empty file may still hold comments; keep them above the new content.
    if (isScalar(root) && root.commentBefore) emptyRoot.commentBefore = root.commentBefore;
    document.contents = emptyRoot;
    root = emptyRoot;
  }
  if (!isMap(root)) {
    const { line, col } = lineCounter.linePos(root.range?.[0] ?? 0);
    throw new BackendsParseError(
      "backends.yml is not a mapping of backend names; it was not changed.",
      line - 1,
      col - 1,
    );
  }
  const editor = new MapEditor(root, document.createNode.bind(document) as (value: unknown) => Node);
  switch (edit.kind) {
    case "add-entry":
      editor.addEntry(edit.name, edit.engine, edit.options, edit.replace === true);
      break;
    case "set-option":
      editor.setOption(edit.name, edit.key, edit.value);
      break;
    case "remove-option":
      editor.removeOption(edit.name, edit.key);
      break;
    case "rename-entry":
      editor.renameEntry(edit.name, edit.newName);
      break;
    case "duplicate-entry":
      editor.duplicateEntry(edit.name, edit.newName);
      break;
    case "remove-entry": {
      // The comment above the first entry is usually the file's header: it stays with the file.
      const firstPair = root.items[0];
      const first = firstPair?.key;
      if (isScalar(first) && keyText(firstPair) === edit.name && first.commentBefore) {
        document.commentBefore = [document.commentBefore, first.commentBefore].filter(Boolean).join("\n");
        first.commentBefore = undefined;
      }
      editor.removeEntry(edit.name);
      break;
    }
    case "set-default":
      editor.setDefault(edit.name);
      break;
  }
  const renderOptions = { indent: detectIndent(text), lineWidth: 0 };
  const next = keepUntouchedLines(
    text,
    parseBackendsYaml(text).document.toString(renderOptions),
    document.toString(renderOptions),
  );
  // The yaml package writes \n; keep a Windows-edited file in CRLF so only edited lines differ.
  return text.includes("\r\n") ? next.replace(/\r?\n/g, "\r\n") : next;
}

class MapEditor {
  constructor(
    private readonly root: YAMLMap,
    private readonly createNode: (value: unknown) => Node,
  ) {}

  addEntry(
    name: string,
    engine: EngineName,
    options: Readonly<Record<string, OptionValue>>,
    replace: boolean,
  ): void {
    checkNewName(name);
    if (!isEngineName(engine)) {
      throw new BackendsEditError(`Unknown engine "${engine}"; use one of: ${ENGINE_NAMES.join(", ")}.`);
    }
    const config: Record<string, OptionValue> = {};
    for (const [key, value] of Object.entries(options)) config[key] = checkedValue(engine, key, value);
    const valueNode = this.createNode({ backend: engine, config });
    const existing = this.findPair(name);
    if (existing !== undefined) {
      if (!replace) throw new BackendsEditError(`A backend named "${name}" already exists.`);
      existing.value = valueNode;
      return;
    }
    this.insertEntry(this.createPair(name, valueNode));
  }

  setOption(name: string, key: string, value: OptionValue): void {
    const entry = this.entryMap(name);
    const engine = engineOf(entry);
    const stored = checkedValue(engine, key, value);
    let config = entry.get("config", true) as Node | undefined;
    if (config === undefined || (isScalar(config) && config.value === null)) {
      config = this.createNode({});
      entry.set("config", config);
    }
    if (!isMap(config))
      throw new BackendsEditError(`"config" of backend "${name}" is not a mapping; fix it first.`);
    config.set(key, withCommentsOf(config.get(key, true) as Node | undefined, this.createNode(stored)));
  }

  removeOption(name: string, key: string): void {
    const config = this.entryMap(name).get("config", true) as Node | undefined;
    if (!isMap(config) || !config.has(key)) {
      throw new BackendsEditError(`Backend "${name}" has no option "${key}".`);
    }
    config.delete(key);
  }

  renameEntry(name: string, newName: string): void {
    if (newName === name) return;
    checkNewName(newName);
    const pair = this.requirePair(name);
    if (this.findPair(newName) !== undefined)
      throw new BackendsEditError(`A backend named "${newName}" already exists.`);
    if (isScalar(pair.key)) pair.key.value = newName;
    else pair.key = this.createNode(newName);
    if (this.defaultName() === name) this.setDefault(newName);
  }

  duplicateEntry(name: string, newName: string): void {
    checkNewName(newName);
    const pair = this.requirePair(name);
    if (this.findPair(newName) !== undefined)
      throw new BackendsEditError(`A backend named "${newName}" already exists.`);
    const copy = (pair.value as Node).clone() as Node;
    copy.commentBefore = undefined;
    const index = this.root.items.indexOf(pair);
    this.root.items.splice(index + 1, 0, this.createPair(newName, copy));
  }

  removeEntry(name: string): void {
    const pair = this.requirePair(name);
    this.root.items.splice(this.root.items.indexOf(pair), 1);
    // A default naming a removed entry would make every run fail; drop it with the entry.
    if (this.defaultName() === name) this.setDefault(undefined);
  }

  setDefault(name: string | undefined): void {
    let meta = this.root.get(META_KEY, true) as Node | undefined;
    if (name === undefined) {
      if (!isMap(meta)) return;
      meta.delete("default");
      if (meta.items.length === 0) this.root.delete(META_KEY);
      return;
    }
    if (this.findPair(name) === undefined && !isEngineName(name)) {
      throw new BackendsEditError(`Cannot make "${name}" the default: there is no backend with that name.`);
    }
    if (meta === undefined || (isScalar(meta) && meta.value === null)) {
      meta = this.createNode({});
      this.root.set(META_KEY, meta);
    }
    if (!isMap(meta)) throw new BackendsEditError('"meta" is not a mapping; fix it first.');
    meta.set("default", withCommentsOf(meta.get("default", true) as Node | undefined, this.createNode(name)));
  }

  private defaultName(): string | undefined {
    const meta = this.root.get(META_KEY, true) as Node | undefined;
    if (!isMap(meta)) return undefined;
    const value = meta.get("default");
    return typeof value === "string" ? value : undefined;
  }

  private createPair(name: string, value: Node): Pair {
    const pair = this.createNode({ [name]: null }) as YAMLMap;
    const created = pair.items[0];
    created.value = value;
    return created;
  }

  /** New entries go last, but above `meta` so the default stays at the bottom. */
  private insertEntry(pair: Pair): void {
    const metaIndex = this.root.items.findIndex((item) => keyText(item) === META_KEY);
    if (metaIndex === -1) this.root.items.push(pair);
    else this.root.items.splice(metaIndex, 0, pair);
  }

  private findPair(name: string): Pair | undefined {
    if (name === META_KEY) return undefined;
    return this.root.items.find((item) => keyText(item) === name);
  }

  private requirePair(name: string): Pair {
    const pair = this.findPair(name);
    if (pair === undefined) throw new BackendsEditError(`There is no backend named "${name}".`);
    return pair;
  }

  private entryMap(name: string): YAMLMap {
    const value = this.requirePair(name).value as Node | null;
    if (!isMap(value)) throw new BackendsEditError(`Backend "${name}" is not a mapping; fix it first.`);
    return value;
  }
}

/** `next`, carrying the comments of the value it replaces (`ram: 100G # enough` keeps its comment). */
function withCommentsOf(previous: Node | undefined, next: Node): Node {
  if (previous !== undefined) {
    next.comment = previous.comment;
    next.commentBefore = previous.commentBefore;
  }
  return next;
}

function engineOf(entry: YAMLMap): EngineName {
  const engine = entry.get("backend") ?? "cli";
  if (!isEngineName(engine)) {
    throw new BackendsEditError(
      `Unknown engine ${JSON.stringify(engine)}; use one of: ${ENGINE_NAMES.join(", ")}.`,
    );
  }
  return engine;
}

function checkedValue(engine: EngineName, key: string, value: OptionValue): OptionValue {
  const result = validateEngineOption(engine, key, value);
  if (!result.ok) throw new BackendsEditError(result.message);
  // thunder reads `ram` as text; a bare number would reach it as an int.
  return key === "ram" ? String(result.value) : result.value;
}

function checkNewName(name: string): void {
  if (name.trim() === "") throw new BackendsEditError("A backend name cannot be empty.");
  if (name !== name.trim()) throw new BackendsEditError("A backend name cannot start or end with spaces.");
  if (name === META_KEY)
    throw new BackendsEditError('"meta" is reserved for the default backend; choose another name.');
  if (/[\r\n]/.test(name)) throw new BackendsEditError("A backend name cannot contain line breaks.");
}

/** Indentation the file already uses, so untouched nested blocks keep their look. */
function detectIndent(text: string): number {
  for (const line of text.split(/\r?\n/)) {
    const match = /^( +)[^\s#]/.exec(line);
    if (match) return Math.min(Math.max(match[1].length, 1), 8);
  }
  return 2;
}
