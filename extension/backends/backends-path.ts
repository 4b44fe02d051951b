/**
 * Where thunder keeps `backends.yml`: click's app dir for "thunder" on each OS, unless the
 * user points the extension elsewhere with a setting.
 */
import * as path from "node:path";

export interface BackendsPathEnvironment {
  platform: NodeJS.Platform;
  homeDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

export const BACKENDS_FILE_NAME = "backends.yml";

/** The file thunder itself reads on this OS. */
export function defaultBackendsPath(environment: BackendsPathEnvironment): string {
  const { platform, homeDir, env } = environment;
  if (platform === "win32") {
    // click falls back to the home folder when APPDATA is not set.
    const appData = nonEmpty(env.APPDATA) ?? homeDir;
    return path.win32.join(appData, "thunder", BACKENDS_FILE_NAME);
  }
  if (platform === "darwin") {
    return path.posix.join(homeDir, "Library", "Application Support", "thunder", BACKENDS_FILE_NAME);
  }
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? path.posix.join(homeDir, ".config");
  return path.posix.join(configHome, "thunder", BACKENDS_FILE_NAME);
}

/**
 * The file the extension should use: the setting when it is filled in (a leading `~` means the
 * home folder, as users expect from a shell), else thunder's own location.
 */
export function resolveBackendsPath(
  settingValue: string | undefined,
  environment: BackendsPathEnvironment,
): string {
  const pathApi = environment.platform === "win32" ? path.win32 : path.posix;
  const setting = nonEmpty(settingValue?.trim());
  if (setting === undefined) return defaultBackendsPath(environment);
  if (setting === "~") return environment.homeDir;
  if (setting.startsWith("~/") || (environment.platform === "win32" && setting.startsWith("~\\"))) {
    return pathApi.join(environment.homeDir, setting.slice(2));
  }
  return pathApi.normalize(setting);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
