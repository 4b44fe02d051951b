/** The language service: the config graph (analysis/) answering each feature (features/). */
import { fileProblems, toDiagnostic } from "./analysis/diagnostics";
import { ConfigWorkspace } from "./analysis/workspace";
import { codeActions } from "./features/codeActions";
import { completion } from "./features/completion";
import { configEntries } from "./features/configEntries";
import { foldingRanges } from "./features/folding";
import { hover } from "./features/hover";
import { definition, prepareRename, references, rename } from "./features/navigation";
import { documentSymbols, workspaceSymbols } from "./features/symbols";
import type { FileSystemHost, LanguageService, ServiceSettings } from "./service";

export function createLanguageService(
  host: FileSystemHost,
  settings?: Partial<ServiceSettings>,
): LanguageService {
  const workspace = new ConfigWorkspace(host);
  if (settings) workspace.updateSettings(settings);
  return {
    updateSettings: (update) => workspace.updateSettings(update),
    openDocument: (uri, text) => {
      workspace.open(uri, text);
    },
    changeDocument: (uri, changes) => {
      workspace.change(
        uri,
        changes.map((change) =>
          "range" in change ? { range: change.range, text: change.text } : { text: change.text },
        ),
      );
    },
    closeDocument: (uri) => workspace.close(uri),
    fileChanged: (uri) => workspace.fileChanged(uri),
    diagnostics: (uri) => {
      const file = workspace.get(uri);
      return file && !file.foreign
        ? fileProblems(workspace, file).map((problem) => toDiagnostic(problem, file.uri))
        : [];
    },
    affectedDocuments: (uri) => {
      const key = workspace.keyOf(uri);
      const affected: string[] = [];
      for (const file of workspace.openFiles()) {
        const related =
          file.key === key ||
          workspace.ancestors(file).some((ancestor) => ancestor.key === key) ||
          workspace.parents(file).some((parent) => parent.path === key);
        if (related) affected.push(file.uri);
      }
      if (!affected.includes(uri) && workspace.isOpen(uri)) affected.unshift(uri);
      return affected;
    },
    completion: (uri, position) => completion(workspace, uri, position),
    completionList: (uri, position) => {
      const items = completion(workspace, uri, position);
      const file = workspace.get(uri);
      const before = file
        ? workspace.analysis(file).lines.lineText(position.line).slice(0, position.character)
        : "";
      const word = /[\p{L}\p{N}_]*$/u.exec(before)?.[0] ?? "";
      if (word === "") return { isIncomplete: false, items };
      const matching = items.filter((item) => isSubsequence(word, item.filterText ?? item.label));
      return { isIncomplete: matching.length < items.length, items: matching };
    },
    hover: (uri, position) => hover(workspace, uri, position),
    definition: (uri, position) => definition(workspace, uri, position),
    references: (uri, position, includeDeclaration) =>
      references(workspace, uri, position, includeDeclaration),
    prepareRename: (uri, position) => prepareRename(workspace, uri, position),
    rename: (uri, position, newName) => rename(workspace, uri, position, newName),
    documentSymbols: (uri) => documentSymbols(workspace, uri),
    workspaceSymbols: (query) => workspaceSymbols(workspace, query),
    foldingRanges: (uri) => foldingRanges(workspace, uri),
    codeActions: (uri, range, diagnostics) => codeActions(workspace, uri, range, diagnostics),
    configEntries: (uri) => configEntries(workspace, uri),
  };
}

/** Case-insensitive: every character of `word` appears in `label` in order (what fuzzy matching needs at least). */
function isSubsequence(word: string, label: string): boolean {
  const pattern = word.toLowerCase();
  const text = label.toLowerCase();
  let index = 0;
  for (let i = 0; i < text.length && index < pattern.length; i++) {
    if (text[i] === pattern[index]) index++;
  }
  return index === pattern.length;
}
