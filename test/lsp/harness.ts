/**
 * Drives the real language server (`node dist/server.js --stdio`) over stdio, like an editor.
 *
 *   const ws = makeWorkspace({ "base.config": "lr = 0.1\n", "exp.config": "from .base import *\n" });
 *   const client = await startServer({ workspace: ws.root });
 *   const uri = client.open(ws.uri("exp.config"), ws.read("exp.config"));
 *   const diagnostics = await client.waitForDiagnostics(uri);
 *   ...
 *   await client.shutdown(); ws.cleanup();
 *
 * Fixture markers (`parseMarkers`), so positions are written where they are meant:
 *
 *   `|`          a cursor: its position is collected in `cursors` (the first one is `cursor`).
 *   `||`         a literal `|` (Python's bitwise or / dict union), not a cursor.
 *   `[[` … `]]`  an expected range, collected in `ranges` in order of their opening marker.
 *                Ranges may contain cursors; they may not nest.
 *
 * The markers are removed from the text; positions are LSP positions (0-based line, UTF-16
 * column) in the text without markers. A fixture that needs `[[` itself (nested lists) picks other
 * markers: `parseMarkers(text, { rangeOpen: "<<", rangeClose: ">>" })`.
 *
 * The server is built once per test run when `dist/server.js` is older than the sources
 * (`THUNDER_LS_PATH=/other/server.js` tests another build instead). Diagnostics the server
 * published for a document version older than the client's latest are ignored by
 * `waitForDiagnostics` (they answer an earlier state); `client.publishes` still has them all.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import {
  type ClientCapabilities,
  type ConfigurationItem,
  ConfigurationRequest,
  type Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  FileChangeType,
  type FileEvent,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  LogMessageNotification,
  type LogMessageParams,
  type Position,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  RegistrationRequest,
  ShutdownRequest,
  type TextDocumentContentChangeEvent,
  UnregistrationRequest,
} from "vscode-languageserver-protocol";

export const repoRoot = resolve(__dirname, "..", "..");
/** THUNDER_LS_PATH runs the tests against another build of the server (it is then not rebuilt). */
export const serverPath = process.env.THUNDER_LS_PATH
  ? resolve(process.env.THUNDER_LS_PATH)
  : join(repoRoot, "dist", "server.js");

// ------------------------------------------------------------------ building

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function serverIsStale(): boolean {
  if (!existsSync(serverPath)) return true;
  const sources = Math.max(
    newestSourceTime(join(repoRoot, "language-server")),
    statSync(join(repoRoot, "package.json")).mtimeMs,
  );
  return statSync(serverPath).mtimeMs < sources;
}

let built = false;

/** Builds dist/server.js if it is missing or older than language-server/ (once per process; locked across processes). */
export function ensureServerBuilt(): void {
  if (built || process.env.THUNDER_LS_PATH) return;
  if (!serverIsStale()) {
    built = true;
    return;
  }
  // Test files run in parallel processes: one builds, the others wait for it.
  const lock = join(repoRoot, "dist", ".build-lock");
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a build that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      } catch {}
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      spawnSync(process.execPath, ["-e", "setTimeout(() => {}, 100)"]);
    }
  }
  try {
    if (serverIsStale()) {
      const startedAt = Date.now();
      const result = spawnSync(process.execPath, [join(repoRoot, "scripts", "build.mjs")], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      // The extension bundle may be broken by unrelated work; only the server bundle matters here.
      const serverWritten = existsSync(serverPath) && statSync(serverPath).mtimeMs >= startedAt - 1000;
      if (result.status !== 0 && !serverWritten) {
        throw new Error(`building the language server failed:\n${result.stdout}\n${result.stderr}`);
      }
    }
    built = true;
  } finally {
    rmdirSync(lock);
  }
}

// ------------------------------------------------------------------ markers

export interface MarkedText {
  text: string;
  /** The first cursor (throws when there is none: use `cursors` for optional ones). */
  cursor: Position;
  cursors: Position[];
  ranges: Range[];
}

export interface MarkerOptions {
  cursor?: string;
  rangeOpen?: string;
  rangeClose?: string;
}

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  let character = offset - lineStart;
  // "\r\n" is one line break: a position just after "\r" is still the end of the line.
  if (character > 0 && text[offset - 1] === "\r" && text[offset] === "\n") character--;
  return { line, character };
}

/** The offset of an LSP position; like the protocol says, a character past the line end means the line end. */
export function offsetAt(text: string, position: Position): number {
  let lineStart = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf("\n", lineStart);
    if (next < 0) return text.length;
    lineStart = next + 1;
  }
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  else if (lineEnd > lineStart && text[lineEnd - 1] === "\r") lineEnd--;
  return Math.min(lineStart + Math.max(0, position.character), lineEnd);
}

