/**
 * The exact commands that start W&B sweep agents, as argument arrays (never shell strings built
 * from values). Three ways to run them:
 *
 * - local: N `thunder wandb agent SWEEP CONFIG ROOT ...` processes on this machine;
 * - login node: the same argv per agent, started in the background in a remote folder after the
 *   user's setup lines (module loads, environment activation);
 * - array job: one `sbatch --array=1-N` whose tasks each run one agent with `--backend cli`, so
 *   every sweep run trains inside that task's allocation instead of submitting a job of its own.
 *
 * Shell text appears only where a remote shell must read it (login-node script, batch script);
 * there every value goes through `shQuote`. Setup lines are the user's own shell code, used as is.
 */
import { posix } from "node:path";
import { ENGINE_OPTIONS, type EngineName, validateEngineOption } from "../backends/engine-options";
import { shJoin, shQuote } from "../remote/posix-quote";
import { parseSweepCommand } from "./sweep-command";

export const MAX_AGENTS = 256;

/** Engine options keyed as in backends.yml (`n_workers`, `ram`, `cpu`, ...). */
export type EngineOptionValues = Readonly<Record<string, unknown>>;

export interface AgentCommandInput {
  /** Sweep path as `parseSweepCommand` returns it: `ENTITY/PROJECT/ID` or `PROJECT/ID`. */
  sweepPath: string;
  /** Experiment config every sweep run is built from. */
  configPath: string;
  /** Folder under which thunder builds `ROOT/<run id>` for each sweep run. */
  root: string;
  /** The thunder executable, e.g. a virtual environment's `bin/thunder`; default `thunder`. */
  thunder?: string;
  /** Node names for `--names` (default: all nodes). */
  names?: readonly string[];
}

export interface EngineChoice {
  /** `--backend NAME`; omitted lets thunder pick its default backend. */
  backend?: string;
  /** Engine whose flags `options` are, with the values passed as flags (they override backends.yml). */
  engine?: EngineName;
  options?: EngineOptionValues;
}

export interface LocalPlanInput extends AgentCommandInput, EngineChoice {
  agents: number;
}

export interface LocalPlan {
  mode: "local";
  /** One argv per agent process; argv[0] is the thunder executable. */
  agents: string[][];
}

export interface RemoteFolderInput {
  /** Folder on the cluster where the commands run (relative paths are relative to it). */
  remoteFolder: string;
  /** Shell lines run first, e.g. `module load cuda` or `source .venv/bin/activate`. */
  setupLines?: readonly string[];
  /** Folder for agent logs, relative to `remoteFolder` or absolute; default `.thunder-sweeps`. */
  logDir?: string;
}

export interface LoginNodePlanInput extends AgentCommandInput, EngineChoice, RemoteFolderInput {
  agents: number;
}

export interface LoginNodePlan {
  mode: "login-node";
  remoteFolder: string;
  setupLines: string[];
  agents: { argv: string[]; logPath: string }[];
  /** POSIX sh text that starts every agent in the background (surviving logout) and prints their PIDs. */
  script: string;
}

export interface ArrayJobPlanInput extends AgentCommandInput, RemoteFolderInput {
  agents: number;
  /** Options of the chosen slurm backend (`ram`, `cpu`, `gpu`, `partition`, `nodelist`, `time`, `limit`). */
  slurm: EngineOptionValues;
  /** `--n-workers` for the cli engine inside each allocation. */
  nWorkers?: number;
  /** Where the batch script is written, relative to `remoteFolder` or absolute. */
  scriptPath: string;
  /** Slurm job name; default `sweep-<sweep id>`. */
  jobName?: string;
}

export interface ArrayJobPlan {
  mode: "array-job";
  /** Run in `remoteFolder` after writing `scriptText` to `scriptPath`; prints the job id. */
  sbatchArgv: string[];
  remoteFolder: string;
  scriptPath: string;
  scriptText: string;
  /** The log file of task i is this with `%A` = job id and `%a` = i (and `%%` = `%`). */
  logPattern: string;
  /** The agent command each task runs (also the last line of the script). */
  agentArgv: string[];
  /** Folders to create before submitting: Slurm does not create the log folder, and the script needs one. */
  foldersToCreate: string[];
  /**
   * Everything as one sh command line for a remote shell: enter `remoteFolder`, create the folders,
   * write the script, submit. Prints the job id (`sbatch --parsable`).
   */
  submitCommand: string;
}

export type PlanResult<T> = { ok: true; plan: T } | { ok: false; message: string };

/** Bad planning input; caught at the public entry points and returned as a message. */
class PlanInputError extends Error {}

function fail(message: string): never {
  throw new PlanInputError(message);
}

function planned<T>(build: () => T): PlanResult<T> {
  try {
    return { ok: true, plan: build() };
  } catch (error) {
    if (error instanceof PlanInputError) return { ok: false, message: error.message };
    throw error;
  }
}

