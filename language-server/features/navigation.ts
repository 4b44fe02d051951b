/** Go to definition, find references and rename, across a config and its family. */
import type { Location, Position, Range, TextEdit, WorkspaceEdit } from "vscode-languageserver-types";
import { PYTHON_KEYWORDS } from "../analysis/builtins";
import { definitionsNamed, statementAtLine } from "../analysis/file";
import { comparePositions, copyRange, rangesEqual } from "../analysis/positions";
import { PLACEHOLDER_NAMES } from "../analysis/thunder";
import type { ConfigWorkspace } from "../analysis/workspace";
import { displayName } from "./hover";
import { entryOccurrences, localOccurrences, locate, toLocation } from "./locate";

export function definition(workspace: ConfigWorkspace, uri: string, position: Position): Location[] {
  const parentTarget = parentImportAt(workspace, uri, position);
  if (parentTarget) return [parentTarget];
  const located = locate(workspace, uri, position);
  if (!located) return [];
  const { target } = located;
  if (target.kind === "entry") return [toLocation(target.file, target.definition.nameRange)];
  if (target.kind === "local") {
    const first = target.scope.bindings.get(target.name)?.[0];
    return first ? [toLocation(located.file, first)] : [];
  }
  return [];
}

/** On a `from .base import *` line: the parent config file. */
function parentImportAt(workspace: ConfigWorkspace, uri: string, position: Position): Location | undefined {
  const file = workspace.get(uri);
  if (!file) return undefined;
  const statement = statementAtLine(workspace.analysis(file), position.line);
  if (statement?.role !== "parent-import") return undefined;
  const resolved = workspace.parents(file).find((parent) => parent.parent.statement === statement.statement);
  if (!resolved?.file) return undefined;
  return toLocation(resolved.file, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
}

export function references(
  workspace: ConfigWorkspace,
  uri: string,
  position: Position,
  includeDeclaration: boolean,
): Location[] {
  const located = locate(workspace, uri, position);
  if (!located) return [];
  const { target } = located;
  if (target.kind === "local") {
    return localOccurrences(located.statement, target.scope, target.name)
      .filter((occurrence) => includeDeclaration || !occurrence.binding)
      .map((occurrence) => toLocation(located.file, occurrence.range));
  }
  if (target.kind !== "entry") return [];
  return entryOccurrences(workspace, located.file, target)
    .filter((occurrence) => includeDeclaration || !occurrence.definition)
    .map((occurrence) => toLocation(occurrence.file, occurrence.range))
    .sort(compareLocations);
}

function compareLocations(a: Location, b: Location): number {
  if (a.uri !== b.uri) return a.uri < b.uri ? -1 : 1;
  return comparePositions(a.range.start, b.range.start);
}

export function prepareRename(
  workspace: ConfigWorkspace,
  uri: string,
  position: Position,
): { range: Range; placeholder: string } | null {
  const located = locate(workspace, uri, position);
  if (!located || (located.target.kind !== "entry" && located.target.kind !== "local")) return null;
  if (located.target.kind === "entry" && PLACEHOLDER_NAMES.has(located.target.name)) return null;
  return { range: copyRange(located.occurrence.range), placeholder: located.occurrence.name };
}

const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

/** Why a new name cannot be used, or undefined when it is fine. */
export function invalidNameReason(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a valid Python identifier`;
  if (PYTHON_KEYWORDS.includes(name) || name === "match" || name === "case") {
    return `"${name}" is a Python keyword`;
  }
  if (name.startsWith("__")) return `"${name}" starts with "__": lazycon treats such names as read-only`;
  if (name === "_") return '"_" is lazycon\'s wildcard and cannot be an entry name';
  return undefined;
}

export function rename(
  workspace: ConfigWorkspace,
  uri: string,
  position: Position,
  newName: string,
): WorkspaceEdit | null {
  const located = locate(workspace, uri, position);
  if (!located || (located.target.kind !== "entry" && located.target.kind !== "local")) return null;
  const reason = invalidNameReason(newName);
  if (reason) throw new Error(`Cannot rename to ${reason}.`);
  const changes: Record<string, TextEdit[]> = {};
  const add = (fileUri: string, edit: TextEdit): void => {
    let list = changes[fileUri];
    if (!list) changes[fileUri] = list = [];
    // Plain copies: tree ranges are compact objects that move with later edits.
    if (!list.some((existing) => rangesEqual(existing.range, edit.range)))
      list.push({ range: copyRange(edit.range), newText: edit.newText });
  };
  const { target } = located;
  if (newName === target.name) return { changes };
  if (target.kind === "local") {
    for (let scope: typeof target.scope | null = target.scope; scope; scope = scope.parent) {
      if (scope.bindings.has(newName)) {
        throw new Error(`Cannot rename to "${newName}": that name is already used in this function.`);
      }
    }
    for (const occurrence of localOccurrences(located.statement, target.scope, target.name)) {
      add(located.file.uri, { range: occurrence.range, newText: newName });
    }
    return { changes };
  }
  if (PLACEHOLDER_NAMES.has(target.name)) {
    throw new Error(
      `Cannot rename "${target.name}": thunder build fills in only this exact placeholder name.`,
    );
  }
  const occurrences = entryOccurrences(workspace, located.file, target);
  // Renaming onto an existing entry would merge two entries (or shadow one): refuse.
  for (const file of new Set(occurrences.map((occurrence) => occurrence.file))) {
    const existing = workspace.fullScope(file).get(newName);
    if (existing) {
      throw new Error(
        `Cannot rename to "${newName}": ${displayName(file)} already has an entry with that name (defined in ${displayName(existing.file)} line ${existing.definition.nameRange.start.line + 1}).`,
      );
    }
  }
  for (const occurrence of occurrences) {
    if (!occurrence.definition) {
      add(occurrence.file.uri, { range: occurrence.range, newText: newName });
      continue;
    }
    const definition = definitionsNamed(workspace.analysis(occurrence.file), target.name).find(
      (candidate) => candidate.nameRange === occurrence.range,
    );
    if (definition?.kind === "import" && definition.alias) {
      const alias = definition.alias;
      if (alias.asnameRange) {
        add(occurrence.file.uri, { range: alias.asnameRange, newText: newName });
      } else if (alias.name.includes(".")) {
        throw new Error(
          `Cannot rename "${target.name}": it comes from "import ${alias.name}", which binds the top package; rename the import by hand.`,
        );
      } else {
        const end = { line: occurrence.range.end.line, character: occurrence.range.end.character };
        add(occurrence.file.uri, { range: { start: end, end }, newText: ` as ${newName}` });
      }
      continue;
    }
    add(occurrence.file.uri, { range: occurrence.range, newText: newName });
  }
  return { changes };
}
