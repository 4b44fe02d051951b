/** `thunder/configEntries`: every top-level entry in effect for a config, own or inherited. */
import { statementStartLine } from "../analysis/file";
import { copyRange } from "../analysis/positions";
import { isPlaceholderImport } from "../analysis/thunder";
import type { ConfigWorkspace } from "../analysis/workspace";
import type { ConfigEntriesResult, ConfigEntry } from "../protocol";

export function configEntries(workspace: ConfigWorkspace, uri: string): ConfigEntriesResult {
  const file = workspace.get(uri);
  if (!file) return { uri, entries: [] };
  const entries: ConfigEntry[] = [];
  for (const [name, entry] of workspace.fullScope(file)) {
    const { definition } = entry;
    const statement = definition.statement;
    const lines = workspace.analysis(entry.file).lines;
    const range = copyRange(statement.range);
    const startLine = statementStartLine(statement);
    if (startLine < range.start.line) range.start = { line: startLine, character: 0 };
    let value: string;
    if (statement.type === "Assign") value = lines.textIn(statement.value.range);
    else value = lines.textIn(range);
    entries.push({
      name,
      definedIn: entry.file.uri,
      range,
      value,
      kind: isPlaceholderImport(definition)
        ? "placeholder"
        : definition.kind === "function"
          ? "function"
          : definition.kind === "import"
            ? "import"
            : "assignment",
      inherited: entry.file !== file,
    });
  }
  return { uri: file.uri, entries };
}
