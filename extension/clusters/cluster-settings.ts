/**
 * The `thunder.clusters` setting: reading it (bad entries are reported and skipped, the good ones
 * kept), turning an entry into an SSH target through the user's `~/.ssh/config`, and mapping a local
 * workspace path to the path of the same folder on the cluster.
 */
import type { SshTarget } from "../ssh/connection";
import { resolveSshTarget, type TargetEnvironment } from "../ssh/target";

export interface ClusterSettings {
  /** What the user calls the cluster; every message and the Jobs view use it. */
  name: string;
  /** A `~/.ssh/config` alias or a host name. */
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  proxyJump?: string;
  /** Local folder (absolute path or workspace folder name) → the same folder on the cluster. */
  folders: Record<string, string>;
  /** Shell lines run before thunder (e.g. `module load cuda`, `conda activate ml`). */
  setup: string[];
  /** The program (and leading arguments) that is thunder on the cluster. */
  thunderCommand: string[];
}

export interface ClusterSettingsRead {
  clusters: ClusterSettings[];
  /** One sentence per entry that was skipped or field that was ignored. */
  problems: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,63}$/;
/** Values that go into an ssh config line: no line breaks, quotes or wildcards. */
const CONFIG_VALUE = /^[^\s"#]+$/;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Reads the raw setting value. Never throws: what cannot be used is listed in `problems`. */
export function readClusterSettings(raw: unknown): ClusterSettingsRead {
  const clusters: ClusterSettings[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { clusters, problems };
  if (!Array.isArray(raw)) {
    return { clusters, problems: ["thunder.clusters must be a list of clusters; it was ignored."] };
  }
  raw.forEach((entry, index) => {
    const where = `thunder.clusters[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(`${where} is not an object and was skipped.`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const name = typeof record.name === "string" ? record.name.trim() : "";
    if (!NAME.test(name)) {
      problems.push(
        `${where} needs a "name" (letters, digits, spaces, . _ @ + -, at most 64 characters); skipped.`,
      );
      return;
    }
    const label = `Cluster "${name}"`;
    if (clusters.some((cluster) => cluster.name === name)) {
      problems.push(`${label} is defined twice; the second entry was skipped.`);
      return;
    }
    const host = typeof record.host === "string" ? record.host.trim() : "";
    if (host === "" || !CONFIG_VALUE.test(host) || /[*?!]/.test(host)) {
      problems.push(
        `${label} needs a "host": an ~/.ssh/config alias or a host name without spaces; skipped.`,
      );
      return;
    }
    const cluster: ClusterSettings = { name, host, folders: {}, setup: [], thunderCommand: ["thunder"] };
    for (const key of ["user", "identityFile", "proxyJump"] as const) {
      const value = record[key];
      if (value === undefined || value === "") continue;
      if (typeof value === "string" && CONFIG_VALUE.test(value.trim())) cluster[key] = value.trim();
      else problems.push(`${label}: "${key}" must be one word without spaces or quotes; it was ignored.`);
    }
    if (record.port !== undefined) {
      const port = record.port;
      if (typeof port === "number" && Number.isInteger(port) && port > 0 && port < 65536) cluster.port = port;
      else problems.push(`${label}: "port" must be a number from 1 to 65535; it was ignored.`);
    }
    if (record.folders !== undefined) {
      const folders = record.folders;
      if (typeof folders === "object" && folders !== null && !Array.isArray(folders)) {
        for (const [local, remote] of Object.entries(folders)) {
          if (typeof remote === "string" && remote.trim() !== "" && !remote.includes("\0")) {
            cluster.folders[local] = remote.trim();
          } else {
            problems.push(`${label}: the remote folder for "${local}" must be a path; it was ignored.`);
          }
        }
      } else {
        problems.push(`${label}: "folders" must map local folders to remote paths; it was ignored.`);
      }
    }
    if (record.setup !== undefined) {
      if (isStringArray(record.setup) && record.setup.every((line) => !/[\r\n]/.test(line))) {
        cluster.setup = record.setup.map((line) => line.trim()).filter((line) => line !== "");
      } else {
        problems.push(`${label}: "setup" must be a list of single-line shell commands; it was ignored.`);
      }
    }
    if (record.thunderCommand !== undefined) {
      const command = record.thunderCommand;
      if (typeof command === "string" && command.trim() !== "") cluster.thunderCommand = [command.trim()];
      else if (isStringArray(command) && command.length > 0 && command[0].trim() !== "")
        cluster.thunderCommand = [...command];
      else
        problems.push(
          `${label}: "thunderCommand" must be a program (or a list: program and arguments); "thunder" is used.`,
        );
    }
    clusters.push(cluster);
  });
  return { clusters, problems };
}

/**
 * The SSH target of a cluster. Explicit settings are written as a `Host` block in front of the
 * user's config, so they win (ssh takes the first value of each keyword) and everything else
 * (HostName, ProxyJump chains, IdentityFile) is resolved exactly as `ssh <host>` would.
 */
export function clusterSshTarget(
  cluster: ClusterSettings,
  sshConfigText: string,
  env: TargetEnvironment,
): SshTarget {
  const lines = [`Host ${cluster.host}`];
  if (cluster.user !== undefined) lines.push(`  User ${cluster.user}`);
  if (cluster.port !== undefined) lines.push(`  Port ${cluster.port}`);
  if (cluster.identityFile !== undefined) lines.push(`  IdentityFile ${cluster.identityFile}`);
  if (cluster.proxyJump !== undefined) lines.push(`  ProxyJump ${cluster.proxyJump}`);
  const text = lines.length > 1 ? `${lines.join("\n")}\nHost *\n${sshConfigText}` : sshConfigText;
  const target = resolveSshTarget(text, cluster.host, env);
  return { ...target, clusterName: cluster.name };
}

export interface FolderMapping {
  local: string;
  remote: string;
}

function trimSlashes(path: string): string {
  return path.length > 1 ? path.replace(/[\\/]+$/, "") : path;
}

/**
 * The remote path of a local file or folder: the longest local folder that contains it, with the
 * rest of the path appended using `/`. Undefined when no mapped folder contains it.
 */
export function toRemotePath(localPath: string, mappings: readonly FolderMapping[]): string | undefined {
  const local = trimSlashes(localPath);
  let best: FolderMapping | undefined;
  for (const mapping of mappings) {
    const root = trimSlashes(mapping.local);
    const inside =
      local === root ||
      (/[\\/]$/.test(root)
        ? local.startsWith(root)
        : local.startsWith(`${root}/`) || local.startsWith(`${root}\\`));
    if (inside && (best === undefined || root.length > trimSlashes(best.local).length)) best = mapping;
  }
  if (best === undefined) return undefined;
  // A backslash separates folders only in Windows paths; on POSIX it is part of a name.
  const separators = /^[A-Za-z]:[\\/]|\\/.test(best.local) ? /[\\/]+/ : /\/+/;
  const rest = local.slice(trimSlashes(best.local).length).replace(/^[\\/]+/, "");
  const parts = rest === "" ? [] : rest.split(separators);
  if (parts.some((part) => part === "..")) return undefined;
  const remoteRoot = trimSlashes(best.remote);
  return parts.length === 0 ? remoteRoot : `${remoteRoot === "/" ? "" : remoteRoot}/${parts.join("/")}`;
}

/**
 * The mappings of a cluster with each local key made absolute: a key that names a workspace folder
 * is replaced by its path; other relative keys cannot be placed and are reported.
 */
export function resolveFolderMappings(
  cluster: ClusterSettings,
  workspaceFolders: readonly { name: string; path: string }[],
): { mappings: FolderMapping[]; problems: string[] } {
  const mappings: FolderMapping[] = [];
  const problems: string[] = [];
  for (const [key, remote] of Object.entries(cluster.folders)) {
    const folder = workspaceFolders.find((candidate) => candidate.name === key);
    if (folder) mappings.push({ local: folder.path, remote });
    else if (key.startsWith("/") || /^[A-Za-z]:[\\/]/.test(key)) mappings.push({ local: key, remote });
    else
      problems.push(
        `Cluster "${cluster.name}": "${key}" in "folders" is neither an absolute path nor a workspace folder name.`,
      );
  }
  return { mappings, problems };
}