export function parseMarkers(marked: string, options: MarkerOptions = {}): MarkedText {
  const cursorMarker = options.cursor ?? "|";
  const open = options.rangeOpen ?? "[[";
  const close = options.rangeClose ?? "]]";
  const escapedCursor = cursorMarker + cursorMarker;
  let text = "";
  const cursorOffsets: number[] = [];
  const rangeOffsets: { start: number; end: number }[] = [];
  let openStart: number | undefined;
  let index = 0;
  while (index < marked.length) {
    if (marked.startsWith(escapedCursor, index)) {
      text += cursorMarker;
      index += escapedCursor.length;
    } else if (marked.startsWith(cursorMarker, index)) {
      cursorOffsets.push(text.length);
      index += cursorMarker.length;
    } else if (marked.startsWith(open, index)) {
      if (openStart !== undefined) throw new Error(`nested "${open}" at offset ${index} in fixture`);
      openStart = text.length;
      index += open.length;
    } else if (marked.startsWith(close, index)) {
      if (openStart === undefined)
        throw new Error(`"${close}" without "${open}" at offset ${index} in fixture`);
      rangeOffsets.push({ start: openStart, end: text.length });
      openStart = undefined;
      index += close.length;
    } else {
      text += marked[index];
      index++;
    }
  }
  if (openStart !== undefined) throw new Error(`"${open}" never closed in fixture`);
  const cursors = cursorOffsets.map((offset) => positionAt(text, offset));
  const ranges = rangeOffsets.map(({ start, end }) => ({
    start: positionAt(text, start),
    end: positionAt(text, end),
  }));
  return {
    text,
    cursors,
    ranges,
    get cursor(): Position {
      if (cursors.length === 0) throw new Error(`fixture has no "${cursorMarker}" cursor`);
      return cursors[0]!;
    },
  };
}

// ------------------------------------------------------------------ workspaces

export interface Workspace {
  /** Absolute path of the temporary folder. */
  root: string;
  rootUri: string;
  path(relative: string): string;
  uri(relative: string): string;
  read(relative: string): string;
  write(relative: string, text: string): string;
  remove(relative: string): void;
  mkdir(relative: string): string;
  cleanup(): void;
}

/** A temporary folder with the given files (paths relative to it, `/`-separated; folders are created). */
export function makeWorkspace(files: Record<string, string> = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), "thunder-ws-"));
  const path = (relative: string) => join(root, ...relative.split("/"));
  const workspace: Workspace = {
    root,
    rootUri: pathToFileURL(root).href,
    path,
    uri: (relative) => pathToFileURL(path(relative)).href,
    read: (relative) => readFileSync(path(relative), "utf8"),
    write(relative, text) {
      mkdirSync(dirname(path(relative)), { recursive: true });
      writeFileSync(path(relative), text);
      return path(relative);
    },
    remove(relative) {
      rmSync(path(relative), { recursive: true, force: true });
    },
    mkdir(relative) {
      mkdirSync(path(relative), { recursive: true });
      return path(relative);
    },
    cleanup() {
      // Tests may chmod things away; give permissions back so that removal works.
      const restore = (dir: string) => {
        try {
          chmodSync(dir, 0o755);
          for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const child = join(dir, entry.name);
            if (entry.isDirectory()) restore(child);
            else if (entry.isFile()) chmodSync(child, 0o644);
          }
        } catch {}
      };
      restore(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [relative, text] of Object.entries(files)) workspace.write(relative, text);
  return workspace;
}

// ------------------------------------------------------------------ client

export interface StartOptions {
  /** Workspace folder(s) (absolute paths) announced in initialize. */
  workspace?: string | string[];
  /** Answers to `workspace/configuration` (the whole settings tree, e.g. `{ thunder: {...} }`). */
  settings?: Record<string, unknown>;
  initializationOptions?: unknown;
  /** Replaces the default, realistic VS Code-like capabilities. */
  capabilities?: ClientCapabilities;
  /** Extra command-line arguments (default `--stdio`). */
  args?: string[];
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** Another language server to drive instead of ours (the benchmark runs pyright this way). */
  command?: { executable: string; args: string[] };
}

export const defaultCapabilities: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    symbol: { dynamicRegistration: false },
    applyEdit: true,
    workspaceEdit: { documentChanges: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true, willSave: false },
    completion: {
      completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] },
      contextSupport: true,
    },
    hover: { contentFormat: ["markdown", "plaintext"] },
    definition: { linkSupport: false },
    references: {},
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    rename: { prepareSupport: true },
    foldingRange: { lineFoldingOnly: true },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } },
      isPreferredSupport: true,
    },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
  },
  window: { workDoneProgress: true },
};

