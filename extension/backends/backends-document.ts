/**
 * backends.yml as a typed model with precise problems. Parsed with the `yaml` package in YAML 1.1
 * mode because thunder reads the file with PyYAML (so `10:00` is a number there, `yes` a boolean).
 * Positions are 0-based lines and characters, like LSP.
 */
import { type Document, isMap, isScalar, LineCounter, type Node, type Pair, parseDocument } from "yaml";
import {
  type BackendChoices,
  ENGINE_NAMES,
  type EngineName,
  findOptionSpec,
  isEngineName,
  validateEngineOption,
} from "./engine-options";

export interface TextPosition {
  line: number;
  character: number;
}

export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

export interface BackendsProblem {
  message: string;
  range: TextRange;
  severity: "error" | "warning";
}

export interface BackendOption {
  key: string;
  /** The value as YAML 1.1 reads it (what thunder sees). */
  value: unknown;
  /** The value as written in the file. */
  sourceText: string;
  range: TextRange;
}

export interface BackendEntry {
  name: string;
  /** `backend:` of the entry; thunder's default is `cli`. May be an unknown engine (reported as a problem). */
  engine: string;
  engineKnown: boolean;
  options: BackendOption[];
  /** Range of the entry's name (the top-level key). */
  nameRange: TextRange;
  /** Range of the whole entry, key to the end of its value. */
  range: TextRange;
}

export interface BackendsModel {
  entries: BackendEntry[];
  /** `meta.default`, when set. */
  defaultName?: string;
  defaultRange?: TextRange;
  problems: BackendsProblem[];
  /**
   * False when the text is not valid YAML or its root is not a mapping: such files are shown
   * with their problems but never rewritten.
   */
  editable: boolean;
}

export const META_KEY = "meta";
const ENTRY_KEYS = ["backend", "config"];

export function parseBackendsYaml(text: string): { document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: "1.1", lineCounter, prettyErrors: false });
  return { document, lineCounter };
}

