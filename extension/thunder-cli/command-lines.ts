/**
 * Argument arrays for the thunder CLI. Always arrays handed to the process API as they are, never a
 * shell string: names, paths and values pass through byte for byte. Paths that begin with `-` are
 * written as `./-x` so the CLI does not take them for options, and option values are attached to
 * their flag (`--backend=NAME`) for the same reason.
 */
import {
  ENGINE_NAMES,
  type EngineName,
  findOptionSpec,
  isEngineName,
  type OptionValue,
  validateEngineOption,
} from "../backends/engine-options";

/** A request we refuse to turn into a command line (the message is for the user). */
export class CommandLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandLineError";
  }
}

export interface BuildRequest {
  /** Path of the source `.config` file. */
  config: string;
  /** Folder to create for the experiment. */
  experiment: string;
  /** `NAME=VALUE` pairs, each passed with its own `-u`. */
  overrides?: readonly string[];
  /** Delete an existing experiment folder first (`-o`); its checkpoints and logs go too. */
  overwrite?: boolean;
}

export interface EngineOverrides {
  engine: EngineName;
  /** Engine options for this run only; they override the backend's stored config. */
  options: Readonly<Record<string, OptionValue>>;
}

export interface RunOptions {
  /** Nodes (folds) to run; all when omitted or empty. */
  names?: readonly string[];
  /** A backends.yml entry or a built-in (`cli`, `slurm`); thunder picks one when omitted. */
  backend?: string;
  engineOptions?: EngineOverrides;
}

export interface RunRequest extends RunOptions {
  experiment: string;
}

export function buildArgs(request: BuildRequest): string[] {
  return [
    "build",
    pathArg(request.config, "config file"),
    pathArg(request.experiment, "experiment folder"),
    ...buildFlags(request),
  ];
}

export function runArgs(request: RunRequest): string[] {
  return ["run", pathArg(request.experiment, "experiment folder"), ...runFlags(request)];
}

export function buildRunArgs(build: BuildRequest, run: RunOptions): string[] {
  return [
    "build-run",
    pathArg(build.config, "config file"),
    pathArg(build.experiment, "experiment folder"),
    ...buildFlags(build),
    ...runFlags(run),
  ];
}

export interface WandbAgentRequest extends RunOptions {
  /** What W&B prints after `wandb agent`: `ENTITY/PROJECT/SWEEP_ID`. */
  sweep: string;
  config: string;
  /** Folder that receives one experiment per sweep run. */
  root: string;
}

export function wandbAgentArgs(request: WandbAgentRequest): string[] {
  const sweep = request.sweep.trim();
  if (!/^[^\s/]+(?:\/[^\s/]+){0,2}$/.test(sweep) || sweep.startsWith("-")) {
    throw new CommandLineError(
      `"${request.sweep}" is not a sweep id; paste what W&B shows, e.g. entity/project/abc123.`,
    );
  }
  return [
    "wandb",
    "agent",
    sweep,
    pathArg(request.config, "config file"),
    pathArg(request.root, "experiments root folder"),
    ...runFlags(request),
  ];
}

export interface BackendAddRequest {
  name: string;
  engine: EngineName;
  options: Readonly<Record<string, OptionValue>>;
  /** Replace an existing entry of that name. */
  force?: boolean;
  /** Create thunder's config folder if it does not exist yet. */
  create?: boolean;
}

export function backendAddArgs(request: BackendAddRequest): string[] {
  if (!isEngineName(request.engine)) {
    throw new CommandLineError(`Unknown engine "${request.engine}"; use one of: ${ENGINE_NAMES.join(", ")}.`);
  }
  const pairs = Object.entries(request.options).map(
    ([key, value]) => `${key}=${checkedOption(request.engine, key, value)}`,
  );
  return [
    "backend",
    "add",
    nameArg(request.name, "backend name"),
    `backend=${request.engine}`,
    ...pairs,
    ...(request.force ? ["--force"] : []),
    ...(request.create ? ["--create"] : []),
  ];
}

export function backendSetArgs(name: string): string[] {
  return ["backend", "set", nameArg(name, "backend name")];
}

export function backendRemoveArgs(name: string): string[] {
  return ["backend", "remove", nameArg(name, "backend name")];
}

export function backendListArgs(names: readonly string[] = []): string[] {
  return ["backend", "list", ...names.map((name) => nameArg(name, "backend name"))];
}

function buildFlags(request: BuildRequest): string[] {
  const flags: string[] = [];
  for (const override of request.overrides ?? []) {
    const at = override.indexOf("=");
    if (at <= 0) throw new CommandLineError(`"${override}" needs the form NAME=VALUE.`);
    flags.push("-u", override);
  }
  if (request.overwrite) flags.push("-o");
  return flags;
}

function runFlags(options: RunOptions): string[] {
  const flags: string[] = [];
  const names = options.names ?? [];
  if (names.length > 0) {
    for (const name of names) {
      if (name === "" || name.includes(",")) {
        throw new CommandLineError(
          `The node name "${name}" cannot be passed to --names (empty or containing a comma).`,
        );
      }
    }
    flags.push(`--names=${names.join(",")}`);
  }
  if (options.backend !== undefined && options.backend !== "") {
    flags.push(`--backend=${options.backend}`);
  }
  if (options.engineOptions !== undefined) {
    const { engine, options: values } = options.engineOptions;
    for (const [key, value] of Object.entries(values)) {
      const spec = findOptionSpec(engine, key);
      const checked = checkedOption(engine, key, value);
      flags.push(`${spec!.flags[0]}=${checked}`);
    }
  }
  return flags;
}

function checkedOption(engine: EngineName, key: string, value: OptionValue): string {
  const result = validateEngineOption(engine, key, value);
  if (!result.ok) throw new CommandLineError(result.message);
  return String(result.value);
}

function pathArg(value: string, what: string): string {
  if (value === "") throw new CommandLineError(`The ${what} path is empty.`);
  if (value.includes("\0")) throw new CommandLineError(`The ${what} path contains a NUL character.`);
  // "-o" as a relative path would be read as a flag; "./-o" is the same folder.
  return value.startsWith("-") ? `./${value}` : value;
}

function nameArg(value: string, what: string): string {
  if (value === "") throw new CommandLineError(`The ${what} is empty.`);
  if (value.startsWith("-")) throw new CommandLineError(`The ${what} "${value}" cannot start with "-".`);
  if (value.includes("\0")) throw new CommandLineError(`The ${what} contains a NUL character.`);
  return value;
}
