/** Quick fixes for the diagnostics that have an obvious repair. */
import type { CodeAction, Diagnostic, Range, TextEdit } from "vscode-languageserver-types";
import { statementAtLine, statementStartLine } from "../analysis/file";
import { PLACEHOLDER_NAMES, PLACEHOLDERS_MODULE, THUNDER_ENTRIES } from "../analysis/thunder";
import type { ConfigWorkspace } from "../analysis/workspace";
import { moveImportEdits, placeholderImportEdit } from "./imports";
import { effectiveScope } from "./locate";

export function codeActions(
  workspace: ConfigWorkspace,
  uri: string,
  _range: Range,
  diagnostics: Diagnostic[],
): CodeAction[] {
  const file = workspace.get(uri);
  if (!file) return [];
  const analysis = workspace.analysis(file);
  const actions: CodeAction[] = [];
  const edit = (edits: TextEdit[]) => ({ changes: { [file.uri]: edits } });

  for (const diagnostic of diagnostics) {
    const name = diagnosticName(diagnostic, analysis.lines.textIn(diagnostic.range));
    switch (diagnostic.code) {
      case "placeholder-not-imported":
        if (!PLACEHOLDER_NAMES.has(name)) break;
        actions.push({
          title: `Import ${name} from ${PLACEHOLDERS_MODULE}`,
          kind: "quickfix",
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: edit([placeholderImportEdit(analysis, name)]),
        });
        break;
      case "placeholder-redefined": {
        const statement = statementAtLine(analysis, diagnostic.range.start.line);
        if (statement?.definitions.length !== 1 || !PLACEHOLDER_NAMES.has(name)) break;
        const start = { line: statementStartLine(statement.statement), character: 0 };
        const end = { line: statement.statement.range.end.line + 1, character: 0 };
        const importEdit = placeholderImportEdit(analysis, name);
        const edits: TextEdit[] =
          importEdit.range.start.line === start.line && importEdit.range.start.character === 0
            ? [{ range: { start, end }, newText: importEdit.newText }]
            : [importEdit, { range: { start, end }, newText: "" }];
        actions.push({
          title: `Replace with "from ${PLACEHOLDERS_MODULE} import ${name}"`,
          kind: "quickfix",
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: edit(edits),
        });
        break;
      }
      case "missing-entry": {
        if (!THUNDER_ENTRIES[name]) break;
        const lastLine = analysis.lines.lineCount - 1;
        const endsWithBreak = analysis.lines.lineText(lastLine).length === 0;
        const at = { line: lastLine, character: analysis.lines.lineText(lastLine).length };
        const text = `${name} = ...  # TODO: ${THUNDER_ENTRIES[name]}\n`;
        actions.push({
          title: `Add the "${name}" entry`,
          kind: "quickfix",
          diagnostics: [diagnostic],
          edit: edit([{ range: { start: at, end: at }, newText: endsWithBreak ? text : `\n${text}` }]),
        });
        break;
      }
      case "import-after-definition":
      case "star-import-position": {
        const statement = statementAtLine(analysis, diagnostic.range.start.line);
        if (!statement) break;
        const edits = moveImportEdits(analysis, statement);
        if (edits.length === 0) break;
        actions.push({
          title:
            statement.role === "parent-import" ? "Move the parent import to the top" : "Move the import up",
          kind: "quickfix",
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: edit(edits),
        });
        break;
      }
      case "undefined-name": {
        const scope = effectiveScope(workspace, file);
        const candidates = [...scope.own.keys(), ...scope.inherited.keys()];
        for (const candidate of closeNames(name, candidates)) {
          actions.push({
            title: `Change to "${candidate}"`,
            kind: "quickfix",
            diagnostics: [diagnostic],
            edit: edit([{ range: diagnostic.range, newText: candidate }]),
          });
        }
        break;
      }
    }
  }
  return actions;
}

function diagnosticName(diagnostic: Diagnostic, textAtRange: string): string {
  const data = diagnostic.data as { name?: unknown } | undefined;
  return typeof data?.name === "string" ? data.name : textAtRange;
}

/** Names within edit distance 2 (at most 3 suggestions, closest first). */
export function closeNames(name: string, candidates: string[]): string[] {
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name || Math.abs(candidate.length - name.length) > 2) continue;
    const distance = editDistance(name, candidate);
    if (distance <= 2 && distance < Math.max(name.length, 2)) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, 3).map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}