function describe(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/** Any value that ends up as one argument: never empty, never a NUL (argv cannot carry one). */
function checkArgument(what: string, value: string): string {
  if (value === "") fail(`The ${what} is empty.`);
  if (value.includes("\0")) fail(`The ${what} contains a NUL character, which no command line can carry.`);
  return value;
}

/** A value thunder would otherwise read as an option if it starts with `-`. */
function checkNotOption(what: string, value: string): string {
  checkArgument(what, value);
  if (value.startsWith("-"))
    fail(`The ${what} ${describe(value)} starts with "-" and would be read as an option; use "./${value}".`);
  return value;
}

function checkAgentCount(agents: number): number {
  if (!Number.isSafeInteger(agents) || agents < 1 || agents > MAX_AGENTS)
    fail(`The number of agents must be a whole number from 1 to ${MAX_AGENTS}, not ${agents}.`);
  return agents;
}

function checkSweepPath(sweepPath: string): { path: string; sweepId: string } {
  const parsed = parseSweepCommand(sweepPath);
  if (!parsed.ok || parsed.sweep.path !== sweepPath)
    fail(`${describe(sweepPath)} is not a sweep path (ENTITY/PROJECT/ID or PROJECT/ID).`);
  return { path: parsed.sweep.path, sweepId: parsed.sweep.sweepId };
}

/** Engine options as `[flag, value]` pairs, in the order thunder lists them, validated like thunder. */
function engineFlagValues(engine: EngineName, options: EngineOptionValues): [string, string][] {
  const flags: [string, string][] = [];
  const known = new Set(ENGINE_OPTIONS[engine].map((spec) => spec.key));
  for (const key of Object.keys(options)) {
    if (!known.has(key))
      fail(`Unknown ${engine} option ${describe(key)}; it accepts: ${[...known].join(", ")}.`);
  }
  for (const spec of ENGINE_OPTIONS[engine]) {
    const raw = options[spec.key];
    if (raw === undefined) continue;
    const checked = validateEngineOption(engine, spec.key, raw);
    if (!checked.ok) fail(checked.message);
    if (typeof checked.value === "number" && checked.value < 0)
      fail(`The ${engine} option "${spec.key}" cannot be negative (${checked.value}).`);
    flags.push([spec.key, checkNotOption(`${engine} option "${spec.key}"`, String(checked.value))]);
  }
  return flags;
}

function thunderFlagFor(engine: EngineName, key: string): string {
  return ENGINE_OPTIONS[engine].find((spec) => spec.key === key)!.flags[0]!;
}

/** `thunder wandb agent SWEEP CONFIG ROOT [--names ...] [--backend NAME] [engine flags]`. */
function agentArgv(input: AgentCommandInput, choice: EngineChoice): string[] {
  const argv = [
    checkArgument("thunder executable", input.thunder ?? "thunder"),
    "wandb",
    "agent",
    checkSweepPath(input.sweepPath).path,
    checkNotOption("config path", input.configPath),
    checkNotOption("sweep root folder", input.root),
  ];
  if (input.names !== undefined && input.names.length > 0) {
    for (const name of input.names) {
      checkArgument("node name", name);
      if (name.includes(","))
        fail(`The node name ${describe(name)} contains a comma, which --names splits on.`);
    }
    argv.push("--names", input.names.join(","));
  }
  if (choice.backend !== undefined) argv.push("--backend", checkNotOption("backend name", choice.backend));
  if (choice.options !== undefined && Object.keys(choice.options).length > 0) {
    if (choice.engine === undefined)
      fail("Engine options were given without saying which engine they are for.");
    for (const [key, value] of engineFlagValues(choice.engine, choice.options)) {
      argv.push(thunderFlagFor(choice.engine, key), value);
    }
  }
  return argv;
}

function setupLinesOf(lines: readonly string[] | undefined): string[] {
  const flat = (lines ?? []).flatMap((line) => line.replace(/\r\n?/g, "\n").split("\n"));
  for (const line of flat) {
    if (line.includes("\0")) fail("A setup line contains a NUL character.");
  }
  return flat.filter((line) => line.trim() !== "");
}

/** The script prologue every remote mode shares: stop on errors, enter the folder, run the setup. */
function prologue(remoteFolder: string, setupLines: readonly string[]): string[] {
  return ["set -e", `cd -- ${shQuote(remoteFolder)}`, ...setupLines];
}

const DEFAULT_LOG_DIR = ".thunder-sweeps";

function inFolder(folder: string, fileName: string): string {
  return folder.endsWith("/") ? folder + fileName : `${folder}/${fileName}`;
}

/** N agents on this machine, each its own process with the same argv. */
export function planLocalAgents(input: LocalPlanInput): PlanResult<LocalPlan> {
  return planned(() => {
    const count = checkAgentCount(input.agents);
    const argv = agentArgv(input, input);
    return { mode: "local", agents: Array.from({ length: count }, () => [...argv]) };
  });
}

/** N agents started in the background on a cluster login node, logs in `logDir`. */
export function planLoginNodeAgents(input: LoginNodePlanInput): PlanResult<LoginNodePlan> {
  return planned(() => {
    const count = checkAgentCount(input.agents);
    const remoteFolder = checkArgument("remote folder", input.remoteFolder);
    const setupLines = setupLinesOf(input.setupLines);
    const logDir = checkArgument("log folder", input.logDir ?? DEFAULT_LOG_DIR);
    const argv = agentArgv(input, input);
    const { sweepId } = checkSweepPath(input.sweepPath);
    const agents = Array.from({ length: count }, (_, index) => ({
      argv: [...argv],
      logPath: inFolder(logDir, `${sweepId}-agent-${index + 1}.log`),
    }));
    const lines = [
      ...prologue(remoteFolder, setupLines),
      `mkdir -p -- ${shQuote(logDir)}`,
      // nohup + </dev/null: the agents keep running after the SSH session that started them ends.
      ...agents.flatMap((agent) => [
        `nohup ${shJoin(agent.argv)} > ${shQuote(agent.logPath)} 2>&1 < /dev/null &`,
        'echo "$!"',
      ]),
    ];
    return { mode: "login-node", remoteFolder, setupLines, agents, script: `${lines.join("\n")}\n` };
  });
}

/** sbatch reads `%` in --output as a pattern and a backslash as "no patterns at all". */
function slurmLiteralPath(what: string, path: string): string {
  if (path.includes("\\")) fail(`The ${what} ${describe(path)} contains a backslash, which sbatch misreads.`);
  return path.replaceAll("%", "%%");
}

/** Slurm flags for the chosen backend's options, the way thunder's slurm engine submits them. */
function sbatchResourceFlags(options: EngineOptionValues): string[] {
  const flags: string[] = [];
  for (const [key, value] of engineFlagValues("slurm", options)) {
    switch (key) {
      case "ram":
        flags.push("--mem", value);
        break;
      case "cpu":
        flags.push("--cpus-per-task", value);
        break;
      case "gpu":
        flags.push("--gpus-per-node", value);
        break;
      case "partition":
        flags.push("--partition", value);
        break;
      case "nodelist":
        flags.push("--nodelist", value);
        break;
      case "time":
        // Like thunder: SIGINT to the batch shell 30 s before the limit, so training can save.
        flags.push("--time", value, "--signal=B:INT@30");
        break;
      case "limit":
        break; // goes into --array as %limit
    }
  }
  return flags;
}

/** One Slurm array job of N tasks, each running one agent with the cli engine inside its allocation. */
export function planArrayJob(input: ArrayJobPlanInput): PlanResult<ArrayJobPlan> {
  return planned(() => {
    const count = checkAgentCount(input.agents);
    const remoteFolder = checkArgument("remote folder", input.remoteFolder);
    const setupLines = setupLinesOf(input.setupLines);
    const { sweepId, path } = checkSweepPath(input.sweepPath);
    const scriptPath = checkNotOption("batch script path", input.scriptPath);
    const jobName = checkNotOption("job name", input.jobName ?? `sweep-${sweepId}`);
    if (/[\u0000-\u001F\u007F]/.test(jobName))
      fail(`The job name ${describe(jobName)} contains control characters.`);
    const logDir = checkArgument("log folder", input.logDir ?? DEFAULT_LOG_DIR);
    const logPattern = inFolder(slurmLiteralPath("log folder", logDir), `${sweepId}-%A_%a.log`);
    checkNotOption("log path", logPattern);

    const cliOptions = input.nWorkers === undefined ? undefined : { n_workers: input.nWorkers };
    const argv = agentArgv(input, { backend: "cli", engine: "cli", options: cliOptions });
    const limitFlags = engineFlagValues("slurm", input.slurm).find(([key]) => key === "limit");
    const array = `--array=1-${count}${limitFlags ? `%${limitFlags[1]}` : ""}`;
    const sbatchArgv = [
      "sbatch",
      "--parsable",
      array,
      "--job-name",
      jobName,
      "--output",
      logPattern,
      "--error",
      logPattern,
      ...sbatchResourceFlags(input.slurm),
      scriptPath,
    ];
    const scriptLines = [
      "#!/bin/bash",
      // Only validated values (sweep path, count) appear in comments: a newline there would end the comment.
      `# W&B sweep agent for ${path}, one per task of a ${count}-task Slurm array (written by Thunder for VS Code).`,
      ...prologue(remoteFolder, setupLines),
      // exec: the agent becomes the batch shell, so the --signal from --time reaches it.
      `exec ${shJoin(argv)}`,
    ];
    const scriptText = `${scriptLines.join("\n")}\n`;
    const scriptFolder = posix.dirname(scriptPath);
    const foldersToCreate = [...new Set([logDir, ...(scriptFolder === "." ? [] : [scriptFolder])])];
    const submitCommand = [
      `cd -- ${shQuote(remoteFolder)}`,
      `mkdir -p -- ${shJoin(foldersToCreate)}`,
      `printf '%s' ${shQuote(scriptText)} > ${shQuote(scriptPath)}`,
      shJoin(sbatchArgv),
    ].join(" && ");
    return {
      mode: "array-job",
      sbatchArgv,
      remoteFolder,
      scriptPath,
      scriptText,
      logPattern,
      agentArgv: argv,
      foldersToCreate,
      submitCommand,
    };
  });
}
