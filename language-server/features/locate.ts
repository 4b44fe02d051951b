/**
 * What is under the caret: a name occurrence and what it refers to (a local variable, an
 * entry of the config family, a builtin), and the family-wide identity of entries, so that
 * references and rename follow a name from a parent into its children and back.
 */
import type { Location } from "vscode-languageserver-types";
import { isResolvedWithoutDefinition } from "../analysis/builtins";
import { EffectiveScope } from "../analysis/diagnostics";
import { definitionsNamed, type FileAnalysis, statementAtLine } from "../analysis/file";
import { rangeContains } from "../analysis/positions";
import type { EntryDefinition, LocalScope, NameOccurrence, StatementAnalysis } from "../analysis/statement";
import type { ConfigWorkspace, SourceFile } from "../analysis/workspace";
import type { Position, Range } from "../parser/ast";

export type Target =
  | { kind: "entry"; name: string; file: SourceFile; definition: EntryDefinition }
  | { kind: "local"; name: string; scope: LocalScope }
  | { kind: "builtin"; name: string }
  | { kind: "undefined"; name: string };

export interface Located {
  file: SourceFile;
  analysis: FileAnalysis;
  statement: StatementAnalysis;
  occurrence: NameOccurrence;
  target: Target;
}

export function effectiveScope(workspace: ConfigWorkspace, file: SourceFile): EffectiveScope {
  return new EffectiveScope(workspace.inheritedScope(file), file, workspace.analysis(file).entries);
}

export function occurrenceAt(analysis: FileAnalysis, position: Position) {
  const statement = statementAtLine(analysis, position.line);
  if (!statement) return undefined;
  // Prefer an occurrence that starts at the caret over one that ends there ("a+b" with the caret before b).
  let best: NameOccurrence | undefined;
  for (const occurrence of statement.occurrences) {
    if (!rangeContains(occurrence.range, position)) continue;
    if (!best || occurrence.range.start.character > best.range.start.character) best = occurrence;
  }
  return best ? { statement, occurrence: best } : undefined;
}

export function locate(workspace: ConfigWorkspace, uri: string, position: Position): Located | undefined {
  const file = workspace.get(uri);
  if (!file) return undefined;
  const analysis = workspace.analysis(file);
  const found = occurrenceAt(analysis, position);
  if (!found) return undefined;
  const { statement, occurrence } = found;
  let target: Target;
  if (occurrence.scope) {
    target = { kind: "local", name: occurrence.name, scope: occurrence.scope };
  } else if (occurrence.binding) {
    const definition = statement.definitions.find((candidate) => candidate.nameRange === occurrence.range);
    target = definition
      ? { kind: "entry", name: occurrence.name, file, definition }
      : { kind: "undefined", name: occurrence.name };
  } else {
    const entry = effectiveScope(workspace, file).lookup(occurrence.name);
    if (entry)
      target = { kind: "entry", name: occurrence.name, file: entry.file, definition: entry.definition };
    else if (isResolvedWithoutDefinition(occurrence.name))
      target = { kind: "builtin", name: occurrence.name };
    else target = { kind: "undefined", name: occurrence.name };
  }
  return { file, analysis, statement, occurrence, target };
}

/** Every occurrence of a local variable: its bindings and the reads that resolve to its scope. */
export function localOccurrences(
  statement: StatementAnalysis,
  scope: LocalScope,
  name: string,
): NameOccurrence[] {
  return statement.occurrences.filter((occurrence) => occurrence.scope === scope && occurrence.name === name);
}

export interface EntryOccurrence {
  file: SourceFile;
  range: Range;
  /** A definition (or override) rather than a use. */
  definition: boolean;
}

/**
 * All occurrences of the same entry across the family: a child's override is linked to the
 * parent's definition it replaces, and a read belongs to the definition in effect where it is.
 */
export function entryOccurrences(
  workspace: ConfigWorkspace,
  from: SourceFile,
  target: Extract<Target, { kind: "entry" }>,
): EntryOccurrence[] {
  const name = target.name;
  const parentOf = new Map<EntryDefinition, EntryDefinition>();
  const find = (definition: EntryDefinition): EntryDefinition => {
    let root = definition;
    while (parentOf.has(root)) root = parentOf.get(root)!;
    return root;
  };
  const union = (a: EntryDefinition, b: EntryDefinition): void => {
    const rootA = find(a);
    const rootB = find(b);
    if (rootA !== rootB) parentOf.set(rootA, rootB);
  };

  const collected: { file: SourceFile; range: Range; definition: boolean; owner: EntryDefinition }[] = [];
  for (const file of workspace.family(from)) {
    const analysis = workspace.analysis(file);
    const inherited = workspace.inheritedScope(file);
    const inheritedEntry = inherited.get(name);
    const own = definitionsNamed(analysis, name);
    for (const definition of own) {
      if (inheritedEntry) union(definition, inheritedEntry.definition);
      // Duplicates in one file are the same entry as far as renaming goes.
      if (own[0] !== definition) union(definition, own[0]);
      collected.push({ file, range: definition.nameRange, definition: true, owner: definition });
    }
    const inEffect = analysis.entries.get(name) ?? inheritedEntry?.definition;
    if (!inEffect) continue;
    for (const statement of analysis.statements) {
      for (const read of statement.globalReads) {
        if (read.name === name)
          collected.push({ file, range: read.range, definition: false, owner: inEffect });
      }
    }
  }
  const wanted = find(target.definition);
  return collected
    .filter((occurrence) => find(occurrence.owner) === wanted)
    .map(({ file, range, definition }) => ({ file, range, definition }));
}

export function toLocation(file: SourceFile, range: Range): Location {
  return {
    uri: file.uri,
    range: {
      start: { line: range.start.line, character: range.start.character },
      end: { line: range.end.line, character: range.end.character },
    },
  };
}
