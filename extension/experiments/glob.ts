/**
 * Exclude globs for the experiment scanner, on `/`-separated paths relative to a root: `*` and `?`
 * stay inside one path segment, `**` spans segments, `{a,b}` and `[abc]` work as usual. A pattern
 * without `/` matches a single segment at any depth (`wandb` skips every folder named wandb).
 */

export type PathMatcher = (relativePath: string) => boolean;

export function globToRegExp(pattern: string): RegExp {
  let source = "";
  let braceDepth = 0;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index];
    if (character === "*") {
      if (pattern[index + 1] === "*") {
        const slashAfter = pattern[index + 2] === "/";
        source += slashAfter ? "(?:.*/)?" : ".*";
        index += slashAfter ? 2 : 1;
      } else source += "[^/]*";
    } else if (character === "?") source += "[^/]";
    else if (character === "{") {
      braceDepth += 1;
      source += "(?:";
    } else if (character === "}" && braceDepth > 0) {
      braceDepth -= 1;
      source += ")";
    } else if (character === "," && braceDepth > 0) source += "|";
    else if (character === "[") {
      const end = pattern.indexOf("]", index + 1);
      if (end === -1) source += "\\[";
      else {
        const body = pattern.slice(index + 1, end).replace(/\\/g, "\\\\");
        source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        index = end;
      }
    } else source += character.replace(/[.+^$()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** One matcher for many patterns; empty patterns are ignored. */
export function createPathMatcher(patterns: readonly string[]): PathMatcher {
  const wholePath: RegExp[] = [];
  const segment: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim().replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
    if (pattern === "") continue;
    (pattern.includes("/") ? wholePath : segment).push(globToRegExp(pattern));
  }
  return (relativePath) => {
    const normalized = relativePath.replace(/\\/g, "/");
    if (wholePath.some((regex) => regex.test(normalized))) return true;
    if (segment.length === 0) return false;
    return normalized.split("/").some((part) => segment.some((regex) => regex.test(part)));
  };
}
