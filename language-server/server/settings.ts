/**
 * Reading the `thunder` settings a client sends (VS Code's `workspace/configuration`, or a
 * plain object in initializationOptions / didChangeConfiguration from other editors).
 * Bad values are reported and skipped, never thrown.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export interface ThunderSettings {
  /** Shortcut name -> folder, as the user wrote it. */
  configShortcuts: Record<string, string>;
  /** Python executable whose sys.path is searched for parent configs; undefined = default. */
  pythonPath: string | undefined;
}

export interface SettingsReading {
  settings: ThunderSettings;
  /** Human-readable reasons why parts of the input were ignored. */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Accepts `{ configShortcuts, pythonPath }` (the `thunder` section itself), `{ thunder: {...} }`,
 * or flat dotted keys `{ "thunder.configShortcuts": ... }`. Anything else gives defaults.
 */
export function readThunderSettings(raw: unknown): SettingsReading {
  const problems: string[] = [];
  const settings: ThunderSettings = { configShortcuts: {}, pythonPath: undefined };
  if (!isRecord(raw)) return { settings, problems };
  const section = isRecord(raw.thunder) ? raw.thunder : raw;
  const shortcuts = section.configShortcuts ?? raw["thunder.configShortcuts"];
  const pythonPath = section.pythonPath ?? raw["thunder.pythonPath"];

  if (isRecord(shortcuts)) {
    for (const [name, folder] of Object.entries(shortcuts)) {
      if (typeof folder === "string" && folder.trim() !== "" && name.trim() !== "") {
        settings.configShortcuts[name] = folder;
      } else {
        problems.push(`thunder.configShortcuts: ignoring "${name}": the folder must be a non-empty string`);
      }
    }
  } else if (shortcuts !== undefined && shortcuts !== null) {
    problems.push(
      "thunder.configShortcuts must be an object mapping a shortcut name to a folder; ignoring it",
    );
  }

  if (typeof pythonPath === "string") {
    if (pythonPath.trim() !== "") settings.pythonPath = pythonPath.trim();
  } else if (pythonPath !== undefined && pythonPath !== null) {
    problems.push("thunder.pythonPath must be a string (a python executable); ignoring it");
  }
  return { settings, problems };
}

/** `~/x` and folder-relative paths become absolute, so that the service only sees absolute folders. */
export function resolveFolderSetting(folder: string, baseFolder: string | undefined): string {
  if (folder === "~") return homedir();
  if (folder.startsWith("~/")) return join(homedir(), folder.slice(2));
  if (isAbsolute(folder) || baseFolder === undefined) return resolve(folder);
  return resolve(baseFolder, folder);
}

export interface ScopedSettings {
  /** The workspace folder these settings belong to (absolute path), if any. */
  folder: string | undefined;
  settings: ThunderSettings;
}

/**
 * The service has one set of settings for all folders: shortcuts are merged (the first folder
 * that defines a name wins) and the first pythonPath given is used.
 */
export function mergeScopedSettings(scoped: ScopedSettings[]): {
  shortcuts: Record<string, string>;
  pythonPath: string | undefined;
} {
  const shortcuts: Record<string, string> = {};
  let pythonPath: string | undefined;
  for (const { folder, settings } of scoped) {
    for (const [name, target] of Object.entries(settings.configShortcuts)) {
      if (!(name in shortcuts)) shortcuts[name] = resolveFolderSetting(target, folder);
    }
    pythonPath ??= settings.pythonPath;
  }
  return { shortcuts, pythonPath };
}
