/**
 * VS Code side of "which thunder": asks the Python extension (when installed) for the active
 * environment's scripts folder, reads the `thunder.executable` setting and PATH, and hands them to
 * the pure lookup in thunder-cli/which-thunder.ts.
 */
import { constants, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { findThunder, type ThunderResolution } from "../thunder-cli/which-thunder";

const pythonExtensionId = "ms-python.python";

export async function locateThunder(resource: vscode.Uri | undefined): Promise<ThunderResolution> {
  const setting = vscode.workspace.getConfiguration("thunder", resource).get<string>("executable", "");
  return findThunder(
    {
      platform: process.platform,
      pythonEnvironmentBinDir: await pythonEnvironmentBinDir(resource),
      setting,
      pathVariable: process.env.PATH,
      pathExtVariable: process.env.PATHEXT,
      homeDir: os.homedir(),
    },
    isExecutableFile,
  );
}

async function pythonEnvironmentBinDir(resource: vscode.Uri | undefined): Promise<string | undefined> {
  // The Python extension is optional: without it the setting and PATH decide.
  if (vscode.extensions.getExtension(pythonExtensionId) === undefined) return undefined;
  try {
    const { PythonExtension } = await import("@vscode/python-extension");
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(active);
    const executable = environment?.executable.uri?.fsPath;
    return executable === undefined ? undefined : path.dirname(executable);
  } catch {
    return undefined;
  }
}

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    const stat = await fs.stat(candidate);
    if (!stat.isFile()) return false;
    if (process.platform !== "win32") await fs.access(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
