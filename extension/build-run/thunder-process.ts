/**
 * Runs the thunder CLI with an argument array (never a shell string) and collects its output, so a
 * build's error text can be recognised and shown. Used for builds; runs go through VS Code tasks.
 */
import { spawn } from "node:child_process";
import { shJoin } from "../remote/posix-quote";

export interface ThunderInvocation {
  executable: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export interface ThunderOutcome {
  /** null when the process was ended by a signal or could not start. */
  exitCode: number | null;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  durationMs: number;
  /** Set when the program could not be started at all (ENOENT, EACCES, ...). */
  startError?: string;
}

/** The command line as a user could paste it into a POSIX shell (for the log only). */
export function commandLineForLog(invocation: ThunderInvocation): string {
  return shJoin([invocation.executable, ...invocation.args]);
}

export function runThunderProcess(
  invocation: ThunderInvocation,
  onOutput?: (chunk: string) => void,
): Promise<ThunderOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = "";
    let settled = false;
    const finish = (outcome: Omit<ThunderOutcome, "durationMs" | "output">) => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, output, durationMs: Date.now() - started });
    };
    const child = spawn(invocation.executable, [...invocation.args], {
      cwd: invocation.cwd,
      env: invocation.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
    });
    const collect = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      onOutput?.(text);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (error) => finish({ exitCode: null, startError: error.message }));
    child.once("close", (code) => finish({ exitCode: code }));
  });
}

/** The last lines of the output that say what went wrong (tracebacks end with the message). */
export function lastErrorLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "Aborted!");
  return lines.at(-1);
}
