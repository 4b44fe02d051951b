/**
 * Turns ssh2's low-level failures into messages that say which cluster failed and what to do.
 */

export type SshFailureKind =
  | "authentication"
  | "refused"
  | "timeout"
  | "host-not-found"
  | "host-key-changed"
  | "host-key-revoked"
  | "host-denied"
  | "network"
  | "unknown";

export interface SshErrorContext {
  clusterName: string;
  host: string;
  port: number;
  username: string;
}

export class SshConnectionError extends Error {
  override readonly name = "SshConnectionError";
  constructor(
    readonly kind: SshFailureKind,
    message: string,
    readonly clusterName: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }

  /** Failures a retry cannot fix; reconnecting would only repeat them (or lock the account). */
  get isPermanent(): boolean {
    return (
      this.kind === "authentication" ||
      this.kind === "host-key-changed" ||
      this.kind === "host-key-revoked" ||
      this.kind === "host-denied"
    );
  }
}

/**
 * Raised instead of connecting when the server's host key differs from the one in known_hosts:
 * either the server was reinstalled or someone is intercepting the connection.
 */
export class HostKeyChangedError extends SshConnectionError {
  constructor(
    context: SshErrorContext,
    readonly knownHostsPath: string,
    readonly fingerprint: string,
    readonly conflictingLine: number | undefined,
  ) {
    const where = conflictingLine === undefined ? knownHostsPath : `${knownHostsPath}:${conflictingLine}`;
    super(
      "host-key-changed",
      `WARNING: the host key of cluster "${context.clusterName}" (${context.host}:${context.port}) has CHANGED ` +
        `and the connection was refused. Someone may be intercepting it, or the server was reinstalled. ` +
        `The server now presents ${fingerprint}; the old key is in ${where}. Confirm the new fingerprint with ` +
        `your cluster administrators, then remove the old line and connect again.`,
      context.clusterName,
    );
  }
}

interface Ssh2LikeError {
  message?: string;
  level?: string;
  code?: string;
}

function target(context: SshErrorContext): string {
  return `${context.username}@${context.host}:${context.port}`;
}

export interface DescribeOptions {
  /**
   * The cluster was reached earlier in this session: a refused or lost connection now means the server
   * went away (a restart, a network break), not a wrong address, and it is retried by itself.
   */
  reachableBefore?: boolean;
}

/** Where a cluster's address, user and key are set: in VS Code or in the OpenSSH config. */
const WHERE_CONFIGURED = "the thunder.clusters setting (or its Host entry in ~/.ssh/config)";

/** Maps an error from ssh2 (or the socket under it) to an SshConnectionError with advice. */
export function describeSshError(
  error: unknown,
  context: SshErrorContext,
  options: DescribeOptions = {},
): SshConnectionError {
  if (error instanceof SshConnectionError) return error;
  const { message = String(error), level, code } = (error ?? {}) as Ssh2LikeError;
  const cluster = `cluster "${context.clusterName}"`;
  const make = (kind: SshFailureKind, text: string) =>
    new SshConnectionError(kind, text, context.clusterName, error);
  const address = `${context.host}:${context.port}`;
  const retried = "Thunder reconnects by itself; Refresh in the Jobs view tries at once.";

  if (level === "client-authentication" || /authentication methods failed/i.test(message)) {
    return make(
      "authentication",
      `Could not log in to ${cluster} as ${target(context)}: the server accepted none of the keys or ` +
        `passwords offered. Check the user and identityFile of this cluster in ${WHERE_CONFIGURED}, that ` +
        `your key is loaded in ssh-agent, or that your public key is in ~/.ssh/authorized_keys on the cluster.`,
    );
  }
  if (options.reachableBefore && code === "ECONNREFUSED") {
    return make(
      "refused",
      `${capitalize(cluster)} cannot be reached: nothing listens on ${address} any more (the SSH server ` +
        `may be restarting, or the login node is down). ${retried}`,
    );
  }
  if (options.reachableBefore && (code === "ETIMEDOUT" || /timed out/i.test(message))) {
    return make(
      "timeout",
      `${capitalize(cluster)} stopped answering on ${address} (network, VPN or the login node). ${retried}`,
    );
  }
  if (/Host denied/i.test(message)) {
    return make(
      "host-denied",
      `The connection to ${cluster} (${context.host}:${context.port}) was cancelled because its host key ` +
        `was not accepted. Connect again and accept the fingerprint if your administrators confirm it.`,
    );
  }
  if (code === "ECONNREFUSED") {
    return make(
      "refused",
      `${capitalize(cluster)} refused the connection on ${address}: no SSH server is listening there. ` +
        `Check the host and port of this cluster in ${WHERE_CONFIGURED}, or whether the login node is down.`,
    );
  }
  if (code === "ETIMEDOUT" || /timed out/i.test(message)) {
    return make(
      "timeout",
      `Connecting to ${cluster} (${context.host}:${context.port}) timed out. Check your network or VPN, ` +
        `and whether the cluster needs a ProxyJump host.`,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return make(
      "host-not-found",
      `The host name "${context.host}" of ${cluster} could not be resolved. Check HostName in ` +
        `~/.ssh/config, or connect to your VPN.`,
    );
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return make(
      "network",
      `The connection to ${cluster} (${context.host}:${context.port}) was lost (${code}). ` +
        `It will be retried; check your network if this keeps happening.`,
    );
  }
  return make("unknown", `SSH to ${cluster} (${target(context)}) failed: ${message}`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
