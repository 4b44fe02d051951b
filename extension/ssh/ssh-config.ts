/**
 * Reads OpenSSH client configuration (`~/.ssh/config`) the way `ssh` does for the few keywords a
 * cluster connection needs: for each keyword the first value obtained wins, and `Host` blocks apply
 * when one of their patterns matches the alias and none of their negated patterns does.
 */

export interface SshHostConfig {
  /** The name the user typed (the `Host` alias). */
  alias: string;
  hostName: string;
  user: string | undefined;
  port: number;
  /** Every IdentityFile that applies, in order, with `~` and tokens expanded. */
  identityFiles: string[];
  /** Raw ProxyJump value (`[user@]host[:port]`, comma-separated hops), or undefined. */
  proxyJump: string | undefined;
  /** `IdentitiesOnly yes`: only the listed identity files, no agent keys. */
  identitiesOnly: boolean;
}

export interface SshConfigEnvironment {
  homeDir: string;
  localUser: string;
  /** Reads an included file; undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
  /** Lists the names in a folder, for `Include` with wildcards; empty when it does not exist. */
  listDir?: (path: string) => string[];
}

interface ConfigLine {
  keyword: string;
  args: string[];
  line: number;
}

/** Splits a config line into keyword and arguments; `Keyword=value` and double quotes allowed. */
function splitLine(text: string): { keyword: string; args: string[] } | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  const match = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/.exec(trimmed);
  if (!match) return undefined;
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quoted = false;
  for (const char of match[2]) {
    if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(char)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else if (!quoted && char === "#" && !inWord) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return { keyword: match[1].toLowerCase(), args };
}

/** `*` matches any run of characters, `?` exactly one; case-insensitive like ssh's host matching. */
export function matchesPattern(value: string, pattern: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${regex}$`, "i").test(value);
}

/** A `Host` line applies when some pattern matches and no negated pattern does. */
export function hostPatternsMatch(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (matchesPattern(host, pattern.slice(1))) return false;
    } else if (matchesPattern(host, pattern)) {
      matched = true;
    }
  }
  return matched;
}

function expandHome(path: string, env: SshConfigEnvironment): string {
  if (path === "~") return env.homeDir;
  if (path.startsWith("~/")) return env.homeDir.replace(/\/$/, "") + path.slice(1);
  return path;
}

function expandTokens(value: string, tokens: Record<string, string>): string {
  return value.replace(/%(.)/g, (whole, letter: string) => tokens[letter] ?? whole);
}

/** Resolves `Include` lines; relative paths are relative to `~/.ssh` as in user configs. */
function flatten(text: string, env: SshConfigEnvironment, depth = 0): ConfigLine[] {
  const lines: ConfigLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const parsed = splitLine(raw);
    if (!parsed) return;
    if (parsed.keyword !== "include") {
      lines.push({ ...parsed, line: index + 1 });
      return;
    }
    // ssh stops at 16 levels; deeper is almost certainly a loop.
    if (depth >= 16 || !env.readFile) return;
    for (const arg of parsed.args) {
      let path = expandHome(arg, env);
      if (!path.startsWith("/")) path = `${env.homeDir.replace(/\/$/, "")}/.ssh/${path}`;
      for (const file of expandGlob(path, env)) {
        const included = env.readFile(file);
        if (included !== undefined) lines.push(...flatten(included, env, depth + 1));
      }
    }
  });
  return lines;
}

/** Wildcards are only supported in the last path component, which covers `config.d/*`. */
function expandGlob(path: string, env: SshConfigEnvironment): string[] {
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  if (!/[*?]/.test(name) || !env.listDir) return [path];
  const folder = path.slice(0, slash);
  return env
    .listDir(folder)
    .filter((entry) => matchesPattern(entry, name))
    .sort()
    .map((entry) => `${folder}/${entry}`);
}

/** The host config `ssh <alias>` would use, given the text of `~/.ssh/config`. */
export function resolveHostConfig(
  configText: string,
  alias: string,
  env: SshConfigEnvironment,
): SshHostConfig {
  const values = new Map<string, string[]>();
  const identityFiles: string[] = [];
  let applies = true; // lines before the first Host/Match apply to every host
  for (const { keyword, args } of flatten(configText, env)) {
    if (keyword === "host") {
      applies = hostPatternsMatch(alias, args);
      continue;
    }
    if (keyword === "match") {
      // `Match all` is the only Match we can evaluate without running ssh; skip the others' lines.
      applies = args.length === 1 && args[0].toLowerCase() === "all";
      continue;
    }
    if (!applies || args.length === 0) continue;
    if (keyword === "identityfile") identityFiles.push(args[0]);
    else if (!values.has(keyword)) values.set(keyword, args);
  }

  const hostName = expandTokens(values.get("hostname")?.[0] ?? alias, { h: alias, "%": "%" });
  const user = values.get("user")?.[0];
  const portText = values.get("port")?.[0];
  const port = portText !== undefined && /^\d+$/.test(portText) ? Number(portText) : 22;
  const tokens: Record<string, string> = {
    h: hostName,
    n: alias,
    p: String(port),
    r: user ?? env.localUser,
    u: env.localUser,
    d: env.homeDir,
    "%": "%",
  };
  const proxyJump = values.get("proxyjump")?.[0];
  return {
    alias,
    hostName,
    user,
    port,
    identityFiles: identityFiles.map((file) => expandHome(expandTokens(file, tokens), env)),
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === "none" ? undefined : proxyJump,
    identitiesOnly: values.get("identitiesonly")?.[0]?.toLowerCase() === "yes",
  };
}

/** Host aliases written out in the config (no wildcards or negations): candidates for a cluster list. */
export function listHostAliases(configText: string, env: SshConfigEnvironment): string[] {
  const aliases: string[] = [];
  for (const { keyword, args } of flatten(configText, env)) {
    if (keyword !== "host") continue;
    for (const pattern of args) {
      if (!/[*?!]/.test(pattern) && !aliases.includes(pattern)) aliases.push(pattern);
    }
  }
  return aliases;
}

export interface JumpHost {
  user: string | undefined;
  host: string;
  port: number | undefined;
}

/** Parses a ProxyJump value `[user@]host[:port][,...]` (also `ssh://user@host:port`) into hops. */
export function parseProxyJump(value: string): JumpHost[] {
  return value.split(",").map((hop) => {
    let rest = hop.trim().replace(/^ssh:\/\//, "");
    let user: string | undefined;
    const at = rest.lastIndexOf("@");
    if (at >= 0) {
      user = rest.slice(0, at);
      rest = rest.slice(at + 1);
    }
    let port: number | undefined;
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(rest);
    if (bracketed) {
      rest = bracketed[1];
      port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
    } else {
      const colon = /^(.*):(\d+)$/.exec(rest);
      if (colon) {
        rest = colon[1];
        port = Number(colon[2]);
      }
    }
    if (rest === "") throw new Error(`ProxyJump "${value}" has a hop without a host name.`);
    return { user, host: rest, port };
  });
}