/** Reads backends.yml text into entries, the default and every problem found. */
export function readBackendsModel(text: string): BackendsModel {
  const { document, lineCounter } = parseBackendsYaml(text);
  const toPosition = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line - 1, character: col - 1 };
  };
  const rangeOf = (node: { range?: readonly number[] | null } | null | undefined): TextRange => {
    const range = node?.range;
    if (range == null) return { start: toPosition(0), end: toPosition(0) };
    return { start: toPosition(range[0]), end: toPosition(range[1]) };
  };
  const problems: BackendsProblem[] = [];
  const error = (message: string, range: TextRange) => problems.push({ message, range, severity: "error" });
  const model: BackendsModel = { entries: [], problems, editable: false };

  if (document.errors.length > 0) {
    for (const yamlError of document.errors) {
      error(`YAML syntax error: ${firstLine(yamlError.message)}`, {
        start: toPosition(yamlError.pos[0]),
        end: toPosition(yamlError.pos[1]),
      });
    }
    return model;
  }
  for (const warning of document.warnings) {
    problems.push({
      message: firstLine(warning.message),
      range: { start: toPosition(warning.pos[0]), end: toPosition(warning.pos[1]) },
      severity: "warning",
    });
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    model.editable = true;
    return model;
  }
  if (!isMap(root)) {
    error(
      "backends.yml must be a mapping of backend names to their settings (name: {backend: ..., config: ...}).",
      rangeOf(root),
    );
    return model;
  }
  model.editable = true;

  for (const pair of root.items) {
    const name = keyText(pair);
    const keyNode = pair.key as Node | null;
    if (name === undefined) {
      error("Backend names must be plain text.", rangeOf(keyNode));
      continue;
    }
    if (name === META_KEY) {
      readMeta(pair, model, rangeOf, error);
      continue;
    }
    const value = pair.value as Node | null;
    const nameRange = rangeOf(keyNode);
    const entry: BackendEntry = {
      name,
      engine: "cli",
      engineKnown: true,
      options: [],
      nameRange,
      range: { start: nameRange.start, end: value ? rangeOf(value).end : nameRange.end },
    };
    model.entries.push(entry);
    if (!isMap(value)) {
      error(
        `Backend "${name}" must be a mapping with "backend" and "config".`,
        value ? rangeOf(value) : nameRange,
      );
      continue;
    }
    for (const field of value.items) {
      const fieldName = keyText(field);
      if (fieldName === undefined || !ENTRY_KEYS.includes(fieldName)) {
        error(
          `Unknown key ${fieldName === undefined ? "" : `"${fieldName}" `}in backend "${name}"; only "backend" and "config" are allowed.`,
          rangeOf(field.key as Node),
        );
      }
    }
    const engineNode = value.get("backend", true) as Node | undefined;
    if (engineNode !== undefined) {
      const engine = isScalar(engineNode) ? engineNode.value : undefined;
      entry.engine = typeof engine === "string" ? engine : String(engine);
      entry.engineKnown = isEngineName(engine);
      if (!entry.engineKnown) {
        error(
          `Unknown engine ${JSON.stringify(entry.engine)} in backend "${name}"; use one of: ${ENGINE_NAMES.join(", ")}.`,
          rangeOf(engineNode),
        );
      }
    }
    const configNode = value.get("config", true) as Node | undefined;
    if (configNode === undefined || (isScalar(configNode) && configNode.value === null)) continue;
    if (!isMap(configNode)) {
      error(`"config" of backend "${name}" must be a mapping of options.`, rangeOf(configNode));
      continue;
    }
    for (const optionPair of configNode.items) {
      const key = keyText(optionPair);
      const optionValueNode = optionPair.value as Node | null;
      const keyRange = rangeOf(optionPair.key as Node);
      if (key === undefined) {
        error("Option names must be plain text.", keyRange);
        continue;
      }
      const sourceText = optionValueNode ? sourceOf(text, optionValueNode) : "";
      const optionValue = optionValueNode ? optionValueNode.toJSON() : null;
      const valueRange = optionValueNode ? rangeOf(optionValueNode) : keyRange;
      entry.options.push({
        key,
        value: optionValue,
        sourceText,
        range: { start: keyRange.start, end: valueRange.end },
      });
      if (!entry.engineKnown) continue;
      const checked = validateEngineOption(entry.engine as EngineName, key, optionValue, sourceText);
      if (!checked.ok)
        error(checked.message, findOptionSpec(entry.engine as EngineName, key) ? valueRange : keyRange);
    }
  }
  if (model.defaultName !== undefined) {
    const known =
      model.entries.some((entry) => entry.name === model.defaultName) || isEngineName(model.defaultName);
    if (!known) {
      error(`The default backend "${model.defaultName}" is not defined in this file.`, model.defaultRange!);
    }
  }
  return model;
}

function readMeta(
  pair: Pair,
  model: BackendsModel,
  rangeOf: (node: Node | null | undefined) => TextRange,
  error: (message: string, range: TextRange) => void,
): void {
  const meta = pair.value as Node | null;
  if (meta === null || (isScalar(meta) && meta.value === null)) return;
  if (!isMap(meta)) {
    error('"meta" must be a mapping such as {default: NAME}.', rangeOf(meta));
    return;
  }
  for (const field of meta.items) {
    const fieldName = keyText(field);
    if (fieldName !== "default") {
      error(
        `Unknown key "${fieldName ?? ""}" in "meta"; only "default" is allowed.`,
        rangeOf(field.key as Node),
      );
      continue;
    }
    const value = field.value as Node | null;
    if (isScalar(value) && typeof value.value === "string") {
      model.defaultName = value.value;
      model.defaultRange = rangeOf(value);
    } else if (!(isScalar(value) && value.value === null)) {
      error('"meta.default" must be the name of a backend.', rangeOf(value ?? (field.key as Node)));
    }
  }
}

export function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key) && (typeof key.value === "string" || typeof key.value === "number"))
    return String(key.value);
  return undefined;
}

function sourceOf(text: string, node: Node): string {
  const range = node.range;
  return range ? text.slice(range[0], range[1]).trim() : "";
}

function firstLine(message: string): string {
  return message.split("\n")[0].trim();
}

/** The model in the shape resolveRunBackend() takes. */
export function backendChoices(model: BackendsModel): BackendChoices {
  const entries = model.entries.map((entry) => ({
    name: entry.name,
    engine: entry.engine,
    options: Object.fromEntries(entry.options.map((option) => [option.key, option.value])),
  }));
  return model.defaultName === undefined ? { entries } : { entries, defaultName: model.defaultName };
}
