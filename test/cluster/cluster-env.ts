/** What the cluster tests need to know about the cluster that `cluster.sh start` set up. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SshConnection, type SshConnectionOptions, type SshPrompts } from "../../extension/ssh/connection";
import { appendKnownHost } from "../../extension/ssh/known-hosts";

export const REPO = resolve(__dirname, "../..");
export const RUN_DIR = join(REPO, ".test-runs/cluster");
export const CLUSTER_SCRIPT = join(REPO, "test/cluster/cluster.sh");

export interface ClusterInfo {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  wrongKeyPath: string;
  passphraseKeyPath: string;
  passphrase: string;
  /** `ssh-ed25519 AAAA...` */
  hostPublicKey: string;
  slurmConf: string;
  partition: string;
  nodeName: string;
}

export function loadClusterInfo(): ClusterInfo {
  try {
    return JSON.parse(readFileSync(join(RUN_DIR, "cluster.json"), "utf8")) as ClusterInfo;
  } catch {
    throw new Error(
      "No test cluster: run `node test/cluster/run.mjs` (or `test/cluster/cluster.sh start` as root).",
    );
  }
}

export function hostKeyBlob(info: ClusterInfo): Buffer {
  return Buffer.from(info.hostPublicKey.split(" ")[1], "base64");
}

/** A scratch folder for known_hosts files; removed by the returned function. */
export function scratchFolder(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "thunder-cluster-test-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const acceptNothing: SshPrompts = {
  confirmUnknownHostKey: async () => {
    throw new Error("unexpected host key prompt");
  },
};

/** A connection as thunderci with the authorised key and a known_hosts that already trusts the cluster. */
export async function trustedConnection(
  info: ClusterInfo,
  folder: string,
  overrides: Partial<SshConnectionOptions> = {},
): Promise<SshConnection> {
  const knownHostsPath = join(folder, `known_hosts_${Math.random().toString(36).slice(2)}`);
  await appendKnownHost(knownHostsPath, info.host, info.port, hostKeyBlob(info));
  return new SshConnection({
    target: {
      clusterName: "test-cluster",
      host: info.host,
      port: info.port,
      username: info.username,
      identityFiles: [info.privateKeyPath],
    },
    prompts: acceptNothing,
    knownHostsPath,
    connectTimeoutMs: 10_000,
    ...overrides,
  });
}

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 150));
  }
}
