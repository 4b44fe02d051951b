/**
 * One SSH connection per cluster, shared by every command the extension runs there.
 *
 * - The host key is always checked against known_hosts before any credential is sent: an unknown
 *   key is shown to the user (accept/reject), a changed key refuses the connection loudly.
 * - Authentication tries ssh-agent, then key files (asking for passphrases), then
 *   keyboard-interactive and password through injected prompts.
 * - After a connection that worked drops, it reconnects with exponential backoff.
 */
import { EventEmitter } from "node:events";
import { promises as fs } from "node:fs";
import type { Duplex } from "node:stream";
import {
  type AnyAuthMethod,
  type AuthenticationType,
  Client,
  type ClientChannel,
  type ConnectConfig,
  type ParsedKey,
  utils,
} from "ssh2";
import { shJoin, shQuote } from "../remote/posix-quote";
import { describeSshError, HostKeyChangedError, SshConnectionError, type SshErrorContext } from "./errors";
import { appendKnownHost, readKnownHostsFile, verifyHostKey } from "./known-hosts";

export interface SshTarget {
  /** The name the user knows the cluster by; every message names it. */
  clusterName: string;
  host: string;
  port: number;
  username: string;
  /** Private key files to offer, in order; missing files are skipped like ssh does. */
  identityFiles: string[];
  /** ssh-agent socket (usually `SSH_AUTH_SOCK`); undefined: no agent. */
  agentSocket?: string;
  /** Reach this host through a connection to another one (ProxyJump). */
  jump?: SshTarget;
}

