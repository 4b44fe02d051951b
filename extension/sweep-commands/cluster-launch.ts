/**
 * Starts sweep agents on a cluster of `thunder.clusters` through the Slurm layer: on the login node
 * (one Slurm terminal per agent, running the agent's quoted command line after the setup lines) or
 * as one Slurm array job submitted over the cluster's shared connection. The commands are the tested
 * plans of `sweeps/agent-plan.ts`; host keys, passphrases and passwords are the Slurm layer's business.
 */
import * as vscode from "vscode";
import { type SlurmFeatures, slurmFeatures } from "../clusters/register";
import type { ThunderContext } from "../context";
import { shJoin } from "../remote/posix-quote";
import { type EngineChoice, planArrayJob, planLoginNodeAgents } from "../sweeps/agent-plan";
import {
  loginNodeAgentTerminals,
  remoteSweepPaths,
  sweepArraySubmission,
  thunderOnCluster,
} from "./cluster-agents";

export type ClusterMode = "login-node" | "array-job";

export interface ClusterLaunch {
  mode: ClusterMode;
  cluster: string;
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

/** The usable clusters' names, from the Slurm layer (which reports the problems of the setting). */
export function configuredClusters(): string[] {
  return slurmFeatures().clusterNames();
}

function refuse(ctx: ThunderContext, message: string): void {
  ctx.log.error(message);
  void vscode.window.showErrorMessage(message);
}

/** Plans, logs and runs one launch; every failure is shown with what to do. */
export async function launchOnCluster(ctx: ThunderContext, launch: ClusterLaunch): Promise<void> {
  const slurm = slurmFeatures();
  const clusterName = launch.cluster;
  const settings = slurm.clusterSettings(clusterName);
  if (settings === undefined)
    return refuse(ctx, `There is no cluster "${clusterName}" in the thunder.clusters setting.`);
  const paths = remoteSweepPaths(
    clusterName,
    { workingFolder: launch.workingFolder, config: launch.config, root: launch.root },
    slurm.mappings(clusterName),
  );
  if (!paths.ok) return refuse(ctx, paths.message);
  const thunder = thunderOnCluster(clusterName, settings.thunderCommand);
  if (!thunder.ok) return refuse(ctx, thunder.message);
  const common = {
    sweepPath: launch.sweepPath,
    configPath: paths.paths.configPath,
    root: paths.paths.root,
    thunder: thunder.thunder,
    agents: launch.agents,
    remoteFolder: paths.paths.remoteFolder,
    setupLines: settings.setup,
  };
  if (launch.mode === "login-node") {
    const planned = planLoginNodeAgents({ ...common, ...launch.choice });
    if (!planned.ok)
      return refuse(ctx, `Sweep ${launch.sweepPath} on cluster "${clusterName}": ${planned.message}`);
    const terminals = loginNodeAgentTerminals(clusterName, launch.sweepPath, planned.plan);
    if (!terminals.ok) return refuse(ctx, terminals.message);
    ctx.log.info(
      `Sweep ${launch.sweepPath}: starting ${launch.agents} agent(s) in Slurm terminals on the login node of "${clusterName}", in ${planned.plan.remoteFolder}`,
    );
    for (const [index, spec] of terminals.terminals.entries()) {
      ctx.log.info(`[${clusterName}] $ ${spec.initialLines.at(-1)}   (terminal "${spec.name}")`);
      slurm.openTerminal({ cluster: clusterName, ...spec, show: index === 0 });
    }
    void vscode.window.showInformationMessage(
      `Started ${launch.agents} agent(s) of ${launch.sweepPath} in Slurm terminals on the login node of "${clusterName}".`,
    );
    return;
  }
  const planned = planArrayJob({
    ...common,
    slurm: launch.slurmOptions,
    nWorkers: launch.nWorkers,
    scriptPath: `.thunder-sweeps/${launch.sweepId}-array.sh`,
  });
  if (!planned.ok)
    return refuse(ctx, `Sweep ${launch.sweepPath} on cluster "${clusterName}": ${planned.message}`);
  await submitArrayJob(ctx, slurm, clusterName, launch, planned.plan);
}

async function submitArrayJob(
  ctx: ThunderContext,
  slurm: SlurmFeatures,
  clusterName: string,
  launch: ClusterLaunch,
  plan: { submitCommand: string; scriptPath: string; scriptText: string; sbatchArgv: string[] },
): Promise<void> {
  ctx.log.info(
    `Sweep ${launch.sweepPath}: submitting an array job of ${launch.agents} agent(s) to "${clusterName}":\n$ ${plan.submitCommand}\nbatch script ${plan.scriptPath}:\n${plan.scriptText}`,
  );
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Sweep ${launch.sweepPath}: submitting the agents to cluster "${clusterName}"…`,
      },
      () => slurm.runner(clusterName).exec(["sh", "-c", plan.submitCommand], { timeoutMs: 120_000 }),
    );
    const output = `${result.stdout}${result.stderr}`.trim();
    if (result.exitCode !== 0) {
      ctx.log.error(`Cluster "${clusterName}" answered (exit code ${result.exitCode}):\n${output}`);
      void vscode.window.showErrorMessage(
        `Submitting the agents to cluster "${clusterName}" failed: ${output.split("\n").at(-1) ?? `exit code ${result.exitCode}`}`,
      );
      return;
    }
    const submission = sweepArraySubmission(clusterName, launch.root, result.stdout);
    const jobId = submission?.jobId;
    ctx.log.info(`Array job ${jobId ?? "(no id printed)"} submitted: ${shJoin(plan.sbatchArgv)}`);
    // Recorded like a run: the Jobs view links it to the sweep, watches it and says when it ends.
    if (submission !== undefined)
      await slurm.recordSubmission(submission).catch((error: unknown) => {
        ctx.log.warn(
          `Recording array job ${submission.jobId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    void vscode.window.showInformationMessage(
      `Submitted array job ${jobId ?? ""} (${launch.agents} agent(s) of ${launch.sweepPath}) to "${clusterName}".`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    refuse(ctx, `Cluster "${clusterName}": ${message}`);
  }
}
