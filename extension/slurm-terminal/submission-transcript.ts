/**
 * What an experiment's Slurm terminal shows for a submission, and which terminal that is. The
 * submission itself runs once, over an exec channel (its output is parsed for the job ids); the
 * terminal replays that exact command line and its output, then hands over to a live shell in the
 * experiment's folder. Pure: no `vscode`, no SSH.
 */
import type { SlurmCommandPlan } from "../clusters/slurm-submission";
import { experimentName } from "../jobs/jobs-model";

export interface SubmissionTranscriptInput {
  /** The exact line the cluster ran (`cd … && setup && 'thunder' 'run' …`). */
  commandLine: string;
  result: { stdout: string; stderr: string; exitCode: number | null };
  /** Local time of the submission, shown in the header line. */
  at: Date;
  /** What went wrong, when the extension could not read job ids from the output. */
  failure?: string;
}

const DIM = "\x1b[2m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

/** A terminal moves down on `\n` without returning to column 0: every line ends in CRLF. */
function terminalLines(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => `${line}\r\n`)
    .join("");
}

function clock(at: Date): string {
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/**
 * The text written into the terminal: a header, `$ ` + the command line, its standard output, its
 * error output in red, and a closing line naming a failure (exit code or what the extension saw).
 */
export function submissionTranscript(input: SubmissionTranscriptInput): string {
  if (/[\r\n]/.test(input.commandLine))
    throw new Error(`A submitted command line is a single line: ${JSON.stringify(input.commandLine)}`);
  let text = `\r\n${DIM}# Submitted from VS Code at ${clock(input.at)}:${RESET}\r\n`;
  text += `$ ${input.commandLine}\r\n`;
  if (input.result.stdout.trim() !== "") text += terminalLines(input.result.stdout);
  if (input.result.stderr.trim() !== "") text += `${RED}${terminalLines(input.result.stderr)}${RESET}`;
  const { exitCode } = input.result;
  if (exitCode !== 0)
    text += `${RED}[exit code ${exitCode === null ? "none (ended by a signal)" : exitCode}]${RESET}\r\n`;
  if (input.failure !== undefined) text += `${RED}${terminalLines(input.failure)}${RESET}`;
  return text;
}

export interface ExperimentTerminalSpec {
  /** Identifies the terminal to reuse: one per cluster and experiment. */
  key: string;
  /** The name in the terminal list, as `Open Slurm Terminal` names an experiment's terminal. */
  name: string;
  /** Remote folder the shell starts in. */
  cwd: string | undefined;
}

/** The experiment's terminal on a cluster, named after the experiment folder. */
export function experimentTerminal(
  cluster: string,
  localExperiment: string,
  remoteFolder: string | undefined,
): ExperimentTerminalSpec {
  return {
    key: `${cluster}\u0000${localExperiment.replace(/[\\/]+$/, "")}`,
    name: `Slurm: ${experimentName(localExperiment)} @ ${cluster}`,
    cwd: remoteFolder,
  };
}

/**
 * Where the terminal of a submission starts: the experiment folder once it exists (a run, or a
 * build that succeeded), else the folder the command ran in.
 */
export function submissionTerminalFolder(
  kind: "run" | "build" | "build-run",
  plan: Pick<SlurmCommandPlan, "experimentPath" | "cwd">,
  exitCode: number | null,
): string | undefined {
  if (kind === "run" || exitCode === 0) return plan.experimentPath;
  return plan.cwd;
}

/** Open terminals by key, so a second submission of the same experiment writes into the first one's. */
export class TerminalRegistry<T> {
  private readonly byKey = new Map<string, T>();

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  set(key: string, terminal: T): void {
    this.byKey.set(key, terminal);
  }

  /** The terminal was closed: it can no longer be reused. */
  forget(terminal: T): void {
    for (const [key, value] of this.byKey) if (value === terminal) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
