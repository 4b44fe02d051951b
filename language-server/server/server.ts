/**
 * Wires an LSP connection to the LanguageService. Handlers stay thin: they translate LSP
 * params, ask the service, and turn failures into a log line plus an empty answer so that
 * one bad request never takes the server down.
 */
import {
  CodeActionKind,
  type CompletionList,
  type Connection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type InitializeParams,
  type InitializeResult,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  WatchKind,
} from "vscode-languageserver/node";
import type { CancellationToken } from "vscode-languageserver-protocol";
import { type ConfigEntriesParams, type ConfigEntriesResult, configEntriesRequest } from "../protocol";
import type { FileSystemHost, LanguageService, ServiceSettings } from "../service";
import { DiagnosticsScheduler } from "./diagnostics-scheduler";
import { createNodeFileSystemHost } from "./file-system-host";
import { defaultPythonPath, querySysPath, type SysPathResult } from "./python-sys-path";
import { mergeScopedSettings, readThunderSettings, type ScopedSettings } from "./settings";
import { pathToUri, uriToPath } from "./uri";

export const serverName = "thunder-language-server";

export type LanguageServiceFactory = (
  host: FileSystemHost,
  settings?: Partial<ServiceSettings>,
) => LanguageService;

export interface ServerOptions {
  createService: LanguageServiceFactory;
  host?: FileSystemHost;
  querySysPath?: (pythonPath: string) => Promise<SysPathResult>;
  version?: string;
}

interface Workspace {
  folders: { uri: string; path: string }[];
}

