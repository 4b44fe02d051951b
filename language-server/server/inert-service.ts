// A LanguageService that knows nothing: used only when the real one is missing from the build.
import type { LanguageService } from "../service";

export function createInertLanguageService(): LanguageService {
  return {
    updateSettings() {},
    openDocument() {},
    changeDocument() {},
    closeDocument() {},
    fileChanged() {},
    diagnostics: () => [],
    affectedDocuments: (uri) => [uri],
    completion: () => [],
    hover: () => null,
    definition: () => [],
    references: () => [],
    prepareRename: () => null,
    rename: () => null,
    documentSymbols: () => [],
    workspaceSymbols: () => [],
    foldingRanges: () => [],
    codeActions: () => [],
    configEntries: (uri) => ({ uri, entries: [] }),
  };
}