export interface UnknownHostKeyQuestion {
  clusterName: string;
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...`, as `ssh` prints it. */
  fingerprint: string;
}

export interface KeyboardInteractiveRequest {
  clusterName: string;
  name: string;
  instructions: string;
  prompts: { prompt: string; echo: boolean }[];
}

/** What the connection asks the user; the VS Code layer answers with dialogs and input boxes. */
export interface SshPrompts {
  confirmUnknownHostKey(question: UnknownHostKeyQuestion): Promise<"accept" | "reject">;
  /** Passphrase of an encrypted key file; undefined skips that key. */
  passphrase?(keyPath: string, attempt: number): Promise<string | undefined>;
  password?(target: { clusterName: string; username: string; host: string }): Promise<string | undefined>;
  keyboardInteractive?(request: KeyboardInteractiveRequest): Promise<string[] | undefined>;
}

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

export interface SshConnectionOptions {
  target: SshTarget;
  prompts: SshPrompts;
  knownHostsPath: string;
  /** Write accepted keys hashed, like `HashKnownHosts yes`. */
  hashKnownHosts?: boolean;
  /** Time allowed to connect and authenticate, not counting time spent waiting for the user. */
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** false: never reconnect by itself. */
  reconnect?: ReconnectPolicy | false;
  /** OpenSSH allows 10 sessions per connection by default; stay below it. */
  maxConcurrentChannels?: number;
}

export type ConnectionState = "idle" | "connecting" | "connected" | "disconnected" | "failed";

export interface ConnectionStateEvent {
  state: ConnectionState;
  error?: SshConnectionError;
  /** When a reconnect is scheduled: how long until it. */
  retryInMs?: number;
}

export interface ExecOptions {
  /** Folder to run in; `~` and `~/...` are the remote home. */
  cwd?: string;
  /** Shell lines run first, joined with `&&` (e.g. `module load cuda`, `source venv/bin/activate`). */
  setupLines?: readonly string[];
  /** Written to the command's stdin, then EOF. */
  stdin?: string | Buffer;
  timeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the command was ended by a signal. */
  exitCode: number | null;
  signal: string | undefined;
}

export interface ShellOptions {
  cols?: number;
  rows?: number;
  term?: string;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2 };

/** Delay before reconnect attempt number `attempt` (0-based): exponential, capped. */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
}

/**
 * The command line sent for `exec`: `cd <dir> && <setup lines> && <quoted args>`. Arguments are
 * always quoted; setup lines are shell on purpose (the user wrote them for their cluster).
 */
export function buildRemoteCommand(
  args: readonly string[],
  options: Pick<ExecOptions, "cwd" | "setupLines"> = {},
) {
  if (args.length === 0) throw new Error("No command given to run on the cluster.");
  const parts: string[] = [];
  if (options.cwd !== undefined && options.cwd !== "") parts.push(`cd ${quoteRemotePath(options.cwd)}`);
  for (const line of options.setupLines ?? []) {
    if (/[\r\n]/.test(line)) throw new Error(`A setup line must be a single line: ${JSON.stringify(line)}`);
    if (line.trim() !== "") parts.push(line.trim());
  }
  parts.push(shJoin(args));
  return parts.join(" && ");
}

/** Quotes a remote path, keeping a leading `~` meaningful (quoted, it would be a folder named "~"). */
export function quoteRemotePath(path: string): string {
  if (path === "~") return '"$HOME"';
  if (path.startsWith("~/")) return path.length === 2 ? '"$HOME"/' : `"$HOME"/${shQuote(path.slice(2))}`;
  return shQuote(path);
}

/** Limits how many channels are open at once on one connection. */
class ChannelSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export class SshConnection extends EventEmitter<{ state: [ConnectionStateEvent] }> {
  private client: Client | undefined;
  private jumpConnection: SshConnection | undefined;
  private connecting: Promise<Client> | undefined;
  private currentState: ConnectionState = "idle";
  private everConnected = false;
  private closedByUser = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly decryptedKeys = new Map<string, ParsedKey>();
  private readonly slots: ChannelSlots;
  private readonly context: SshErrorContext;

  constructor(private readonly options: SshConnectionOptions) {
    super();
    const { clusterName, host, port, username } = options.target;
    this.context = { clusterName, host, port, username };
    this.slots = new ChannelSlots(options.maxConcurrentChannels ?? 8);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** `host:port`, for messages. */
  private get address(): string {
    return `${this.options.target.host}:${this.options.target.port}`;
  }

  private get retryNote(): string {
    return this.options.reconnect === false ? "" : "; Thunder reconnects by itself";
  }

  get clusterName(): string {
    return this.options.target.clusterName;
  }

  /** Connects if not connected; concurrent callers share one attempt. */
  connect(): Promise<void> {
    return this.ensureClient().then(() => undefined);
  }

  /** Runs a command (given as arguments, never as a shell string) and collects its output. */
  async exec(args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = buildRemoteCommand(args, options);
    const client = await this.ensureClient();
    const release = await this.slots.acquire();
    try {
      return await new Promise<ExecResult>((resolve, reject) => {
        const onChannel = (error: Error | undefined, channel: ClientChannel) => {
          if (error) {
            reject(describeSshError(error, this.context));
            return;
          }
          const stdout: Buffer[] = [];
          const stderr: Buffer[] = [];
          let exitCode: number | null = null;
          let signal: string | undefined;
          let exited = false;
          let timer: NodeJS.Timeout | undefined;
          if (options.timeoutMs !== undefined) {
            timer = setTimeout(() => {
              channel.close();
              reject(
                new SshConnectionError(
                  "timeout",
                  `"${args[0]}" on cluster "${this.clusterName}" did not finish within ${options.timeoutMs} ms.`,
                  this.clusterName,
                ),
              );
            }, options.timeoutMs);
          }
          channel.on("data", (chunk: Buffer) => stdout.push(chunk));
          channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
          channel.on("exit", (code: number | null, signalName?: string) => {
            exited = true;
            exitCode = code;
            signal = signalName ?? undefined;
          });
          channel.on("close", () => {
            if (timer) clearTimeout(timer);
            if (!exited) {
              reject(
                new SshConnectionError(
                  "network",
                  `The connection to cluster "${this.clusterName}" (${this.address}) was lost while ` +
                    `"${args[0]}" was running${this.retryNote}.`,
                  this.clusterName,
                ),
              );
              return;
            }
            resolve({
              stdout: Buffer.concat(stdout).toString("utf8"),
              stderr: Buffer.concat(stderr).toString("utf8"),
              exitCode,
              signal,
            });
          });
          channel.end(options.stdin);
        };
        try {
          client.exec(command, onChannel);
        } catch (error) {
          // ssh2 throws synchronously when the connection ended in the meantime.
          reject(describeSshError(error, this.context));
        }
      });
    } finally {
      release();
    }
  }

  /** An interactive login shell with a pseudo-terminal, for terminals in the editor. */
  async shell(options: ShellOptions = {}): Promise<ClientChannel> {
    const client = await this.ensureClient();
    const release = await this.slots.acquire();
    return new Promise<ClientChannel>((resolve, reject) => {
      client.shell(
        { term: options.term ?? "xterm-256color", cols: options.cols ?? 80, rows: options.rows ?? 24 },
        (error, channel) => {
          if (error) {
            release();
            reject(describeSshError(error, this.context));
            return;
          }
          channel.on("close", release);
          resolve(channel);
        },
      );
    });
  }

  /** A TCP stream from the cluster to host:port (used to jump through this host). */
  async forwardTo(host: string, port: number): Promise<ClientChannel> {
    const client = await this.ensureClient();
    return new Promise<ClientChannel>((resolve, reject) => {
      client.forwardOut("127.0.0.1", 0, host, port, (error, stream) => {
        if (error) reject(describeSshError(error, this.context));
        else resolve(stream);
      });
    });
  }

  /** Closes the connection for good: no reconnects afterwards. */
  async close(): Promise<void> {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      await new Promise<void>((resolve) => {
        client.once("close", () => resolve());
        client.end();
        setTimeout(resolve, 1000).unref();
      });
    }
    await this.jumpConnection?.close();
    this.jumpConnection = undefined;
    this.setState("idle");
  }

  private setState(state: ConnectionState, extra: Omit<ConnectionStateEvent, "state"> = {}): void {
    this.currentState = state;
    this.emit("state", { state, ...extra });
  }

  private ensureClient(): Promise<Client> {
    if (this.client && this.currentState === "connected") return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    this.closedByUser = false;
    if (this.reconnectTimer) {
      // Someone needs the cluster now: try at once instead of waiting for the scheduled retry.
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    this.connecting = this.openClient().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openClient(): Promise<Client> {
    this.setState("connecting");
    try {
      const client = await this.handshake();
      this.client = client;
      this.everConnected = true;
      this.reconnectAttempt = 0;
      this.setState("connected");
      client.on("close", () => this.onClientClosed(client));
      return client;
    } catch (raw) {
      // Only a connection that retries by itself may say so.
      const reachableBefore = this.everConnected && this.options.reconnect !== false;
      const error = describeSshError(raw, this.context, { reachableBefore });
      this.afterFailure(error);
      throw error;
    }
  }

  private onClientClosed(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.closedByUser) return;
    const error = new SshConnectionError(
      "network",
      `The connection to cluster "${this.clusterName}" (${this.address}) was lost${this.retryNote}.`,
      this.clusterName,
    );
    this.afterFailure(error);
  }

  /** Decides between "failed" (give up) and "disconnected" with a scheduled retry. */
  private afterFailure(error: SshConnectionError): void {
    const policy = this.options.reconnect === undefined ? DEFAULT_RECONNECT : this.options.reconnect;
    if (this.closedByUser) return;
    if (error.isPermanent || !this.everConnected || policy === false) {
      this.setState("failed", { error });
      return;
    }
    const delay = reconnectDelay(this.reconnectAttempt++, policy);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ensureClient().catch(() => {
        // afterFailure already recorded the state and scheduled the next try.
      });
    }, delay);
    this.reconnectTimer.unref();
    this.setState("disconnected", { error, retryInMs: delay });
  }

  private async handshake(): Promise<Client> {
    const { target } = this.options;
    let sock: Duplex | undefined;
    if (target.jump) {
      this.jumpConnection ??= new SshConnection({ ...this.options, target: target.jump, reconnect: false });
      sock = await this.jumpConnection.forwardTo(target.host, target.port);
    }

    const client = new Client();
    let hostKeyError: SshConnectionError | undefined;
    const timeoutMs = this.options.connectTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;

    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        client.end();
        reject(hostKeyError ?? error);
      };
      // Our own timer, paused while a prompt waits for the user (ssh2's readyTimeout cannot pause).
      const startTimer = () => {
        timer = setTimeout(
          () => fail(Object.assign(new Error("Timed out while connecting"), { code: "ETIMEDOUT" })),
          timeoutMs,
        );
      };
      const pauseTimer = () => timer && clearTimeout(timer);
      const waitForUser = async <T>(question: () => Promise<T>): Promise<T> => {
        pauseTimer();
        try {
          return await question();
        } finally {
          if (!settled) startTimer();
        }
      };

      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        sock: sock as ConnectConfig["sock"],
        readyTimeout: 24 * 3600 * 1000,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          this.checkHostKey(key, waitForUser).then(
            () => verify(true),
            (error: SshConnectionError) => {
              hostKeyError = error;
              verify(false);
            },
          );
        },
        authHandler: this.makeAuthHandler(waitForUser),
      };
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(client);
      });
      client.on("error", fail);
      client.once("close", () => fail(new Error("Connection closed during the handshake")));
      startTimer();
      try {
        client.connect(config);
      } catch (error) {
        fail(error);
      }
    });
  }

  private async checkHostKey(
    key: Buffer,
    waitForUser: <T>(question: () => Promise<T>) => Promise<T>,
  ): Promise<void> {
    const { host, port } = this.options.target;
    const path = this.options.knownHostsPath;
    const verdict = verifyHostKey(await readKnownHostsFile(path), host, port, key);
    if (verdict.status === "known") return;
    if (verdict.status === "changed") {
      throw new HostKeyChangedError(this.context, path, verdict.fingerprint, verdict.conflictingLine);
    }
    if (verdict.status === "revoked") {
      throw new SshConnectionError(
        "host-key-revoked",
        `The host key of cluster "${this.clusterName}" (${verdict.fingerprint}) is marked @revoked in ${path}; ` +
          `the connection was refused. Ask your cluster administrators for the current key.`,
        this.clusterName,
      );
    }
    const answer = await waitForUser(() =>
      this.options.prompts.confirmUnknownHostKey({
        clusterName: this.clusterName,
        host,
        port,
        keyType: verdict.keyType,
        fingerprint: verdict.fingerprint,
      }),
    );
    if (answer !== "accept") {
      throw new SshConnectionError(
        "host-denied",
        `The connection to cluster "${this.clusterName}" was cancelled: its host key ${verdict.fingerprint} ` +
          `was not accepted. Connect again and accept it once your administrators confirm the fingerprint.`,
        this.clusterName,
      );
    }
    await appendKnownHost(path, host, port, key, { hashed: this.options.hashKnownHosts });
  }

  /** Offers agent, then key files, then keyboard-interactive, then password, as the server allows. */
  private makeAuthHandler(waitForUser: <T>(question: () => Promise<T>) => Promise<T>) {
    const { target, prompts } = this.options;
    const plan: AuthenticationType[] = [];
    if (target.agentSocket) plan.push("agent");
    plan.push("publickey");
    if (prompts.keyboardInteractive) plan.push("keyboard-interactive");
    if (prompts.password) plan.push("password");
    const keyFiles = [...target.identityFiles];

    const nextMethod = async (allowed: AuthenticationType[] | null): Promise<AnyAuthMethod | false> => {
      while (plan.length > 0) {
        const method = plan[0];
        if (allowed && !allowed.includes(method)) {
          plan.shift();
          continue;
        }
        if (method === "agent") {
          plan.shift();
          return { type: "agent", username: target.username, agent: target.agentSocket! };
        }
        if (method === "publickey") {
          const path = keyFiles.shift();
          if (path === undefined) {
            plan.shift();
            continue;
          }
          const key = await this.loadKey(path, waitForUser);
          if (key) return { type: "publickey", username: target.username, key };
          continue;
        }
        if (method === "keyboard-interactive") {
          plan.shift();
          return {
            type: "keyboard-interactive",
            username: target.username,
            prompt: (name, instructions, _lang, questions, finish) => {
              waitForUser(() =>
                prompts.keyboardInteractive!({
                  clusterName: this.clusterName,
                  name,
                  instructions,
                  prompts: questions.map((q) => ({ prompt: q.prompt, echo: q.echo ?? false })),
                }),
              ).then(
                (answers) => finish(answers ?? []),
                () => finish([]),
              );
            },
          };
        }
        plan.shift();
        const password = await waitForUser(() =>
          prompts.password!({ clusterName: this.clusterName, username: target.username, host: target.host }),
        );
        if (password !== undefined) return { type: "password", username: target.username, password };
      }
      return false;
    };

    return (
      allowed: AuthenticationType[] | null,
      _partial: boolean | null,
      next: (m: AnyAuthMethod) => void,
    ) => {
      nextMethod(allowed).then(
        (method) => next(method as AnyAuthMethod), // false tells ssh2 that nothing is left to try
        () => next(false as unknown as AnyAuthMethod),
      );
    };
  }

  /** Reads and decrypts a key file; undefined when it is missing, unreadable or the user gives up. */
  private async loadKey(
    path: string,
    waitForUser: <T>(question: () => Promise<T>) => Promise<T>,
  ): Promise<ParsedKey | undefined> {
    const cached = this.decryptedKeys.get(path);
    if (cached) return cached;
    let data: Buffer;
    try {
      data = await fs.readFile(path);
    } catch {
      return undefined;
    }
    let parsed = utils.parseKey(data);
    for (let attempt = 1; parsed instanceof Error && /passphrase/i.test(parsed.message); attempt++) {
      if (!this.options.prompts.passphrase || attempt > 3) return undefined;
      const passphrase = await waitForUser(() => this.options.prompts.passphrase!(path, attempt));
      if (passphrase === undefined) return undefined;
      parsed = utils.parseKey(data, passphrase);
    }
    if (parsed instanceof Error) return undefined;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    this.decryptedKeys.set(path, key);
    return key;
  }
}
