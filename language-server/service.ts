/**
 * The language service: everything the server answers, as plain functions over URIs and
 * positions (library first, like yaml-language-server). `main.ts`/`server/` wire it to an
 * LSP connection; tests may drive it in-process or over stdio. No `vscode` imports.
 */

import type { TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Position,
  Range,
  SymbolInformation,
  WorkspaceEdit,
} from "vscode-languageserver-types";
import type { ConfigEntriesResult } from "./protocol";

/** How the service reads files that are not open in the editor. Must never throw. */
export interface FileSystemHost {
  /** File contents, or undefined if missing / unreadable / a folder. */
  readFile(path: string): string | undefined;
  /** What is at a path. */
  stat(path: string): "file" | "directory" | undefined;
  /** Entries of a folder (names only), or [] if unreadable. */
  readDirectory(path: string): string[];
}

export interface ServiceSettings {
  /** lazycon shortcuts: `from NAME.sub import *` resolves under this folder. */
  shortcuts: Record<string, string>;
  /** `sys.path` of the selected Python, searched for `from a.b import *` parents. */
  sysPath: string[];
  /** Workspace folders (absolute paths), for workspace symbols and finding children. */
  workspaceFolders: string[];
}

export interface LanguageService {
  updateSettings(settings: Partial<ServiceSettings>): void;

  openDocument(uri: string, text: string, version: number): void;
  changeDocument(uri: string, changes: TextDocumentContentChangeEvent[], version: number): void;
  closeDocument(uri: string): void;
  /** A file changed, appeared or disappeared on disk (watcher). */
  fileChanged(uri: string): void;

  /** Diagnostics for a document (open or not). */
  diagnostics(uri: string): Diagnostic[];
  /** Open documents whose diagnostics may have changed after `uri` changed (includes `uri`). */
  affectedDocuments(uri: string): string[];

  completion(uri: string, position: Position): CompletionItem[];
  /**
   * What the server sends: the items that can match the word typed before the caret, marked
   * incomplete when that filtered anything out (so the client asks again as the word changes).
   */
  completionList(uri: string, position: Position): CompletionList;
  hover(uri: string, position: Position): Hover | null;
  definition(uri: string, position: Position): Location[];
  references(uri: string, position: Position, includeDeclaration: boolean): Location[];
  prepareRename(uri: string, position: Position): { range: Range; placeholder: string } | null;
  /** Throws an Error with a user-facing message when the new name is invalid. */
  rename(uri: string, position: Position, newName: string): WorkspaceEdit | null;
  documentSymbols(uri: string): DocumentSymbol[];
  workspaceSymbols(query: string): SymbolInformation[];
  foldingRanges(uri: string): FoldingRange[];
  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): CodeAction[];
  configEntries(uri: string): ConfigEntriesResult;
}

/** Implemented in analysis/ + features/ (see service-impl.ts). */
export { createLanguageService } from "./service-impl";
