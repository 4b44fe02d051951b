/** Folding ranges: blocks, multi-line brackets, runs of comments and the import group. */
import type { FoldingRange } from "vscode-languageserver-types";
import type { ConfigWorkspace } from "../analysis/workspace";
import type * as ast from "../parser/ast";

const BRACKETED = new Set([
  "List",
  "Tuple",
  "Set",
  "Dict",
  "Call",
  "ListComp",
  "SetComp",
  "DictComp",
  "GeneratorExp",
  "Subscript",
  "JoinedStr",
  "Constant",
]);

const DECORATED = new Set(["FunctionDef", "AsyncFunctionDef", "ClassDef"]);

export function foldingRanges(workspace: ConfigWorkspace, uri: string): FoldingRange[] {
  const file = workspace.get(uri);
  if (!file) return [];
  const analysis = workspace.analysis(file);
  const byStart = new Map<number, FoldingRange>();
  const add = (startLine: number, endLine: number, kind?: string): void => {
    if (endLine <= startLine) return;
    const existing = byStart.get(startLine);
    if (existing && existing.endLine >= endLine) return;
    byStart.set(startLine, kind ? { startLine, endLine, kind } : { startLine, endLine });
  };

  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const typed = node as { type?: string; range?: ast.Range; body?: unknown };
    if (typeof typed.type !== "string") return;
    // Children lie inside their node's lines, so a one-line node holds nothing to fold. Not so
    // for decorators, which come before the `def`/`class` line.
    if (typed.range && typed.range.end.line === typed.range.start.line && !DECORATED.has(typed.type)) return;
    if (typed.range && typed.range.end.line > typed.range.start.line) {
      if (Array.isArray(typed.body) && typed.type !== "Lambda") {
        // A block: header line through its last statement.
        add(typed.range.start.line, typed.range.end.line);
      } else if (BRACKETED.has(typed.type)) {
        // Keep the closing bracket visible.
        add(typed.range.start.line, typed.range.end.line - 1);
      }
    }
    const fields = typed as Record<string, unknown>;
    for (const key in fields) {
      if (key === "range" || key.endsWith("Range") || key.endsWith("Ranges")) continue;
      const value = fields[key];
      if (value && typeof value === "object") visit(value);
    }
  };
  visit(analysis.module.body);

  // The import group at the top.
  let groupStart: number | undefined;
  let groupEnd = -1;
  for (const statement of analysis.statements) {
    if (statement.role !== "import" && statement.role !== "parent-import") break;
    groupStart ??= statement.statement.range.start.line;
    groupEnd = statement.statement.range.end.line;
  }
  if (groupStart !== undefined) add(groupStart, groupEnd, "imports");

  // Runs of two or more comment lines.
  let runStart = -1;
  for (let line = 0; line <= analysis.lines.lineCount; line++) {
    const isComment =
      line < analysis.lines.lineCount && analysis.lines.lineText(line).trimStart().startsWith("#");
    if (isComment && runStart === -1) runStart = line;
    if (!isComment && runStart !== -1) {
      add(runStart, line - 1, "comment");
      runStart = -1;
    }
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}
