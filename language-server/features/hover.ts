/** Hover: where an entry comes from, its source, and how it relates to parents and children. */
import * as path from "node:path";
import type { Hover, Position } from "vscode-languageserver-types";
import { statementAtLine, statementStartLine } from "../analysis/file";
import { copyRange } from "../analysis/positions";
import type { EntryDefinition } from "../analysis/statement";
import {
  isPlaceholderImport,
  PLACEHOLDER_DOCS,
  PLACEHOLDERS_MODULE,
  THUNDER_ENTRIES,
} from "../analysis/thunder";
import type { ConfigWorkspace, SourceFile } from "../analysis/workspace";
import { locate } from "./locate";

const MAX_SOURCE_LINES = 15;

export function hover(workspace: ConfigWorkspace, uri: string, position: Position): Hover | null {
  const parentHover = parentImportHover(workspace, uri, position);
  if (parentHover) return parentHover;
  const located = locate(workspace, uri, position);
  if (!located) return null;
  const { target, occurrence } = located;
  const range = copyRange(occurrence.range);
  const markdown = (value: string): Hover => ({ contents: { kind: "markdown", value }, range });
  switch (target.kind) {
    case "local": {
      const what = target.scope.kind === "comprehension" ? "comprehension variable" : "local variable";
      return markdown(
        `\`${target.name}\`: ${what} of a ${target.scope.kind === "lambda" ? "lambda" : target.scope.kind}`,
      );
    }
    case "builtin":
      return markdown(
        target.name === "__file__"
          ? "`__file__`: the path of the config being loaded (set by lazycon)"
          : `\`${target.name}\`: Python builtin`,
      );
    case "undefined":
      return markdown(
        PLACEHOLDER_DOCS[target.name]
          ? `**${target.name}**: ${PLACEHOLDER_DOCS[target.name]}\n\nNot imported yet: add \`from ${PLACEHOLDERS_MODULE} import ${target.name}\`.`
          : `\`${target.name}\` is not defined in this config or its parents`,
      );
    case "entry":
      return markdown(entryMarkdown(workspace, located.file, target.file, target.definition));
  }
}

function entryMarkdown(
  workspace: ConfigWorkspace,
  from: SourceFile,
  definingFile: SourceFile,
  definition: EntryDefinition,
): string {
  const parts: string[] = [];
  const name = definition.name;
  const where = `${displayName(definingFile)} line ${definition.nameRange.start.line + 1}`;
  if (isPlaceholderImport(definition)) {
    parts.push(`**${name}**: ${PLACEHOLDER_DOCS[name]}`);
  } else {
    const role = THUNDER_ENTRIES[name] ? ` (thunder: ${THUNDER_ENTRIES[name]})` : "";
    const inherited = definingFile !== from ? ", inherited" : "";
    parts.push(
      `**${name}**: ${definition.kind === "function" ? "function" : definition.kind} entry${role}, defined in \`${where}\`${inherited}`,
    );
  }
  parts.push(`\`\`\`python\n${statementSource(workspace, definingFile, definition)}\n\`\`\``);

  const overridden = workspace.inheritedScope(definingFile).get(name);
  if (overridden) {
    parts.push(
      `Overrides the value from \`${displayName(overridden.file)} line ${overridden.definition.nameRange.start.line + 1}\``,
    );
  }
  const overriders: string[] = [];
  for (const descendant of workspace.descendants(definingFile)) {
    const own = workspace.analysis(descendant).entries.get(name);
    if (!own) continue;
    if (workspace.inheritedScope(descendant).get(name)?.definition !== definition) continue;
    overriders.push(`\`${displayName(descendant)} line ${own.nameRange.start.line + 1}\``);
  }
  if (overriders.length > 0) parts.push(`Overridden in ${overriders.join(", ")}`);
  return parts.join("\n\n");
}

function statementSource(workspace: ConfigWorkspace, file: SourceFile, definition: EntryDefinition): string {
  const analysis = workspace.analysis(file);
  const statement = definition.statement;
  const startLine = statementStartLine(statement);
  const endLine = Math.min(statement.range.end.line, startLine + MAX_SOURCE_LINES - 1);
  const lines: string[] = [];
  for (let line = startLine; line <= endLine; line++) lines.push(analysis.lines.lineText(line));
  if (endLine < statement.range.end.line) lines.push("...");
  return lines.join("\n");
}

export function displayName(file: SourceFile): string {
  return file.path ? path.basename(file.path) : file.uri;
}

function parentImportHover(workspace: ConfigWorkspace, uri: string, position: Position): Hover | null {
  const file = workspace.get(uri);
  if (!file) return null;
  const statement = statementAtLine(workspace.analysis(file), position.line);
  if (statement?.role !== "parent-import") return null;
  const resolved = workspace.parents(file).find((parent) => parent.parent.statement === statement.statement);
  if (!resolved) return null;
  const value = resolved.file
    ? `Parent config \`${resolved.file.path ?? resolved.file.uri}\`: its entries are inherited and may be overridden here`
    : `Parent config not found${resolved.path ? `: \`${resolved.path}\`` : ""}`;
  return { contents: { kind: "markdown", value }, range: copyRange(statement.statement.range) };
}
