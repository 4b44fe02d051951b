/**
 * Custom requests between the extension and the language server. Written once here and
 * imported by both sides (this file must not import `vscode` or server internals).
 */

export const configEntriesRequest = "thunder/configEntries";

export interface ConfigEntriesParams {
  /** URI of a `.config` file. */
  uri: string;
}

export interface ConfigEntry {
  name: string;
  /** URI of the file whose definition is in effect (the child's own file or a parent). */
  definedIn: string;
  /** Range of the whole defining statement in that file (0-based LSP range). */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** Source text of the value (right-hand side; for `def`, the whole definition; for imports, the import line). */
  value: string;
  kind: "assignment" | "function" | "import" | "placeholder";
  /** True when the entry comes from a parent config and the file itself does not define it. */
  inherited: boolean;
}

export interface ConfigEntriesResult {
  uri: string;
  entries: ConfigEntry[];
}
