/**
 * Creates the LanguageClient that runs `dist/server.js` over stdio (the same entry other editors
 * use). Crashes restart the server a few times; after that the user gets one notification.
 */
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  type ErrorHandler,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { XmlDocumentFilter } from "../xml-config/looks-like-xml";
import { type RestartPolicy, shouldShutDownAfterConnectionErrors } from "./restart-policy";

export const clientId = "thunder";
export const clientName = "Thunder Language Server";
export const lazyconLanguageId = "lazycon";

export interface ThunderClientOptions {
  serverModule: string;
  log: vscode.LogOutputChannel;
  restartPolicy: RestartPolicy;
  /** A problem the user must hear about (the context shows at most one notification). */
  reportFailure(message: string): void;
  /** The server crashed and may be started again: the context replaces the client. */
  onCrashed(): void;
  /** The server crashed too often and stays down. */
  onGaveUp(): void;
}

/**
 * The stock client pops up a notification for every start or restart failure ('force'); in a crash
 * loop that is one popup per attempt. Here they only go to the log: the error handler below and
 * the context decide what the user hears, once.
 */
class ThunderLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | "force"): void {
    super.error(message, data, false);
  }
}

function createErrorHandler(options: ThunderClientOptions): ErrorHandler {
  return {
    error(error, _message, count) {
      options.log.error(`Connection to the language server failed: ${error.message}`);
      if (!shouldShutDownAfterConnectionErrors(count)) return { action: ErrorAction.Continue, handled: true };
      options.reportFailure(
        "The connection to the Thunder language server keeps failing, so it was stopped.",
      );
      return { action: ErrorAction.Shutdown, handled: true };
    },
    closed() {
      const verdict = options.restartPolicy.serverClosed(Date.now());
      if (verdict.action === "restart") {
        options.log.warn(
          `The language server stopped unexpectedly; restarting it (attempt ${verdict.attempt}).`,
        );
        // Not the library's own restart: when a server dies within milliseconds of starting, its
        // restart races the old connection's pending writes and can lose track of the new process.
        // A fresh client per start has no such state.
        options.onCrashed();
        return {
          action: CloseAction.DoNotRestart,
          handled: true,
          message: "The language server stopped; Thunder starts a new one.",
        };
      }
      const message = `The Thunder language server crashed ${verdict.crashes} times in a few minutes and will not be restarted.`;
      options.log.error(message);
      options.onGaveUp();
      if (verdict.notify) options.reportFailure(message);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}

export function createThunderClient(options: ThunderClientOptions): LanguageClient {
  const run = { module: options.serverModule, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = {
    run,
    debug: { ...run, options: { execArgv: ["--nolazy", "--inspect=6011"] } },
  };
  // XML files named *.config are switched to `xml` right after opening; never let the server see them.
  const xmlDocuments = new XmlDocumentFilter();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: lazyconLanguageId, scheme: "file" },
      { language: lazyconLanguageId, scheme: "untitled" },
    ],
    synchronize: {
      configurationSection: "thunder",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.config"),
    },
    outputChannel: options.log,
    traceOutputChannel: options.log,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: createErrorHandler(options),
    initializationFailedHandler(error) {
      options.log.error(`The language server failed to initialise: ${String(error)}`);
      return false;
    },
    middleware: {
      didOpen(document, next) {
        return xmlDocuments.hideOnOpen(document.uri.toString(), document.getText())
          ? Promise.resolve()
          : next(document);
      },
      didChange(event, next) {
        return xmlDocuments.isHidden(event.document.uri.toString()) ? Promise.resolve() : next(event);
      },
      didClose(document, next) {
        return xmlDocuments.releaseOnClose(document.uri.toString()) ? Promise.resolve() : next(document);
      },
    },
  };
  return new ThunderLanguageClient(clientId, clientName, serverOptions, clientOptions);
}
