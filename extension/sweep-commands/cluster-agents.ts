/**
 * The pure parts of launching sweep agents on a cluster: where the config, the runs' root and the
 * working folder are on the cluster (through the cluster's folder mappings), which thunder to run
 * there, and what the started agents printed. No `vscode` here.
 */
import { type FolderMapping, toRemotePath } from "../clusters/cluster-settings";

export interface RemoteSweepPaths {
  /** The workspace folder on the cluster: the agents run there. */
  remoteFolder: string;
  configPath: string;
  root: string;
}

export type RemotePathsResult = { ok: true; paths: RemoteSweepPaths } | { ok: false; message: string };

/** Maps the local working folder, config and root to the cluster; says which one has no mapping. */
export function remoteSweepPaths(
  clusterName: string,
  local: { workingFolder: string; config: string; root: string },
  mappings: readonly FolderMapping[],
): RemotePathsResult {
  const mapped: Partial<Record<keyof typeof local, string>> = {};
  for (const [key, localPath] of Object.entries(local) as [keyof typeof local, string][]) {
    const remote = toRemotePath(localPath, mappings);
    if (remote === undefined)
      return {
        ok: false,
        message: `${localPath} is not inside a folder that cluster "${clusterName}" maps in its "folders" setting (thunder.clusters).`,
      };
    mapped[key] = remote;
  }
  return {
    ok: true,
    paths: { remoteFolder: mapped.workingFolder!, configPath: mapped.config!, root: mapped.root! },
  };
}

export type ThunderOnCluster = { ok: true; thunder: string } | { ok: false; message: string };

/** The agent plans start one program: a `thunderCommand` with leading arguments cannot be used. */
export function thunderOnCluster(clusterName: string, thunderCommand: readonly string[]): ThunderOnCluster {
  if (thunderCommand.length === 0) return { ok: true, thunder: "thunder" };
  if (thunderCommand.length === 1 && thunderCommand[0]!.trim() !== "")
    return { ok: true, thunder: thunderCommand[0]! };
  return {
    ok: false,
    message: `Cluster "${clusterName}": sweep agents need "thunderCommand" to be one program (such as "thunder" or a path to it), not ${JSON.stringify(thunderCommand)}; activate an environment in "setup" instead.`,
  };
}

/** The PIDs the login-node script printed, one per agent started in the background. */
export function startedAgentPids(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[0-9]+$/.test(line));
}
