/**
 * Wires the backends and experiments views, build/run commands and the status-bar run button into
 * the extension. The one entry point main.ts calls.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { ThunderContext } from "../context";
import { RunButton, runActiveCommand } from "../status-bar/run-button";
import { registerBackendCommands } from "../views/backends-commands";
import { BackendsStore } from "../views/backends-store";
import { BackendsTreeProvider } from "../views/backends-view";
import { ExperimentsState } from "../views/experiments-state";
import { describeState, type ExperimentsNode, ExperimentsTreeProvider } from "../views/experiments-view";
import { BuildFlow } from "./build-flow";
import { describeOverwriteLoss } from "./experiment-target";
import { RunFlow } from "./run-flow";

export function registerExperimentFeatures(ctx: ThunderContext): void {
  const backends = new BackendsStore(ctx.log);
  const experiments = new ExperimentsState(ctx.extensionContext.workspaceState, ctx.log);
  const builds = new BuildFlow(ctx, experiments);
  const runs = new RunFlow(ctx, backends, experiments);
  ctx.own(backends);
  ctx.own(experiments);
  ctx.own(runs);
  ctx.own(
    vscode.window.createTreeView("thunder.backends", {
      treeDataProvider: new BackendsTreeProvider(backends),
    }),
  );
  ctx.own(
    vscode.window.createTreeView("thunder.experiments", {
      treeDataProvider: new ExperimentsTreeProvider(experiments),
      showCollapseAll: true,
    }),
  );
  const runButton = new RunButton(experiments, runs);
  ctx.own(runButton);
  const register = (id: string, handler: (...args: unknown[]) => unknown) =>
    ctx.registerCommand(
      id,
      () =>
        (...args: unknown[]) =>
          runReportingErrors(ctx, id, () => handler(...args)),
    );

  registerBackendCommands(backends, register);

  const buildAndMaybeRun = async (arg: unknown, andRun: boolean) => {
    if (!ensureTrusted("Building experiments")) return;
    const plan = await builds.plan(uriOf(arg));
    if (plan === undefined) return;
    if ((await builds.build(plan)) && andRun) await runs.run(plan.experiment);
  };
  register("thunder.build", (arg) => buildAndMaybeRun(arg, false));
  register("thunder.buildAndRun", (arg) => buildAndMaybeRun(arg, true));

  register("thunder.run", async (arg) => {
    if (!ensureTrusted("Running experiments")) return;
    const folder = experimentFolderOf(arg) ?? (await pickExperiment(experiments));
    if (folder !== undefined) await runs.run(folder);
  });
  register("thunder.experiments.runFolds", async (arg) => {
    if (!ensureTrusted("Running experiments")) return;
    const folder = experimentFolderOf(arg) ?? (await pickExperiment(experiments));
    if (folder === undefined) return;
    const nodes = experiments.experiment(folder)?.nodes ?? [];
    if (nodes.length === 0) {
      await runs.run(folder);
      return;
    }
    const chosen = await vscode.window.showQuickPick(
      nodes.map((node) => ({
        label: node.name,
        description: describeState(node.state, node.newestCheckpoint?.mtimeMs),
      })),
      { title: `Run folds of ${path.basename(folder)} (--names)`, canPickMany: true },
    );
    if (chosen === undefined || chosen.length === 0) return;
    await runs.run(folder, { names: chosen.map((item) => item.label) });
  });
  register("thunder.experiments.runFold", async (arg) => {
    const node = arg as ExperimentsNode | undefined;
    if (node?.kind !== "node" || !ensureTrusted("Running experiments")) return;
    await runs.run(node.experiment.folder, { names: [node.node.name] });
  });
  register("thunder.experiments.openBuiltConfig", async (arg) => {
    const node = arg as ExperimentsNode | undefined;
    const folder = node?.kind === "node" ? node.node.folder : experimentFolderOf(arg);
    if (folder === undefined) return;
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, "experiment.config")), {
      preview: true,
    });
  });
  register("thunder.experiments.diffWithSource", async (arg) => {
    const folder = experimentFolderOf(arg);
    if (folder === undefined) return;
    const source = experiments.experiment(folder)?.sourceConfig;
    if (source === undefined) {
      void vscode.window.showInformationMessage(
        `The source config of ${path.basename(folder)} is not known (it was not built from this window).`,
      );
      return;
    }
    await vscode.commands.executeCommand(
      "vscode.diff",
      vscode.Uri.file(source),
      vscode.Uri.file(path.join(folder, "experiment.config")),
      `${path.basename(source)} ↔ ${path.basename(folder)}/experiment.config`,
    );
  });
  register("thunder.experiments.rebuild", async (arg) => {
    if (!ensureTrusted("Building experiments")) return;
    const folder = experimentFolderOf(arg);
    if (folder === undefined) return;
    const source = experiments.experiment(folder)?.sourceConfig;
    if (source === undefined) {
      void vscode.window.showInformationMessage(
        `The source config of ${path.basename(folder)} is not known; use Build Experiment.`,
      );
      return;
    }
    const overrides = builds.rememberedOverrides(source);
    const loss = describeOverwriteLoss(folder, experiments.scanned(folder));
    const choice = await vscode.window.showWarningMessage(
      `Rebuild ${path.basename(folder)} from ${path.basename(source)}?`,
      { modal: true, detail: `${loss}${overrides.length > 0 ? `\nOverrides: ${overrides.join(" ")}` : ""}` },
      "Overwrite and Rebuild",
    );
    if (choice !== "Overwrite and Rebuild") return;
    await builds.build({ config: source, experiment: folder, overrides, overwrite: true });
  });
  register("thunder.experiments.reveal", async (arg) => {
    const folder = experimentFolderOf(arg);
    if (folder !== undefined)
      await vscode.commands.executeCommand("revealInExplorer", vscode.Uri.file(folder));
  });
  register("thunder.experiments.delete", async (arg) => {
    if (!ensureTrusted("Deleting experiments")) return;
    const folder = experimentFolderOf(arg);
    if (folder === undefined) return;
    const choice = await vscode.window.showWarningMessage(
      `Move the experiment ${path.basename(folder)} to the trash?`,
      {
        modal: true,
        detail: describeOverwriteLoss(folder, experiments.scanned(folder)).replace(
          "Overwriting deletes",
          "This moves",
        ),
      },
      "Move to Trash",
    );
    if (choice !== "Move to Trash") return;
    try {
      await vscode.workspace.fs.delete(vscode.Uri.file(folder), { recursive: true, useTrash: true });
    } catch (error) {
      const permanently = await vscode.window.showWarningMessage(
        `Could not move ${path.basename(folder)} to the trash: ${error instanceof Error ? error.message : String(error)}`,
        { modal: true },
        "Delete Permanently",
      );
      if (permanently !== "Delete Permanently") return;
      await vscode.workspace.fs.delete(vscode.Uri.file(folder), { recursive: true, useTrash: false });
    }
    experiments.notify([{ type: "deleted", path: folder }]);
  });
  register("thunder.experiments.refresh", () => experiments.restart());
  register(runActiveCommand, async () => {
    if (!ensureTrusted("Running experiments")) return;
    const target = runButton.target();
    if (target === undefined) {
      void vscode.window.showInformationMessage("Open a .config file or a built experiment to run it.");
      return;
    }
    const backend = runs.lastBackend;
    const options = backend === undefined ? {} : { backend };
    if (target.kind === "run") {
      await runs.run(target.experiment, { ...options, names: target.names });
      return;
    }
    const plan = await builds.plan(vscode.Uri.file(target.config));
    if (plan !== undefined && (await builds.build(plan))) await runs.run(plan.experiment, options);
  });

  void backends.relocate();
  void experiments.restart();
}

function ensureTrusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${what} is disabled until you trust this workspace.`);
  return false;
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  return arg instanceof vscode.Uri ? arg : undefined;
}

function experimentFolderOf(arg: unknown): string | undefined {
  const node = arg as ExperimentsNode | undefined;
  if (node?.kind === "experiment" || node?.kind === "node" || node?.kind === "source")
    return node.experiment.folder;
  if (arg instanceof vscode.Uri) {
    return path.basename(arg.fsPath) === "experiment.config" ? path.dirname(arg.fsPath) : arg.fsPath;
  }
  return undefined;
}

async function pickExperiment(experiments: ExperimentsState): Promise<string | undefined> {
  const list = experiments.experiments();
  if (list.length === 0) {
    void vscode.window.showInformationMessage(
      "No built experiments found. Build one with Thunder: Build Experiment.",
    );
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    list.map((experiment) => ({
      label: experiment.name,
      description: vscode.workspace.asRelativePath(experiment.folder),
      folder: experiment.folder,
    })),
    { title: "Run Experiment" },
  );
  return choice?.folder;
}

async function runReportingErrors(ctx: ThunderContext, id: string, body: () => unknown): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.log.error(`${id}: ${message}`);
    void vscode.window.showErrorMessage(`Thunder: ${message}`, "Show Log").then((choice) => {
      if (choice === "Show Log") ctx.showLog();
    });
  }
}
