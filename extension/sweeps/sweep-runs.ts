/**
 * Groups the runs a sweep built (`ROOT/<run id>/experiment.config`) under their sweep and tells,
 * per run, which entries the sweep changed: the entries whose value differs between the built
 * config and the source config. Pure: the caller reads the files and passes their text.
 *
 * Values are compared by normalised tokens (see `canonicalTokens`), because the built config is
 * written back by lazycon and may spell an unchanged value differently (`1e-3` vs `0.001`).
 */
import type { ConfigEntry } from "../../language-server/protocol";
import { canonicalTokens, scanString } from "./python-literal";

/** Set by `thunder build` to the run folder's name in every run, so never a sweep override. */
const PLACEHOLDER_NAMES = new Set(["ExpName", "GroupName"]);

/** W&B run ids, which thunder's agent uses as folder names: lowercase letters and digits. */
const RUN_ID_PATTERN = /^[a-z0-9]+$/;

export interface RunOverride {
  name: string;
  sourceValue: string;
  builtValue: string;
}

export interface BuiltRunInput {
  /** Folder name under ROOT (the W&B run id). */
  folderName: string;
  /** Text of `ROOT/<folderName>/experiment.config`. */
  configText: string;
}

export interface SweepRun {
  runId: string;
  overrides: RunOverride[];
}

export interface SweepRunGroup {
  root: string;
  runs: SweepRun[];
  /** Folders under ROOT whose names are not W&B run ids (left out of `runs`). */
  otherFolders: string[];
}

export type SourceConfig =
  | string
  | readonly (Pick<ConfigEntry, "name" | "value"> & Partial<Pick<ConfigEntry, "kind">>)[];

/** Splits config text into logical lines: a newline inside brackets, strings or after `\` continues the line. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "#") {
      const newline = text.indexOf("\n", i);
      i = newline < 0 ? text.length : newline;
      continue;
    }
    if (
      char === "'" ||
      char === '"' ||
      (/[rRuUbBfF]/.test(char) && /^[rRuUbBfF]{1,2}['"]/.test(text.slice(i, i + 3)))
    ) {
      const previous = text[i - 1];
      if (char === "'" || char === '"' || previous === undefined || !/[\p{L}\p{N}_]/u.test(previous)) {
        const scanned = scanString(text, i);
        if (scanned) {
          i = scanned.end;
          continue;
        }
      }
    }
    if (char === "(" || char === "[" || char === "{") depth++;
    else if (char === ")" || char === "]" || char === "}") depth = Math.max(0, depth - 1);
    else if (char === "\\" && text[i + 1] === "\n") i++;
    else if (char === "\n" && depth === 0) {
      lines.push(text.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  lines.push(text.slice(start));
  return lines.map((line) => line.replace(/\r$/, ""));
}

/** Top-level statements: an unindented logical line plus the indented (body) lines after it. */
function topLevelStatements(text: string): string[] {
  const statements: string[] = [];
  let decorators: string[] = [];
  for (const line of logicalLines(text.replace(/\r\n?/g, "\n"))) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (/^\s/.test(line)) {
      if (statements.length > 0) statements[statements.length - 1] += `\n${line}`;
      continue;
    }
    if (trimmed.startsWith("@")) {
      decorators.push(line);
      continue;
    }
    statements.push([...decorators, line].join("\n"));
    decorators = [];
  }
  return statements;
}

const IDENTIFIER = "[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*";
const ASSIGNMENT_TARGET = new RegExp(`^(${IDENTIFIER})\\s*=(?!=)\\s*`, "u");
const FUNCTION_NAME = new RegExp(`^(?:@[^\\n]*\\n)*\\s*(?:async\\s+)?def\\s+(${IDENTIFIER})`, "u");

/**
 * Name -> value text of the top-level assignments and function definitions in config text
 * (imports are left out). Tuple targets are left out too: their parts have no text of their own.
 */
export function configEntryValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const statement of topLevelStatements(text)) {
    if (/^(?:import|from)\s/.test(statement)) continue;
    const functionName = FUNCTION_NAME.exec(statement);
    if (functionName) {
      values.set(functionName[1]!, statement);
      continue;
    }
    // `a = b = value` gives every target the same value.
    const names: string[] = [];
    let rest = statement;
    for (let target = ASSIGNMENT_TARGET.exec(rest); target; target = ASSIGNMENT_TARGET.exec(rest)) {
      names.push(target[1]!);
      rest = rest.slice(target[0].length);
    }
    for (const name of names) values.set(name, rest.trim());
  }
  return values;
}

function sourceValues(source: SourceConfig): Map<string, string> {
  if (typeof source === "string") return configEntryValues(source);
  const values = new Map<string, string>();
  for (const entry of source) {
    if (entry.kind === undefined || entry.kind === "assignment" || entry.kind === "function")
      values.set(entry.name, entry.value);
  }
  return values;
}

function sameValue(a: string, b: string): boolean {
  const left = canonicalTokens(a);
  const right = canonicalTokens(b);
  return left.length === right.length && left.every((token, index) => token === right[index]);
}

/** Entries of `builtText` whose value differs from the source config's, in the built file's order. */
export function runOverrides(source: SourceConfig, builtText: string): RunOverride[] {
  const sourceByName = sourceValues(source);
  const overrides: RunOverride[] = [];
  for (const [name, builtValue] of configEntryValues(builtText)) {
    if (PLACEHOLDER_NAMES.has(name)) continue;
    const sourceValue = sourceByName.get(name);
    // An entry the source does not show (inherited from a parent the caller did not resolve) cannot be compared.
    if (sourceValue === undefined) continue;
    if (!sameValue(sourceValue, builtValue)) overrides.push({ name, sourceValue, builtValue });
  }
  return overrides;
}

/** The runs of one sweep root, each with its overrides; folders that are not run ids are listed apart. */
export function groupSweepRuns(input: {
  root: string;
  source: SourceConfig;
  runs: readonly BuiltRunInput[];
}): SweepRunGroup {
  const sourceByName = sourceValues(input.source);
  const asEntries = [...sourceByName].map(([name, value]) => ({ name, value }));
  const runs: SweepRun[] = [];
  const otherFolders: string[] = [];
  for (const run of input.runs) {
    if (!RUN_ID_PATTERN.test(run.folderName)) {
      otherFolders.push(run.folderName);
      continue;
    }
    runs.push({ runId: run.folderName, overrides: runOverrides(asEntries, run.configText) });
  }
  return { root: input.root, runs, otherFolders };
}

/** A one-line description for a tree item: `lr=0.0005, batch_size=64`. */
export function describeOverrides(overrides: readonly RunOverride[], maxLength = 80): string {
  if (overrides.length === 0) return "no changes from the config";
  const text = overrides
    .map((override) => `${override.name}=${override.builtValue.replace(/\s+/g, " ")}`)
    .join(", ");
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
