/**
 * Where Slurm commands run: on a cluster over SSH (the connection's `exec`), or on this machine when
 * VS Code itself runs on a login node. Both take argument arrays, never shell strings.
 */
import { execFile } from "node:child_process";
import * as os from "node:os";
import type { ExecResult } from "../ssh/connection";

export interface RunnerExecOptions {
  /** `~` and `~/...` are the home folder. */
  cwd?: string;
  setupLines?: readonly string[];
  timeoutMs?: number;
}

export interface CommandRunner {
  readonly clusterName: string;
  exec(args: readonly string[], options?: RunnerExecOptions): Promise<ExecResult>;
}

/** The cluster name used for jobs submitted with this machine's own `sbatch`. */
export const LOCAL_CLUSTER = "this machine";

export function expandHome(path: string, home = os.homedir()): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return `${home}/${path.slice(2)}`;
  return path;
}

/** Runs Slurm commands here. Setup lines need a shell and are for clusters only, so they are refused. */
export class LocalRunner implements CommandRunner {
  readonly clusterName = LOCAL_CLUSTER;

  exec(args: readonly string[], options: RunnerExecOptions = {}): Promise<ExecResult> {
    if (args.length === 0) return Promise.reject(new Error("No command given."));
    if ((options.setupLines ?? []).length > 0) {
      return Promise.reject(new Error("Setup lines only apply to clusters reached over SSH."));
    }
    return new Promise((resolve) => {
      execFile(
        args[0],
        args.slice(1),
        {
          cwd: options.cwd === undefined ? undefined : expandHome(options.cwd),
          timeout: options.timeoutMs,
          maxBuffer: 64 * 1024 * 1024,
          encoding: "utf8",
        },
        (error, stdout, stderr) => {
          if (error && typeof error.code === "string") {
            // Could not start (ENOENT, EACCES, a missing cwd): report it the way a shell would.
            resolve({ stdout, stderr: `${stderr}${error.message}\n`, exitCode: 127, signal: undefined });
            return;
          }
          const exitCode = error ? (typeof error.code === "number" ? error.code : null) : 0;
          resolve({ stdout, stderr, exitCode, signal: error?.signal ?? undefined });
        },
      );
    });
  }
}