export function startLanguageServer(connection: Connection, options: ServerOptions): void {
  const host = options.host ?? createNodeFileSystemHost();
  const askSysPath = options.querySysPath ?? ((python: string) => querySysPath(python));
  const service: LanguageService = options.createService(host);
  const openVersions = new Map<string, number>();
  const workspace: Workspace = { folders: [] };
  let initializationSettings: unknown;
  let supportsConfigurationPull = false;
  let supportsWatcherRegistration = false;
  let supportsConfigurationRegistration = false;
  let supportsWorkspaceFolders = false;
  let currentPythonPath: string | undefined;
  let sysPathQueryId = 0;
  let currentSysPath: string[] = [];

  const log = (message: string) => connection.console.log(message);
  const logError = (message: string) => connection.console.error(message);

  function describeError(error: unknown): string {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
  }

  /** Runs a service call; on failure logs it and returns the fallback. */
  function safely<T>(what: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (error) {
      logError(`${what} failed: ${describeError(error)}`);
      return fallback;
    }
  }

  /**
   * A request handler that respects cancellation and never lets an exception escape. It lets the
   * event loop read input once before working: a cancellation sent right after the request (the
   * editor moved on) is then seen and the work skipped. If the document changed meanwhile, the
   * request's positions belong to an older text: the answer is ContentModified, as LSP asks.
   */
  function request<P, R>(
    method: string,
    empty: (params: P) => R,
    answer: (params: P) => R,
  ): (params: P, token: CancellationToken) => Promise<R | ResponseError<void>> {
    return async (params, token) => {
      const uri = (params as { textDocument?: { uri?: unknown } }).textDocument?.uri;
      const version = typeof uri === "string" ? openVersions.get(uri) : undefined;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (token.isCancellationRequested)
        return new ResponseError(LSPErrorCodes.RequestCancelled, "cancelled");
      if (typeof uri === "string" && openVersions.get(uri) !== version)
        return new ResponseError(LSPErrorCodes.ContentModified, "the document changed");
      return safely(method, empty(params), () => answer(params));
    };
  }

  const scheduler = new DiagnosticsScheduler((uri) => {
    const version = openVersions.get(uri);
    if (version === undefined) return;
    const diagnostics = safely(`diagnostics for ${uri}`, [], () => service.diagnostics(uri));
    void connection.sendDiagnostics({ uri, version, diagnostics });
  });

  function scheduleAffected(uri: string): void {
    const affected = safely(`affected documents of ${uri}`, [uri], () => service.affectedDocuments(uri));
    scheduler.schedule([uri, ...affected].filter((each) => openVersions.has(each)));
  }

  function republishAll(): void {
    scheduler.schedule(openVersions.keys());
  }

  // ------------------------------------------------------------------ settings

  async function pullSettings(): Promise<ScopedSettings[]> {
    if (!supportsConfigurationPull) {
      const { settings, problems } = readThunderSettings(initializationSettings);
      for (const problem of problems) logError(problem);
      return [{ folder: workspace.folders[0]?.path, settings }];
    }
    const scopes = workspace.folders.length > 0 ? workspace.folders : [undefined];
    const values: unknown[] = await connection.workspace.getConfiguration(
      scopes.map((folder) => ({ scopeUri: folder?.uri, section: "thunder" })),
    );
    return scopes.map((folder, index) => {
      // Editors without per-folder values may answer null: fall back to initializationOptions.
      const { settings, problems } = readThunderSettings(values[index] ?? initializationSettings);
      for (const problem of problems) logError(problem);
      return { folder: folder?.path, settings };
    });
  }

  function applySettings(scoped: ScopedSettings[]): void {
    const { shortcuts, pythonPath } = mergeScopedSettings(scoped);
    safely("updating settings", undefined, () =>
      service.updateSettings({ shortcuts, workspaceFolders: workspace.folders.map((folder) => folder.path) }),
    );
    const python = pythonPath ?? defaultPythonPath;
    if (python !== currentPythonPath) {
      currentPythonPath = python;
      refreshSysPath(python);
    }
    republishAll();
  }

  /**
   * sys.path arrives later; requests keep being answered with the previous one meanwhile. The
   * query starts once pending diagnostics are out: starting a process costs the server some
   * milliseconds, which the first diagnostics of a document that just opened should not wait for.
   */
  function refreshSysPath(python: string): void {
    const queryId = ++sysPathQueryId;
    scheduler.afterPending(() => {
      if (queryId === sysPathQueryId) querySysPathNow(python, queryId);
    });
  }

  function querySysPathNow(python: string, queryId: number): void {
    void askSysPath(python).then((result) => {
      if (queryId !== sysPathQueryId) return;
      if (!result.ok) {
        logError(`${result.error}; parent configs are looked up by shortcuts and relative paths only`);
        return;
      }
      if (result.sysPath.join("\n") === currentSysPath.join("\n")) return;
      currentSysPath = result.sysPath;
      safely("updating sys.path", undefined, () => service.updateSettings({ sysPath: result.sysPath }));
      republishAll();
    });
  }

  async function reloadSettings(): Promise<void> {
    try {
      applySettings(await pullSettings());
    } catch (error) {
      logError(`reading settings failed: ${describeError(error)}`);
    }
  }

  // ------------------------------------------------------------------ lifecycle

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const capabilities = params.capabilities;
    supportsConfigurationPull = capabilities.workspace?.configuration === true;
    supportsWatcherRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    supportsConfigurationRegistration =
      capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    supportsWorkspaceFolders = capabilities.workspace?.workspaceFolders === true;
    initializationSettings = params.initializationOptions;

    const folderUris =
      params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    if (folderUris.length === 0 && params.rootPath) folderUris.push(pathToUri(params.rootPath));
    workspace.folders = folderUris.flatMap((uri) => {
      const path = uriToPath(uri);
      return path === undefined ? [] : [{ uri, path }];
    });

    // Settings from initializationOptions apply right away; the reload after `initialized`
    // (a pull, if supported) refines them and reports any problems in them.
    const { settings } = readThunderSettings(initializationSettings);
    const merged = mergeScopedSettings([{ folder: workspace.folders[0]?.path, settings }]);
    safely("initial settings", undefined, () =>
      service.updateSettings({
        shortcuts: merged.shortcuts,
        workspaceFolders: workspace.folders.map((folder) => folder.path),
      }),
    );

    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ["."], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: serverName, version: options.version },
    };
  });

  connection.onInitialized(() => {
    if (supportsWatcherRegistration) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: "**/*.config", kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete },
          ],
        })
        .catch((error: unknown) =>
          logError(`registering the .config file watcher failed: ${describeError(error)}`),
        );
    }
    if (supportsConfigurationRegistration) {
      void connection.client
        .register(DidChangeConfigurationNotification.type, { section: "thunder" })
        .catch((error: unknown) =>
          logError(`registering for settings changes failed: ${describeError(error)}`),
        );
    }
    if (supportsWorkspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        const removed = new Set(event.removed.map((folder) => folder.uri));
        const kept = workspace.folders.filter((folder) => !removed.has(folder.uri));
        const added = event.added.flatMap((folder) => {
          const path = uriToPath(folder.uri);
          return path === undefined ? [] : [{ uri: folder.uri, path }];
        });
        workspace.folders = [...kept, ...added];
        void reloadSettings();
      });
    }
    void reloadSettings();
    log(`${serverName} ${options.version ?? ""} ready`.trim());
  });

  connection.onDidChangeConfiguration((params) => {
    // Clients that cannot be asked (no workspace/configuration) push their settings instead.
    if (!supportsConfigurationPull && params.settings !== null && params.settings !== undefined) {
      initializationSettings = params.settings;
    }
    void reloadSettings();
  });

  connection.onShutdown(() => {
    scheduler.dispose();
  });

  // ------------------------------------------------------------------ documents

  connection.onDidOpenTextDocument(({ textDocument }) => {
    openVersions.set(textDocument.uri, textDocument.version);
    safely(`opening ${textDocument.uri}`, undefined, () =>
      service.openDocument(textDocument.uri, textDocument.text, textDocument.version),
    );
    scheduleAffected(textDocument.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    if (!openVersions.has(textDocument.uri)) return;
    openVersions.set(textDocument.uri, textDocument.version);
    safely(`changing ${textDocument.uri}`, undefined, () =>
      service.changeDocument(textDocument.uri, contentChanges, textDocument.version),
    );
    scheduleAffected(textDocument.uri);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const uri = textDocument.uri;
    openVersions.delete(uri);
    scheduler.cancel(uri);
    safely(`closing ${uri}`, undefined, () => service.closeDocument(uri));
    // A closed file's problems are no longer shown; its open children now see the disk version.
    void connection.sendDiagnostics({ uri, diagnostics: [] });
    scheduleAffected(uri);
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    const affected = new Set<string>();
    for (const change of changes) {
      safely(`file change of ${change.uri}`, undefined, () => service.fileChanged(change.uri));
    }
    for (const change of changes) {
      for (const uri of safely(`affected documents of ${change.uri}`, [], () =>
        service.affectedDocuments(change.uri),
      )) {
        affected.add(uri);
      }
    }
    scheduler.schedule([...affected].filter((uri) => openVersions.has(uri)));
  });

  // ------------------------------------------------------------------ requests

  connection.onCompletion(
    request(
      "textDocument/completion",
      (): CompletionList => ({ isIncomplete: false, items: [] }),
      (params) => service.completionList(params.textDocument.uri, params.position),
    ),
  );
  connection.onHover(
    request(
      "textDocument/hover",
      () => null,
      (params) => service.hover(params.textDocument.uri, params.position),
    ),
  );
  connection.onDefinition(
    request(
      "textDocument/definition",
      () => [],
      (params) => service.definition(params.textDocument.uri, params.position),
    ),
  );
  connection.onReferences(
    request(
      "textDocument/references",
      () => [],
      (params) =>
        service.references(
          params.textDocument.uri,
          params.position,
          params.context?.includeDeclaration ?? true,
        ),
    ),
  );
  connection.onPrepareRename(
    request(
      "textDocument/prepareRename",
      () => null,
      (params) => service.prepareRename(params.textDocument.uri, params.position),
    ),
  );
  connection.onRenameRequest(async (params, token) => {
    const version = openVersions.get(params.textDocument.uri);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, "cancelled");
    if (openVersions.get(params.textDocument.uri) !== version)
      return new ResponseError(LSPErrorCodes.ContentModified, "the document changed");
    try {
      return service.rename(params.textDocument.uri, params.position, params.newName);
    } catch (error) {
      // The service throws on invalid names with a message meant for the user.
      const message = error instanceof Error ? error.message : String(error);
      log(`textDocument/rename refused: ${message}`);
      return new ResponseError(LSPErrorCodes.RequestFailed, message);
    }
  });
  connection.onDocumentSymbol(
    request(
      "textDocument/documentSymbol",
      () => [],
      (params) => service.documentSymbols(params.textDocument.uri),
    ),
  );
  connection.onWorkspaceSymbol(
    request(
      "workspace/symbol",
      () => [],
      (params) => service.workspaceSymbols(params.query ?? ""),
    ),
  );
  connection.onFoldingRanges(
    request(
      "textDocument/foldingRange",
      () => [],
      (params) => service.foldingRanges(params.textDocument.uri),
    ),
  );
  connection.onCodeAction(
    request(
      "textDocument/codeAction",
      () => [],
      (params) =>
        service.codeActions(params.textDocument.uri, params.range, params.context?.diagnostics ?? []),
    ),
  );
  connection.onRequest(
    configEntriesRequest,
    request<ConfigEntriesParams, ConfigEntriesResult>(
      configEntriesRequest,
      (params) => ({ uri: typeof params?.uri === "string" ? params.uri : "", entries: [] }),
      (params) => {
        if (typeof params?.uri !== "string")
          throw new TypeError(`${configEntriesRequest} needs { uri: string }`);
        return service.configEntries(params.uri);
      },
    ),
  );

  connection.listen();
}
