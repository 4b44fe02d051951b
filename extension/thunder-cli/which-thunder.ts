/**
 * Which `thunder` executable to run: the selected Python environment's own script first (so runs
 * use the interpreter the user picked), then the `thunder.executable` setting, then PATH.
 * Whether a candidate is executable is asked through an injected function (fs access in the
 * extension, a fake in tests).
 */
import { constants, promises as fs } from "node:fs";
import * as path from "node:path";

export type ThunderSource = "python-environment" | "setting" | "path";

export interface ThunderCandidate {
  path: string;
  source: ThunderSource;
}

export interface ThunderLookup {
  platform: NodeJS.Platform;
  /** Folder holding the selected environment's scripts (`bin`, or `Scripts` on Windows), if any. */
  pythonEnvironmentBinDir?: string;
  /** The `thunder.executable` setting: a path, or a bare command name looked up on PATH. */
  setting?: string;
  /** The PATH variable. */
  pathVariable?: string;
  /** The PATHEXT variable (Windows). */
  pathExtVariable?: string;
  homeDir?: string;
}

/**
 * Where an environment's console scripts live, from its interpreter path (what the Python
 * extension reports): next to the interpreter, except for Windows base/conda installs, whose
 * interpreter sits above `Scripts`.
 */
export function scriptsFolderOfInterpreter(interpreterPath: string, platform: NodeJS.Platform): string {
  if (platform !== "win32") return path.posix.dirname(interpreterPath);
  const folder = path.win32.dirname(interpreterPath);
  return path.win32.basename(folder).toLowerCase() === "scripts"
    ? folder
    : path.win32.join(folder, "Scripts");
}

/** Every place to try, in order, without duplicates. */
export function thunderCandidates(lookup: ThunderLookup): ThunderCandidate[] {
  const windows = lookup.platform === "win32";
  const pathApi = windows ? path.win32 : path.posix;
  const extensions = windows ? windowsExtensions(lookup.pathExtVariable) : [""];
  const candidates: ThunderCandidate[] = [];
  const add = (candidatePath: string, source: ThunderSource) => {
    const key = windows ? candidatePath.toLowerCase() : candidatePath;
    if (!candidates.some((candidate) => (windows ? candidate.path.toLowerCase() : candidate.path) === key)) {
      candidates.push({ path: candidatePath, source });
    }
  };
  const inFolder = (folder: string, command: string, source: ThunderSource) => {
    const hasExtension = windows && pathApi.extname(command) !== "";
    for (const extension of hasExtension ? [""] : extensions)
      add(pathApi.join(folder, command + extension), source);
  };

  if (lookup.pythonEnvironmentBinDir)
    inFolder(lookup.pythonEnvironmentBinDir, "thunder", "python-environment");

  const setting = lookup.setting?.trim();
  const pathFolders = (lookup.pathVariable ?? "")
    .split(windows ? ";" : ":")
    .filter((folder) => folder !== "");
  let commandOnPath = "thunder";
  if (setting) {
    const expanded =
      lookup.homeDir &&
      (setting === "~" || setting.startsWith("~/") || (windows && setting.startsWith("~\\")))
        ? pathApi.join(lookup.homeDir, setting.slice(1))
        : setting;
    const isBareName = !expanded.includes("/") && !(windows && expanded.includes("\\"));
    if (isBareName) commandOnPath = expanded;
    else if (windows && pathApi.extname(expanded) === "") {
      for (const extension of ["", ...extensions]) add(expanded + extension, "setting");
    } else add(expanded, "setting");
  }
  const pathSource: ThunderSource = commandOnPath === "thunder" ? "path" : "setting";
  for (const folder of pathFolders) inFolder(folder, commandOnPath, pathSource);
  return candidates;
}

function windowsExtensions(pathExt: string | undefined): string[] {
  const extensions = (pathExt ?? ".COM;.EXE;.BAT;.CMD")
    .split(";")
    .map((extension) => extension.trim().toLowerCase())
    .filter((extension) => extension.startsWith("."));
  return extensions.length > 0 ? extensions : [".exe"];
}

export type ThunderResolution =
  | { ok: true; executable: ThunderCandidate; tried: ThunderCandidate[] }
  | { ok: false; message: string; tried: ThunderCandidate[] };

/** The first candidate that `isExecutable` accepts, or a message telling the user what to do. */
export async function findThunder(
  lookup: ThunderLookup,
  isExecutable: (candidatePath: string) => Promise<boolean>,
): Promise<ThunderResolution> {
  const tried: ThunderCandidate[] = [];
  for (const candidate of thunderCandidates(lookup)) {
    tried.push(candidate);
    if (await isExecutable(candidate.path)) return { ok: true, executable: candidate, tried };
  }
  const settingNote = lookup.setting?.trim()
    ? ` The thunder.executable setting ("${lookup.setting.trim()}") does not point to a program that can be run.`
    : "";
  const environmentNote = lookup.pythonEnvironmentBinDir
    ? ` It is not installed in the selected Python environment (${lookup.pythonEnvironmentBinDir}).`
    : "";
  return {
    ok: false,
    tried,
    message:
      `Could not find the thunder command.${environmentNote}${settingNote} ` +
      "Install it into your Python environment (3.12+) with `pip install thunder`, or set thunder.executable to its path.",
  };
}

/** The real check for findThunder(): a regular file we may execute (any existing file on Windows). */
export async function isExecutableFile(candidatePath: string): Promise<boolean> {
  try {
    if (!(await fs.stat(candidatePath)).isFile()) return false;
    if (process.platform !== "win32") await fs.access(candidatePath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
