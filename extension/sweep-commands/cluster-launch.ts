/**
 * Starts sweep agents on a cluster from `thunder.clusters`: on the login node (agents in the
 * background, surviving the session, logs in `.thunder-sweeps/`) or as one Slurm array job. The
 * commands are the tested plans of `sweeps/agent-plan.ts`, run with one `exec` each.
 *
 * Minimal on purpose: it opens its own SSH connection for the launch and closes it afterwards,
 * because the cluster manager of the Slurm layer does not expose its connections to other
 * features yet. Host keys are always checked (unknown: asked, changed: refused by the connection).
 */
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  type ClusterSettings,
  clusterSshTarget,
  readClusterSettings,
  resolveFolderMappings,
} from "../clusters/cluster-settings";
import type { ThunderContext } from "../context";
import { shJoin } from "../remote/posix-quote";
import { parseParsableSubmission } from "../slurm/sbatch";
import { SshConnection, type SshPrompts } from "../ssh/connection";
import { type EngineChoice, planArrayJob, planLoginNodeAgents } from "../sweeps/agent-plan";
import { remoteSweepPaths, startedAgentPids, thunderOnCluster } from "./cluster-agents";

export type ClusterMode = "login-node" | "array-job";

export interface ClusterLaunch {
  mode: ClusterMode;
  cluster: ClusterSettings;
  sweepPath: string;
  sweepId: string;
  /** Local paths; mapped to the cluster through the cluster's `folders`. */
  workingFolder: string;
  config: string;
  root: string;
  agents: number;
  /** Login node: the backend each run uses (as locally). */
  choice: EngineChoice;
  /** Array job: the resources of every task (slurm options) and `--n-workers` inside it. */
  slurmOptions: Record<string, string | number>;
  nWorkers?: number;
}

/** The clusters of the `thunder.clusters` setting that can be used (problems are reported by the Slurm layer). */
export function configuredClusters(): ClusterSettings[] {
  return readClusterSettings(vscode.workspace.getConfiguration("thunder").get<unknown>("clusters", []))
    .clusters;
}

