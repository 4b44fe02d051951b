/**
 * From a host alias in `~/.ssh/config` to what the connection needs, including ProxyJump chains
 * (each hop is itself looked up in the config, as ssh does).
 */
import type { SshTarget } from "./connection";
import { parseProxyJump, resolveHostConfig, type SshConfigEnvironment } from "./ssh-config";

export interface TargetEnvironment extends SshConfigEnvironment {
  /** `SSH_AUTH_SOCK`, if an agent runs. */
  agentSocket?: string;
}

/** ssh's default identity files, tried when the config names none. */
export function defaultIdentityFiles(homeDir: string): string[] {
  const ssh = `${homeDir.replace(/\/$/, "")}/.ssh`;
  return [
    `${ssh}/id_rsa`,
    `${ssh}/id_ecdsa`,
    `${ssh}/id_ecdsa_sk`,
    `${ssh}/id_ed25519`,
    `${ssh}/id_ed25519_sk`,
  ];
}

function targetFor(
  configText: string,
  alias: string,
  clusterName: string,
  env: TargetEnvironment,
  overrides: { user?: string; port?: number },
  depth: number,
): SshTarget {
  if (depth > 8) throw new Error(`The ProxyJump chain of "${clusterName}" is too long or loops.`);
  const config = resolveHostConfig(configText, alias, env);
  const target: SshTarget = {
    clusterName,
    host: config.hostName,
    port: overrides.port ?? config.port,
    username: overrides.user ?? config.user ?? env.localUser,
    identityFiles: config.identityFiles.length > 0 ? config.identityFiles : defaultIdentityFiles(env.homeDir),
    agentSocket: config.identitiesOnly ? undefined : env.agentSocket,
  };
  if (config.proxyJump !== undefined) {
    // "a,b": reach a, through it b, through b the target; so the last hop is the direct jump.
    let jump: SshTarget | undefined;
    for (const hop of parseProxyJump(config.proxyJump)) {
      const hopTarget = targetFor(
        configText,
        hop.host,
        `${clusterName} (via ${hop.host})`,
        env,
        hop,
        depth + 1,
      );
      hopTarget.jump = jump;
      jump = hopTarget;
    }
    target.jump = jump;
  }
  return target;
}

/** The connection target for `ssh <alias>`; the cluster is named after the alias in messages. */
export function resolveSshTarget(configText: string, alias: string, env: TargetEnvironment): SshTarget {
  return targetFor(configText, alias, alias, env, {}, 0);
}