export interface LspClient {
  connection: MessageConnection;
  process: ChildProcess;
  pid: number;
  initializeResult: InitializeResult;
  /** What `workspace/configuration` answers from now on (mutate or replace, then `notifySettingsChanged`). */
  settings: Record<string, unknown>;
  /** Every window/logMessage received. */
  logs: LogMessageParams[];
  /** Capability registrations the server asked for. */
  registrations: Registration[];
  /** Every `workspace/configuration` item the server asked for. */
  configurationRequests: ConfigurationItem[];
  /** Latest published diagnostics per URI (stale publishes, for versions older than the client's, are left out). */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  /** Every publishDiagnostics received, in order (use this rather than a second onNotification handler, which would replace the harness's). */
  publishes: PublishDiagnosticsParams[];
  /** Everything the server wrote to stderr. */
  stderr(): string;

  open(uri: string, text: string, languageId?: string): string;
  /** Sends incremental changes; returns the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[]): number;
  /** Replaces `range` with `text` (one incremental change). */
  edit(uri: string, range: Range, text: string): number;
  close(uri: string): void;
  /** Tell the server files changed on disk (as a watcher would). */
  fileChanged(uri: string, type?: FileChangeType): void;
  fileEvents(events: FileEvent[]): void;
  notifySettingsChanged(): void;
  /** Forgets received diagnostics of `uri`, so that a following wait needs a new publish. */
  forgetDiagnostics(uri: string): void;
  /**
   * Resolves with the diagnostics of `uri` from the latest publish already received (unless
   * forgotten) or the next ones, the first that satisfies `predicate`. Rejects after `timeoutMs`
   * with what was last seen.
   */
  waitForDiagnostics(
    uri: string,
    predicate?: (diagnostics: Diagnostic[]) => boolean,
    timeoutMs?: number,
  ): Promise<Diagnostic[]>;
  /** Resolves with the first log message (already received or coming) whose text matches. */
  waitForLog(match: RegExp, timeoutMs?: number): Promise<LogMessageParams>;
  /** A request with a timeout (rejects when the server does not answer in time). */
  request<R>(method: string, params: unknown, timeoutMs?: number): Promise<R>;
  /** Sends shutdown + exit and waits for the process to end; returns its exit code. */
  shutdown(timeoutMs?: number): Promise<number | null>;
  /** Kills the server (for tests that cannot shut down cleanly). */
  kill(): void;
  /** True while the server process runs. */
  alive(): boolean;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function lookupSection(settings: Record<string, unknown>, section: string | undefined): unknown {
  if (!section) return settings;
  let value: unknown = settings;
  for (const part of section.split(".")) {
    if (typeof value !== "object" || value === null) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

/** Spawns the server, initializes it like VS Code would, and returns a client for it. */
export async function startServer(options: StartOptions = {}): Promise<LspClient> {
  const command = options.command ?? {
    executable: process.execPath,
    args: [serverPath, ...(options.args ?? ["--stdio"])],
  };
  if (!options.command) ensureServerBuilt();
  const child = spawn(command.executable, command.args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr += chunk;
  });
  let exited = false;
  const exit = new Promise<number | null>((resolveExit) => {
    child.on("exit", (code) => {
      exited = true;
      resolveExit(code);
    });
  });

  const connection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  // Writes after the server died must not crash the test process.
  child.stdin!.on("error", () => {});

  const logs: LogMessageParams[] = [];
  const registrations: Registration[] = [];
  const configurationRequests: ConfigurationItem[] = [];
  const logWaiters = new Set<() => void>();
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const publishes: PublishDiagnosticsParams[] = [];
  const waiters = new Set<() => void>();
  const versions = new Map<string, number>();
  /** Documents this client closed (publishes with a version for them are stale). */
  const closed = new Set<string>();
  let serverVersionsPublishes = false;

  const client: LspClient = {
    connection,
    process: child,
    pid: child.pid!,
    initializeResult: undefined as unknown as InitializeResult,
    settings: options.settings ?? {},
    logs,
    registrations,
    configurationRequests,
    diagnostics,
    publishes,
    stderr: () => stderr,

    open(uri, text, languageId = "lazycon") {
      versions.set(uri, 1);
      closed.delete(uri);
      diagnostics.delete(uri);
      void connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId, version: 1, text },
      });
      return uri;
    },
    change(uri, changes) {
      const version = (versions.get(uri) ?? 1) + 1;
      versions.set(uri, version);
      diagnostics.delete(uri);
      void connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: changes,
      });
      return version;
    },
    edit(uri, range, text) {
      return client.change(uri, [{ range, text }]);
    },
    close(uri) {
      versions.delete(uri);
      closed.add(uri);
      diagnostics.delete(uri);
      void connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    fileChanged(uri, type = FileChangeType.Changed) {
      client.fileEvents([{ uri, type }]);
    },
    fileEvents(events) {
      void connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: events });
    },
    notifySettingsChanged() {
      void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    },
    forgetDiagnostics(uri) {
      diagnostics.delete(uri);
    },
    waitForDiagnostics(uri, predicate = () => true, timeoutMs = 5000) {
      return new Promise((resolveWait, rejectWait) => {
        const check = () => {
          const latest = diagnostics.get(uri);
          if (latest && predicate(latest.diagnostics)) {
            finish();
            resolveWait(latest.diagnostics);
          }
        };
        const timer = setTimeout(() => {
          finish();
          const latest = diagnostics.get(uri);
          rejectWait(
            new Error(
              `no matching diagnostics for ${uri} within ${timeoutMs} ms; last seen: ${
                latest
                  ? JSON.stringify(latest.diagnostics.map((d) => `${d.range.start.line}: ${d.message}`))
                  : "none"
              }${exited ? " (the server exited)" : ""}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    waitForLog(match, timeoutMs = 5000) {
      return new Promise((resolveWait, rejectWait) => {
        const check = () => {
          const found = logs.find((log) => match.test(log.message));
          if (found) {
            finish();
            resolveWait(found);
          }
        };
        const timer = setTimeout(() => {
          finish();
          rejectWait(new Error(`no log message matching ${match} within ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          logWaiters.delete(check);
        };
        logWaiters.add(check);
        check();
      });
    },
    request<R>(method: string, params: unknown, timeoutMs = 5000) {
      return withTimeout(connection.sendRequest<R>(method, params), timeoutMs, method);
    },
    async shutdown(timeoutMs = 5000) {
      if (exited) return child.exitCode;
      try {
        await withTimeout(connection.sendRequest(ShutdownRequest.type), timeoutMs, "shutdown");
        await connection.sendNotification(ExitNotification.type);
        return await withTimeout(exit, timeoutMs, "exit");
      } finally {
        client.kill();
        connection.dispose();
      }
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
    alive: () => !exited,
  };

  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    publishes.push(params);
    // A publish the server sent before it saw our latest change or close is stale: keep it out
    // of `diagnostics`, so that waits after an edit only see answers to that edit.
    // A server that versions its publishes sends unversioned ones only to clear closed documents:
    // one arriving while the document is open again belongs to the earlier close.
    const current = versions.get(params.uri);
    const versioned = params.version !== undefined && params.version !== null;
    if (versioned) serverVersionsPublishes = true;
    const stale = versioned
      ? current !== undefined
        ? params.version! < current
        : closed.has(params.uri)
      : serverVersionsPublishes && current !== undefined;
    if (stale) return;
    diagnostics.set(params.uri, params);
    for (const waiter of [...waiters]) waiter();
  });
  connection.onNotification(LogMessageNotification.type, (params) => {
    logs.push(params);
    for (const waiter of [...logWaiters]) waiter();
  });
  connection.onRequest(ConfigurationRequest.type, (params) => {
    configurationRequests.push(...params.items);
    return params.items.map((item) => lookupSection(client.settings, item.section));
  });
  connection.onRequest(RegistrationRequest.type, (params) => {
    registrations.push(...params.registrations);
  });
  connection.onRequest(UnregistrationRequest.type, () => undefined);
  connection.onRequest("window/workDoneProgress/create", () => null);
  connection.onError(() => {});
  connection.listen();

  const folders = typeof options.workspace === "string" ? [options.workspace] : (options.workspace ?? []);
  const workspaceFolders = folders.map((folder, index) => ({
    uri: pathToFileURL(folder).href,
    name: `folder${index}`,
  }));
  try {
    client.initializeResult = await withTimeout(
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        clientInfo: { name: "thunder-test-harness" },
        rootUri: workspaceFolders[0]?.uri ?? null,
        workspaceFolders: workspaceFolders.length > 0 ? workspaceFolders : null,
        capabilities: options.capabilities ?? defaultCapabilities,
        initializationOptions: options.initializationOptions,
      }),
      10_000,
      "initialize",
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\nserver stderr:\n${stderr}`);
  }
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}

/** The range covering all of `text` (for full replacements through incremental sync). */
export function wholeRange(text: string): Range {
  return { start: { line: 0, character: 0 }, end: positionAt(text, text.length) };
}

/** Reads VmRSS of a process in bytes (Linux), or undefined. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
