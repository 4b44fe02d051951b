/**
 * The pure parts of launching sweep agents on a cluster: where the config, the runs' root and the
 * working folder are on the cluster (through the cluster's folder mappings), which thunder to run
 * there, what the started agents printed, and the Slurm terminals of login-node agents. No `vscode` here.
 */
import { type FolderMapping, toRemotePath } from "../clusters/cluster-settings";
import { shJoin } from "../remote/posix-quote";
import { parseParsableSubmission } from "../slurm/sbatch";
import type { Submission } from "../slurm/submissions";

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

/**
 * Login-node agents each hold one channel of the cluster's shared connection (8 at most, sshd allows
 * 10 sessions by default); the rest stay free for the Jobs view, logs and submissions.
 */
export const MAX_TERMINAL_AGENTS = 6;

export interface AgentTerminalSpec {
  name: string;
  /** Remote folder the terminal's shell changes to. */
  cwd: string;
  /** The setup lines, then the agent's command line (every argument quoted for sh). */
  initialLines: string[];
}

export type AgentTerminalsResult =
  | { ok: true; terminals: AgentTerminalSpec[] }
  | { ok: false; message: string };

/** One Slurm terminal per login-node agent, named `Sweep agent i/N – <sweep>`. */
export function loginNodeAgentTerminals(
  clusterName: string,
  sweepPath: string,
  plan: {
    remoteFolder: string;
    setupLines: readonly string[];
    agents: readonly { argv: readonly string[] }[];
  },
): AgentTerminalsResult {
  const count = plan.agents.length;
  if (count > MAX_TERMINAL_AGENTS)
    return {
      ok: false,
      message: `Cluster "${clusterName}": at most ${MAX_TERMINAL_AGENTS} agents run in Slurm terminals on the login node (each holds a channel of the one SSH connection), not ${count}; start fewer, or run them as a Slurm array job.`,
    };
  return {
    ok: true,
    terminals: plan.agents.map((agent, index) => ({
      name: `Sweep agent ${index + 1}/${count} – ${sweepPath}`,
      cwd: plan.remoteFolder,
      initialLines: [...plan.setupLines, shJoin(agent.argv)],
    })),
  };
}

/** The backend recorded for an array job of sweep agents: they run the cli engine inside its allocation. */
export const SWEEP_AGENTS_BACKEND = "cli (sweep agents)";

/**
 * The submission to record for an array job of sweep agents, from `sbatch --parsable`'s output:
 * linked to the sweep's (local) root folder, so the Jobs view names it and watches it across reloads.
 * Undefined when sbatch printed no job id.
 */
export function sweepArraySubmission(
  clusterName: string,
  localRoot: string,
  sbatchOutput: string,
): Omit<Submission, "submittedAt"> | undefined {
  const jobId = parseParsableSubmission(sbatchOutput)?.jobId;
  if (jobId === undefined) return undefined;
  return { experiment: localRoot, cluster: clusterName, backend: SWEEP_AGENTS_BACKEND, jobId };
}