function expandTilde(file: string, home: string): string {
  return file === "~" || file.startsWith("~/") ? path.join(home, file.slice(1)) : file;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function prompts(clusterName: string, log: vscode.LogOutputChannel): SshPrompts {
  return {
    confirmUnknownHostKey: async (question) => {
      const accept = "Accept and Connect";
      const choice = await vscode.window.showWarningMessage(
        `The host key of cluster "${clusterName}" is not known yet.`,
        {
          modal: true,
          detail:
            `${question.host}:${question.port} presents this ${question.keyType} key:\n\n${question.fingerprint}\n\n` +
            "Accept it only if it matches the fingerprint your cluster administrators publish. It will be added to your known_hosts file.",
        },
        accept,
      );
      log.info(
        `Host key ${question.fingerprint} of cluster "${clusterName}" was ${choice === accept ? "accepted" : "rejected"}.`,
      );
      return choice === accept ? "accept" : "reject";
    },
    passphrase: (keyPath, attempt) =>
      Promise.resolve(
        vscode.window.showInputBox({
          title: `Cluster "${clusterName}": passphrase for ${path.basename(keyPath)}`,
          prompt: `${keyPath}${attempt > 1 ? " (the passphrase was wrong; try again)" : ""}`,
          password: true,
          ignoreFocusOut: true,
        }),
      ),
    password: (target) =>
      Promise.resolve(
        vscode.window.showInputBox({
          title: `Cluster "${clusterName}": password for ${target.username}@${target.host}`,
          password: true,
          ignoreFocusOut: true,
        }),
      ),
  };
}

function connectionTo(cluster: ClusterSettings, log: vscode.LogOutputChannel): SshConnection {
  const home = os.homedir();
  const sshSettings = vscode.workspace.getConfiguration("thunder.ssh");
  const configFile = expandTilde(sshSettings.get<string>("configFile", "") || "~/.ssh/config", home);
  const knownHostsPath = expandTilde(
    sshSettings.get<string>("knownHostsFile", "") || "~/.ssh/known_hosts",
    home,
  );
  const target = clusterSshTarget(cluster, readText(configFile) ?? "", {
    homeDir: home,
    localUser: os.userInfo().username,
    agentSocket: process.env.SSH_AUTH_SOCK || undefined,
    readFile: readText,
  });
  return new SshConnection({
    target,
    prompts: prompts(cluster.name, log),
    knownHostsPath,
    connectTimeoutMs: 20_000,
  });
}

/** Plans, logs and runs one launch; every failure is shown with what to do. */
export async function launchOnCluster(ctx: ThunderContext, launch: ClusterLaunch): Promise<void> {
  const { cluster } = launch;
  const workspaceFolders = (vscode.workspace.workspaceFolders ?? []).map((folder) => ({
    name: folder.name,
    path: folder.uri.fsPath,
  }));
  const { mappings, problems } = resolveFolderMappings(cluster, workspaceFolders);
  for (const problem of problems) ctx.log.warn(problem);
  const paths = remoteSweepPaths(
    cluster.name,
    { workingFolder: launch.workingFolder, config: launch.config, root: launch.root },
    mappings,
  );
  const thunder = thunderOnCluster(cluster.name, cluster.thunderCommand);
  const refusal = !paths.ok ? paths.message : !thunder.ok ? thunder.message : undefined;
  if (refusal !== undefined || !paths.ok || !thunder.ok) {
    ctx.log.error(refusal ?? "");
    void vscode.window.showErrorMessage(refusal ?? "");
    return;
  }
  const common = {
    sweepPath: launch.sweepPath,
    configPath: paths.paths.configPath,
    root: paths.paths.root,
    thunder: thunder.thunder,
    agents: launch.agents,
    remoteFolder: paths.paths.remoteFolder,
    setupLines: cluster.setup,
  };
  const planned =
    launch.mode === "login-node"
      ? planLoginNodeAgents({ ...common, ...launch.choice })
      : planArrayJob({
          ...common,
          slurm: launch.slurmOptions,
          nWorkers: launch.nWorkers,
          scriptPath: `.thunder-sweeps/${launch.sweepId}-array.sh`,
        });
  if (!planned.ok) {
    ctx.log.error(`Sweep ${launch.sweepPath} on cluster "${cluster.name}": ${planned.message}`);
    void vscode.window.showErrorMessage(planned.message);
    return;
  }
  const plan = planned.plan;
  const command = plan.mode === "login-node" ? plan.script : plan.submitCommand;
  ctx.log.info(
    plan.mode === "login-node"
      ? `Sweep ${launch.sweepPath}: starting ${launch.agents} agent(s) on the login node of "${cluster.name}":\n${plan.script}`
      : `Sweep ${launch.sweepPath}: submitting an array job of ${launch.agents} agent(s) to "${cluster.name}":\n$ ${plan.submitCommand}\nbatch script ${plan.scriptPath}:\n${plan.scriptText}`,
  );
  const connection = connectionTo(cluster, ctx.log);
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Sweep ${launch.sweepPath}: starting agents on cluster "${cluster.name}"…`,
      },
      () => connection.exec(["sh", "-c", command], { timeoutMs: 120_000 }),
    );
    const output = `${result.stdout}${result.stderr}`.trim();
    if (result.exitCode !== 0) {
      ctx.log.error(`Cluster "${cluster.name}" answered (exit code ${result.exitCode}):\n${output}`);
      void vscode.window.showErrorMessage(
        `Starting the agents on cluster "${cluster.name}" failed: ${output.split("\n").at(-1) ?? `exit code ${result.exitCode}`}`,
      );
      return;
    }
    if (plan.mode === "login-node") {
      const pids = startedAgentPids(result.stdout);
      const logs = plan.agents.map((agent) => agent.logPath).join(", ");
      ctx.log.info(`Agents started on "${cluster.name}" with PIDs ${pids.join(", ")}; logs: ${logs}`);
      void vscode.window.showInformationMessage(
        `Started ${pids.length} agent(s) of ${launch.sweepPath} on the login node of "${cluster.name}" (logs in ${paths.paths.remoteFolder}/.thunder-sweeps).`,
      );
    } else {
      const jobId = parseParsableSubmission(result.stdout)?.jobId;
      ctx.log.info(`Array job ${jobId ?? "(no id printed)"} submitted: ${shJoin(plan.sbatchArgv)}`);
      void vscode.window.showInformationMessage(
        `Submitted array job ${jobId ?? ""} (${launch.agents} agent(s) of ${launch.sweepPath}) to "${cluster.name}".`,
      );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.error(`Cluster "${cluster.name}": ${message}`);
    void vscode.window.showErrorMessage(message);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
