/**
 * A terminal on a cluster: an SSH shell channel with a pseudo-terminal, shaped like
 * `vscode.Pseudoterminal` (structurally, so this module needs no `vscode` and is tested against a
 * real sshd). Keys go to the remote pty as typed (Ctrl-C is `\x03`, which the pty turns into
 * SIGINT), window size changes are forwarded, and the shell's exit status closes the terminal.
 */
import type { ClientChannel } from "ssh2";
import { quoteRemotePath } from "../ssh/connection";

export interface TerminalDimensions {
  columns: number;
  rows: number;
}

type Listener<T> = (value: T) => void;

/** A minimal `vscode.Event` + emitter. */
class Emitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((item) => item !== listener)) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}

/** Output of a starting shell (motd, prompt) is over once it pauses this long. */
const startupQuietMs = 150;
/** A shell that prints nothing at all still gets its start-up lines after this. */
const startupWaitMs = 3000;
/** Without a size from VS Code, the shell starts at 80x24 after this. */
const sizeWaitMs = 1000;

export interface SshPseudoterminalOptions {
  clusterName: string;
  /** Opens the shell channel (the cluster's shared connection). */
  openShell: (size: { cols: number; rows: number }) => Promise<ClientChannel>;
  /** Remote folder to start in (`~/...` allowed). */
  cwd?: string;
  /** Typed after `cd`, e.g. the setup lines and the command of a run. */
  initialLines?: readonly string[];
  /** Shown (not run) before the shell starts, e.g. the command a submission ran and its output. */
  prelude?: string;
}

/** The first line sent to the shell: change to the folder (quoted), then the initial lines. */
export function startupInput(cwd: string | undefined, initialLines: readonly string[] = []): string {
  const lines: string[] = [];
  if (cwd !== undefined && cwd !== "") lines.push(`cd ${quoteRemotePath(cwd)}`);
  for (const line of initialLines) {
    if (/[\r\n]/.test(line))
      throw new Error(`A terminal line must be a single line: ${JSON.stringify(line)}`);
    lines.push(line);
  }
  return lines.map((line) => `${line}\n`).join("");
}

export class SshPseudoterminal {
  private readonly writeEmitter = new Emitter<string>();
  private readonly closeEmitter = new Emitter<number | undefined>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private channel: ClientChannel | undefined;
  private pendingInput = "";
  private closed = false;
  private finished = false;
  private size: TerminalDimensions = { columns: 80, rows: 24 };
  private opened = false;
  /** The start-up lines went to the shell; input goes straight through from now on. */
  private started = false;
  /** Text to show that arrived before VS Code opened the terminal (it drops earlier writes). */
  private unshown: string;

  constructor(private readonly options: SshPseudoterminalOptions) {
    this.unshown = options.prelude ?? "";
  }

  /** The exit status of the remote shell, once it ended. */
  exitStatus: number | undefined;

  open(initialDimensions: TerminalDimensions | undefined): void {
    this.opened = true;
    if (initialDimensions) {
      this.size = initialDimensions;
      this.startShell();
      return;
    }
    // VS Code gives no size when its terminal panel was never shown; the size comes a moment later.
    // Text written at a guessed width is re-wrapped badly once the real one arrives, and a shell
    // started at it redraws its line by moving the cursor up through what is above: wait, briefly.
    this.waitingForSize = setTimeout(() => this.startShell(), sizeWaitMs);
  }

  private waitingForSize: NodeJS.Timeout | undefined;
  /** The size is known: text goes straight to the terminal. */
  private sized = false;

  private startShell(): void {
    if (this.waitingForSize !== undefined) clearTimeout(this.waitingForSize);
    this.waitingForSize = undefined;
    if (this.closed) return;
    this.sized = true;
    if (this.unshown !== "") this.writeEmitter.fire(this.unshown);
    this.unshown = "";
    this.writeEmitter.fire(`Connecting to cluster "${this.options.clusterName}"…\r\n`);
    this.options.openShell({ cols: this.size.columns, rows: this.size.rows }).then(
      (channel) => this.attach(channel),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.writeEmitter.fire(`\r\n\x1b[31m${message.replace(/\n/g, "\r\n")}\x1b[0m\r\n`);
        this.finish(1);
      },
    );
  }

  private attach(channel: ClientChannel): void {
    if (this.closed) {
      channel.close();
      return;
    }
    this.channel = channel;
    channel.on("data", (data: Buffer) => this.writeEmitter.fire(data.toString("utf8")));
    channel.stderr.on("data", (data: Buffer) => this.writeEmitter.fire(data.toString("utf8")));
    channel.on("exit", (code: number | null) => {
      this.exitStatus = code ?? undefined;
    });
    channel.on("close", () => {
      this.writeEmitter.fire(
        `\r\n[The shell on cluster "${this.options.clusterName}" exited` +
          `${this.exitStatus === undefined ? "" : ` with status ${this.exitStatus}`}.]\r\n`,
      );
      this.finish(this.exitStatus);
    });
    channel.setWindow(this.size.rows, this.size.columns, 0, 0);
    // Typed before the shell is ready, the lines would be echoed twice (by the pty, then by the
    // shell's line editor) and laid out for a size the shell may not know yet: wait for its
    // start-up output to settle first.
    let settle: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => this.sendStartup(), startupWaitMs);
    const onFirstOutput = () => {
      if (settle !== undefined) clearTimeout(settle);
      settle = setTimeout(() => {
        clearTimeout(giveUp);
        channel.off("data", onFirstOutput);
        this.sendStartup();
      }, startupQuietMs);
    };
    channel.on("data", onFirstOutput);
    channel.on("close", () => {
      clearTimeout(giveUp);
      if (settle !== undefined) clearTimeout(settle);
    });
  }

  private sendStartup(): void {
    const channel = this.channel;
    if (this.started || channel === undefined || this.closed) return;
    this.started = true;
    const startup = startupInput(this.options.cwd, this.options.initialLines);
    if (startup !== "") channel.write(startup);
    if (this.pendingInput !== "") channel.write(this.pendingInput);
    this.pendingInput = "";
  }

  /** Shows text in the terminal without sending it to the shell (CRLF line ends expected). */
  showText(text: string): void {
    if (this.opened && this.sized) this.writeEmitter.fire(text);
    else this.unshown += text;
  }

  handleInput(data: string): void {
    if (this.channel && this.started) this.channel.write(data);
    else if (!this.closed) this.pendingInput += data; // typed while connecting
  }

  setDimensions(dimensions: TerminalDimensions): void {
    this.size = dimensions;
    if (this.waitingForSize !== undefined) this.startShell();
    else this.channel?.setWindow(dimensions.rows, dimensions.columns, 0, 0);
  }

  /** The user closed the terminal: end the remote shell. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waitingForSize !== undefined) clearTimeout(this.waitingForSize);
    this.waitingForSize = undefined;
    this.channel?.close();
  }

  private finish(code: number | undefined): void {
    this.closed = true;
    if (this.finished) return;
    this.finished = true;
    this.closeEmitter.fire(code);
  }
}
