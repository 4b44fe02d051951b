/** Text edits that add names to the config's imports at the place lazycon accepts them. */
import type { TextEdit } from "vscode-languageserver-types";
import type { FileAnalysis } from "../analysis/file";
import { statementStartLine } from "../analysis/file";
import type { StatementAnalysis } from "../analysis/statement";
import { PLACEHOLDERS_MODULE } from "../analysis/thunder";

/** Adds `name` to `from thunder.placeholders import ...`, creating the import after the existing ones. */
export function placeholderImportEdit(analysis: FileAnalysis, name: string): TextEdit {
  for (const { statement } of analysis.statements) {
    if (statement.type !== "ImportFrom" || statement.module !== PLACEHOLDERS_MODULE || statement.level !== 0)
      continue;
    if (statement.names.some((alias) => alias.name === "*")) continue;
    const last = statement.names[statement.names.length - 1];
    const at = { line: last.range.end.line, character: last.range.end.character };
    return { range: { start: at, end: at }, newText: `, ${name}` };
  }
  // After config imports and existing imports, before the first definition.
  let line = 0;
  let lastImport: number | undefined;
  for (const analysisOfStatement of analysis.statements) {
    if (analysisOfStatement.role === "parent-import" || analysisOfStatement.role === "import") {
      lastImport = analysisOfStatement.statement.range.end.line;
      continue;
    }
    if (lastImport === undefined) line = statementStartLine(analysisOfStatement.statement);
    break;
  }
  if (lastImport !== undefined) line = lastImport + 1;
  const text = `from ${PLACEHOLDERS_MODULE} import ${name}`;
  if (!analysis.lines.hasLine(line)) {
    const lastLine = analysis.lines.lineCount - 1;
    // The last import ends the file without a line break.
    const at = { line: lastLine, character: analysis.lines.lineText(lastLine).length };
    return { range: { start: at, end: at }, newText: `\n${text}` };
  }
  const at = { line, character: 0 };
  return { range: { start: at, end: at }, newText: `${text}\n` };
}

/**
 * Moves a misplaced import up: a parent import before everything else, an ordinary import to
 * the end of the imports that precede the first definition.
 */
export function moveImportEdits(analysis: FileAnalysis, statement: StatementAnalysis): TextEdit[] {
  const statements = analysis.statements;
  let targetLine: number | undefined;
  if (statement.role === "parent-import") {
    const first = statements.find((candidate) => candidate.role !== "parent-import");
    if (first) targetLine = statementStartLine(first.statement);
  } else {
    let lastImport: StatementAnalysis | undefined;
    for (const candidate of statements) {
      if (candidate === statement) return [];
      if (candidate.role === "parent-import" || candidate.role === "import") {
        lastImport = candidate;
        continue;
      }
      targetLine = lastImport
        ? lastImport.statement.range.end.line + 1
        : statementStartLine(candidate.statement);
      break;
    }
  }
  const startLine = statementStartLine(statement.statement);
  if (targetLine === undefined || targetLine >= startLine) return [];
  const endLine = statement.statement.range.end.line;
  const lines: string[] = [];
  for (let line = startLine; line <= endLine; line++) lines.push(analysis.lines.lineText(line));
  const to = { line: targetLine, character: 0 };
  // Remove the whole lines of the statement (its line break too, or the one before it at the end of the file).
  const removal = analysis.lines.hasLine(endLine + 1)
    ? { start: { line: startLine, character: 0 }, end: { line: endLine + 1, character: 0 } }
    : {
        start: { line: startLine - 1, character: analysis.lines.lineText(startLine - 1).length },
        end: { line: endLine, character: analysis.lines.lineText(endLine).length },
      };
  return [
    { range: { start: to, end: to }, newText: `${lines.join("\n")}\n` },
    { range: removal, newText: "" },
  ];
}
