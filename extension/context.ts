/**
 * The extension's one context object (like rust-analyzer's `Ctx`): it owns the log, the language
 * client, the status bar item and every disposable. Commands are made from it by factories.
 */
import * as vscode from "vscode";
import { type LanguageClient, State } from "vscode-languageclient/node";
import { createThunderClient, lazyconLanguageId } from "./language-client/client";
import { RestartPolicy } from "./language-client/restart-policy";
import { presentServerState, type ServerState } from "./language-client/server-status";

export const showLogCommand = "thunder.showLog";
const stopTimeoutMs = 2000;
/**
 * A failure is shown only if the server is still down this long after it: a crash the client
 * recovers from by restarting stays in the log.
 */
const failureNoticeDelayMs = 2000;

export class ThunderContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  private readonly restartPolicy = new RestartPolicy();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private serverState: ServerState = "stopped";
  /** One failure notification at a time; cleared when the user restarts the server. */
  private failureShown = false;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("Thunder", { log: true });
    this.statusItem = vscode.window.createStatusBarItem("server", vscode.StatusBarAlignment.Right, 100);
    this.statusItem.name = "Thunder Language Server";
    this.statusItem.command = showLogCommand;
    this.disposables.push(
      this.log,
      this.statusItem,
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusItem()),
    );
    this.updateStatusItem();
  }

  /** Registers a command made from this context; commands are created once, here. */
  registerCommand(id: string, factory: (ctx: ThunderContext) => (...args: unknown[]) => unknown): void {
    this.disposables.push(vscode.commands.registerCommand(id, factory(this)));
  }

  /** Adds something that must be disposed with the extension. */
  own(disposable: vscode.Disposable): void {
    this.disposables.push(disposable);
  }

  /** The running language client, for custom requests such as `thunder/configEntries`. */
  get languageClient(): LanguageClient | undefined {
    return this.isServerRunning ? this.client : undefined;
  }

  get isServerRunning(): boolean {
    return this.client?.state === State.Running;
  }

  async startServer(): Promise<void> {
    if (this.client) return;
    const started = Date.now();
    const client = createThunderClient({
      serverModule: this.extensionContext.asAbsolutePath("dist/server.js"),
      log: this.log,
      restartPolicy: this.restartPolicy,
      reportFailure: (message) => this.reportFailure(message),
      onCrashed: () => setTimeout(() => void this.replaceCrashedClient(client), 0),
      onGaveUp: () => this.setServerState("failed"),
    });
    this.client = client;
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) this.setServerState("running");
      else if (newState === State.Starting) this.setServerState("starting");
      else if (this.serverState !== "failed") this.setServerState("stopped");
    });
    this.setServerState("starting");
    try {
      await client.start();
      this.log.info(`Language server started in ${Date.now() - started} ms.`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.error(`The language server did not start: ${reason}`);
      this.reportFailure(`The Thunder language server did not start: ${reason}`);
    }
  }

  async stopServer(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A client whose start failed has no server to stop, and `dispose` throws for it; it still
    // has to be disposed to drop its listeners.
    const hadServer = client.needsStop();
    try {
      await client.dispose(stopTimeoutMs);
    } catch (error) {
      if (hadServer) {
        this.log.warn(
          `Stopping the language server: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.setServerState("stopped");
  }

  /** After a crash the restart policy allows: a new client (and server) in place of `crashed`. */
  private async replaceCrashedClient(crashed: LanguageClient): Promise<void> {
    if (this.client !== crashed) return; // stopped or replaced meanwhile
    await this.stopServer();
    await this.startServer();
  }

  async restartServer(): Promise<void> {
    this.log.info("Restarting the language server.");
    await this.stopServer();
    this.restartPolicy.reset();
    this.failureShown = false;
    await this.startServer();
  }

  showLog(): void {
    this.log.show(true);
  }

  private reportFailure(message: string): void {
    setTimeout(() => {
      if (this.failureShown || this.isServerRunning) return;
      this.failureShown = true;
      this.setServerState("failed");
      void vscode.window.showErrorMessage(message, "Show Log", "Restart").then((choice) => {
        if (choice === "Show Log") this.showLog();
        else if (choice === "Restart") void this.restartServer();
      });
    }, failureNoticeDelayMs);
  }

  private setServerState(state: ServerState): void {
    this.serverState = state;
    this.updateStatusItem();
  }

  private updateStatusItem(): void {
    const presentation = presentServerState(this.serverState);
    this.statusItem.text = presentation.text;
    this.statusItem.tooltip = presentation.tooltip;
    this.statusItem.backgroundColor = presentation.isError
      ? new vscode.ThemeColor("statusBarItem.errorBackground")
      : undefined;
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === lazyconLanguageId || presentation.isError) this.statusItem.show();
    else this.statusItem.hide();
  }

  async dispose(): Promise<void> {
    await this.stopServer();
    for (const disposable of this.disposables.splice(0).reverse()) disposable.dispose();
  }
}
