/**
 * Thunder's Slurm log of a job as a read-only document, followed live: while it is visible in an
 * editor it is re-read every few seconds over the cluster's shared connection.
 */
import * as vscode from "vscode";
import { interpretLogListing, logListingCommand, pickLogFile, THUNDER_LOG_DIR } from "../slurm/thunder-logs";
import type { CommandRunner } from "./command-runner";
import { logTextAfterFailedRead } from "./jobs-model";

export const logScheme = "thunder-slurm-log";
const followIntervalMs = 2000;
/** Only the end of a huge log is shown. */
const maxBytes = 2_000_000;

export interface LogTarget {
  cluster: string;
  jobId: string;
  arrayTaskId?: string;
  name?: string;
}

export function logUri(target: LogTarget): vscode.Uri {
  const id = target.arrayTaskId === undefined ? target.jobId : `${target.jobId}_${target.arrayTaskId}`;
  const label = `${target.name ?? "job"} ${id}.log`.replace(/[\\/]/g, "_");
  return vscode.Uri.from({
    scheme: logScheme,
    path: `/${encodeURIComponent(target.cluster)}/${label}`,
    query: JSON.stringify(target),
  });
}

export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly fileNames = new Map<string, string>();
  /** The text last read per log, kept on screen when a later read fails. */
  private readonly lastRead = new Map<string, { text: string; at: Date }>();
  private readonly closeListener: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runnerFor: (cluster: string) => CommandRunner,
    /** False while a cluster's connection is down: its reconnect backoff decides when to try again. */
    private readonly canRead: (cluster: string) => boolean = () => true,
  ) {
    this.timer = setInterval(() => this.follow(), followIntervalMs);
    this.closeListener = vscode.workspace.onDidCloseTextDocument((document) => {
      this.lastRead.delete(document.uri.toString());
      this.fileNames.delete(document.uri.toString());
    });
  }

  private failedRead(key: string, problem: string): string {
    const last = this.lastRead.get(key);
    return logTextAfterFailedRead(last?.text, problem, last?.at);
  }

  private follow(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme === logScheme) this.changed.fire(editor.document.uri);
    }
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let target: LogTarget;
    try {
      target = JSON.parse(uri.query) as LogTarget;
    } catch {
      return "This is not a Thunder job log address.";
    }
    const runner = this.runnerFor(target.cluster);
    const key = uri.toString();
    // While the connection is down, reading would only start connection attempts outside the
    // cluster's reconnect backoff; keep what was read and say why it is not growing.
    if (this.lastRead.has(key) && !this.canRead(target.cluster)) {
      return this.failedRead(
        key,
        `The connection to cluster "${target.cluster}" is down; the log is read again once Thunder has reconnected.`,
      );
    }
    try {
      let fileName = this.fileNames.get(key);
      if (fileName === undefined) {
        const listing = logListingCommand(target.jobId, target.arrayTaskId);
        const names = interpretLogListing(
          await runner.exec(listing.args, { cwd: listing.cwd, timeoutMs: 30_000 }),
        );
        fileName = pickLogFile(names, {
          jobId: target.jobId,
          arrayTaskId: target.arrayTaskId,
          experimentName: target.name,
        });
        if (fileName === undefined) {
          return (
            `No log file for job ${target.jobId}${target.arrayTaskId ? ` task ${target.arrayTaskId}` : ""} ` +
            `on cluster "${target.cluster}" yet.\nthunder's jobs write to ${THUNDER_LOG_DIR}/<experiment>-<time>.o<job id> ` +
            `once Slurm starts them; this view updates by itself.`
          );
        }
        this.fileNames.set(key, fileName);
      }
      const result = await runner.exec(["tail", "-c", String(maxBytes), "--", fileName], {
        cwd: THUNDER_LOG_DIR,
        timeoutMs: 30_000,
      });
      if (result.exitCode !== 0) {
        this.fileNames.delete(key);
        return this.failedRead(
          key,
          `Reading ${THUNDER_LOG_DIR}/${fileName} on cluster "${target.cluster}" failed: ${result.stderr.trim()}`,
        );
      }
      this.lastRead.set(key, { text: result.stdout, at: new Date() });
      return result.stdout;
    } catch (error) {
      return this.failedRead(
        key,
        `Reading the log of job ${target.jobId} on cluster "${target.cluster}" failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  dispose(): void {
    this.closeListener.dispose();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.changed.dispose();
  }
}
