/** The language service: the config graph (analysis/) answering each feature (features/). */
import { setFlagsFromString } from "node:v8";
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

let heapConfigured = false;

/**
 * A parse tree survives young-generation collections whole, and V8 answers a high survival
 * rate by growing the young generation (to 2 x 16 MB), which then stays resident. Keeping it
 * at its initial size saves that memory at no measurable cost in speed (measured on a
 * 10k-line config: about 17 MB less resident memory, same CPU time). Process-wide, once.
 */
function keepYoungGenerationSmall(): void {
  if (heapConfigured) return;
  heapConfigured = true;
  setFlagsFromString("--semi-space-growth-factor=1");
}

export function createLanguageService(
  host: FileSystemHost,
  settings?: Partial<ServiceSettings>,
): LanguageService {
  keepYoungGenerationSmall();
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
