/**
 * Asks the user's Python for its `sys.path` (where lazycon looks for `from pkg.mod import *`
 * parents). Runs asynchronously with an argument array and a timeout; never throws.
 */
import { execFile } from "node:child_process";

export const defaultPythonPath = process.platform === "win32" ? "python" : "python3";
const script = "import sys, json; print(json.dumps(sys.path))";

export type SysPathResult = { ok: true; sysPath: string[] } | { ok: false; error: string };

export function querySysPath(pythonPath: string, timeoutMs = 5000): Promise<SysPathResult> {
  return new Promise((resolvePromise) => {
    try {
      execFile(
        pythonPath,
        ["-c", script],
        { timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            const reason = error.killed
              ? `did not answer within ${timeoutMs / 1000} s`
              : String(stderr).trim() || error.message;
            resolvePromise({ ok: false, error: `cannot read sys.path from "${pythonPath}": ${reason}` });
            return;
          }
          resolvePromise(parseSysPath(String(stdout), pythonPath));
        },
      );
    } catch (error) {
      resolvePromise({ ok: false, error: `cannot run "${pythonPath}": ${String(error)}` });
    }
  });
}

export function parseSysPath(stdout: string, pythonPath: string): SysPathResult {
  try {
    const value: unknown = JSON.parse(stdout.trim().split("\n").pop() ?? "");
    if (Array.isArray(value) && value.every((entry) => typeof entry === "string")) {
      // "" stands for the current directory of `python -c`, which means nothing to the server.
      return { ok: true, sysPath: value.filter((entry) => entry !== "") };
    }
  } catch {
    // fall through to the error below
  }
  return { ok: false, error: `"${pythonPath}" printed something that is not a sys.path list` };
}
