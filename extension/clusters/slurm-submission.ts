/**
 * A thunder run/build on Slurm as a plan: which thunder command line, in which folder, after which
 * setup lines, and what its output means (job ids, or why sbatch refused the job). Pure: the VS Code
 * layer executes the plan locally or over SSH.
 */
import type { EngineName, OptionValue } from "../backends/engine-options";
import { classifySbatchRejection, parseSubmittedJobIds } from "../slurm/sbatch";
import { buildArgs, buildRunArgs, CommandLineError, runArgs } from "../thunder-cli/command-lines";
import { type FolderMapping, toRemotePath } from "./cluster-settings";

export type SlurmCommandKind = "run" | "build" | "build-run";

export interface SlurmRunRequest {
  kind: SlurmCommandKind;
  /** Local path of the experiment folder. */
  experiment: string;
  /** Local source config (build, build-run). */
  config?: string;
  overrides?: readonly string[];
  overwrite?: boolean;
  names?: readonly string[];
  /** The backend as the user chose it (a backends.yml entry or `slurm`). */
  backend: string;
  /** The engine of that backend; only `slurm` goes through here. */
  engine: string;
  /**
   * The backend's stored options merged with this run's overrides. Sent as flags with the built-in
   * `slurm` backend, so the cluster needs no copy of the local backends.yml.
   */
  engineOptions?: Readonly<Record<string, OptionValue | null | undefined>>;
}

export interface SlurmCommandPlan {
  /** Full argument vector, the thunder program first. */
  args: string[];
  /** Folder to run in (remote or local), undefined: the home folder. */
  cwd: string | undefined;
  setupLines: string[];
  /** The experiment path as thunder sees it. */
  experimentPath: string;
}

function definedOptions(options: SlurmRunRequest["engineOptions"]): Record<string, OptionValue> | undefined {
  if (options === undefined) return undefined;
  const entries = Object.entries(options).filter(
    (entry): entry is [string, OptionValue] => entry[1] !== null && entry[1] !== undefined,
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/**
 * Plans the thunder command. `mappings` undefined: thunder runs on this machine with local paths;
 * otherwise every path is translated to the cluster's and must lie in a mapped folder.
 */
export function planSlurmCommand(
  request: SlurmRunRequest,
  target: {
    clusterName: string;
    thunderCommand: readonly string[];
    setupLines: readonly string[];
    mappings: readonly FolderMapping[] | undefined;
    /** Local folder to run in (the workspace folder), mapped too. */
    workingFolder: string;
  },
): SlurmCommandPlan {
  if (request.engine !== "slurm") {
    throw new CommandLineError(`Backend "${request.backend}" uses the ${request.engine} engine, not slurm.`);
  }
  const place = (local: string, what: string): string => {
    if (target.mappings === undefined) return local;
    const remote = toRemotePath(local, target.mappings);
    if (remote === undefined) {
      throw new CommandLineError(
        `The ${what} ${local} is in no folder mapped for cluster "${target.clusterName}". ` +
          `Add its workspace folder to "folders" of this cluster in the thunder.clusters setting.`,
      );
    }
    return remote;
  };
  const experimentPath = place(request.experiment, "experiment");
  const options = definedOptions(request.engineOptions);
  const engine: EngineName = "slurm";
  const run = {
    names: request.names && request.names.length > 0 ? request.names : undefined,
    // Locally thunder reads the backends.yml the user picked from; remotely the built-in engine + flags.
    backend: target.mappings === undefined ? request.backend : "slurm",
    engineOptions: options ? { engine, options } : undefined,
  };
  let thunderArgs: string[];
  if (request.kind === "run") {
    thunderArgs = runArgs({ experiment: experimentPath, ...run });
  } else {
    if (request.config === undefined) throw new CommandLineError("No config file given to build.");
    const build = {
      config: place(request.config, "config file"),
      experiment: experimentPath,
      overrides: request.overrides,
      overwrite: request.overwrite,
    };
    thunderArgs = request.kind === "build" ? buildArgs(build) : buildRunArgs(build, run);
  }
  let cwd: string | undefined;
  try {
    cwd = place(target.workingFolder, "folder");
  } catch {
    cwd = undefined; // thunder gets absolute paths; the home folder will do
  }
  return {
    args: [...target.thunderCommand, ...thunderArgs],
    cwd,
    setupLines: [...target.setupLines],
    experimentPath,
  };
}

export type SubmissionOutcome =
  | { ok: true; jobIds: string[] }
  | { ok: false; message: string; details: string[] };

/** Reads thunder's output: the submitted job ids, or a message naming the cluster and what to do. */
export function interpretSubmission(
  clusterName: string,
  result: { stdout: string; stderr: string; exitCode: number | null },
): SubmissionOutcome {
  const output = `${result.stdout}\n${result.stderr}`;
  const jobIds = parseSubmittedJobIds(output);
  if (result.exitCode === 0 && jobIds.length > 0) return { ok: true, jobIds };
  const rejection = classifySbatchRejection(output);
  if (rejection) {
    return {
      ok: false,
      message: `Slurm on cluster "${clusterName}" refused the job. ${rejection.message}`,
      details: rejection.details,
    };
  }
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "Aborted!");
  const last = lines.at(-1);
  if (result.exitCode === 127 || /command not found|No such file or directory.*thunder/i.test(output)) {
    return {
      ok: false,
      message:
        `thunder was not found on cluster "${clusterName}". Set "thunderCommand" or "setup" ` +
        `(e.g. "conda activate ENV") for this cluster in the thunder.clusters setting.`,
      details: lines,
    };
  }
  if (result.exitCode === 0) {
    return {
      ok: false,
      message: `thunder finished on cluster "${clusterName}" but printed no "Submitted batch job" line.`,
      details: lines,
    };
  }
  return {
    ok: false,
    message: `thunder failed on cluster "${clusterName}" (exit code ${result.exitCode ?? "none"})${last ? `: ${last}` : "."}`,
    details: lines,
  };
}

/** Is `name` a program on this PATH? (`sbatch` here means VS Code runs on a login node.) */
export function findOnPath(
  name: string,
  pathVariable: string | undefined,
  isExecutable: (candidate: string) => boolean,
  separator = ":",
): string | undefined {
  for (const folder of (pathVariable ?? "").split(separator)) {
    if (folder === "") continue;
    const candidate = `${folder.replace(/\/+$/, "")}/${name}`;
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface SlurmBackendChoice {
  name: string;
  /** Stored options of the entry (null values dropped). */
  options: Record<string, OptionValue>;
  isDefault: boolean;
}

/** The backends a Slurm run can use: backends.yml entries with the slurm engine, then built-in `slurm`. */
export function slurmBackendChoices(model: {
  entries: readonly { name: string; engine: string; options: readonly { key: string; value: unknown }[] }[];
  defaultName?: string;
}): SlurmBackendChoice[] {
  const choices: SlurmBackendChoice[] = [];
  for (const entry of model.entries) {
    if (entry.engine !== "slurm" || entry.name === "slurm" || entry.name === "cli") continue;
    const options: Record<string, OptionValue> = {};
    for (const option of entry.options) {
      if (typeof option.value === "string" || typeof option.value === "number")
        options[option.key] = option.value;
    }
    choices.push({ name: entry.name, options, isDefault: entry.name === model.defaultName });
  }
  choices.push({ name: "slurm", options: {}, isDefault: model.defaultName === "slurm" });
  return [...choices.filter((choice) => choice.isDefault), ...choices.filter((choice) => !choice.isDefault)];
}
