/**
 * Checks `-u NAME=VALUE` overrides before a build: thunder splits at the first `=`, reads VALUE
 * with PyYAML, and fails the whole build when NAME is not an entry of the config.
 */
import type { ConfigEntriesResult } from "../../language-server/protocol";
import { interpretOverrideValue, type OverrideValue } from "./pyyaml-value";

export interface ParsedOverride {
  /** The text as the user gave it (what goes after `-u`). */
  text: string;
  name: string;
  value: string;
  /** What thunder will make of the value. */
  interpreted: OverrideValue;
}

export type OverrideProblemCode = "no-equals" | "empty-name" | "unknown-name" | "invalid-value" | "duplicate";

export interface OverrideProblem {
  /** Index of the override in the input list. */
  index: number;
  code: OverrideProblemCode;
  severity: "error" | "warning";
  message: string;
}

export interface OverrideCheck {
  overrides: ParsedOverride[];
  problems: OverrideProblem[];
  /** thunder's own error for the unknown names, when there are any. */
  thunderMessage?: string;
}

/** Names `-u` can set: every entry of the config, own or inherited (the `thunder/configEntries` answer). */
export function overridableNames(result: ConfigEntriesResult): string[] {
  return result.entries.map((entry) => entry.name);
}

/** Splits `NAME=VALUE` at the first `=` (values may contain `=`). */
export function splitOverride(text: string): { name: string; value: string } | undefined {
  const at = text.indexOf("=");
  if (at === -1) return undefined;
  return { name: text.slice(0, at), value: text.slice(at + 1) };
}

/**
 * Validates overrides against the entry names of the config (from `thunder/configEntries`).
 * Errors are what thunder would fail on; warnings are values that are read differently from what
 * they look like (see pyyaml-value.ts) and names given twice (the last one wins).
 */
export function checkOverrides(texts: readonly string[], entryNames: Iterable<string>): OverrideCheck {
  const known = new Set(entryNames);
  const overrides: ParsedOverride[] = [];
  const problems: OverrideProblem[] = [];
  const missing: string[] = [];
  const lastIndexByName = new Map<string, number>();

  texts.forEach((text, index) => {
    const split = splitOverride(text);
    if (split === undefined) {
      problems.push({
        index,
        code: "no-equals",
        severity: "error",
        message: `"${text}" needs the form NAME=VALUE.`,
      });
      return;
    }
    const { name, value } = split;
    if (name === "") {
      problems.push({
        index,
        code: "empty-name",
        severity: "error",
        message: `"${text}" has no name before "=".`,
      });
      return;
    }
    const interpreted = interpretOverrideValue(value);
    overrides.push({ text, name, value, interpreted });
    if (!known.has(name)) {
      if (!missing.includes(name)) missing.push(name);
      const trimmed = name.trim();
      const hint =
        trimmed !== name && known.has(trimmed) ? ` Did you mean "${trimmed}" (without the spaces)?` : "";
      problems.push({
        index,
        code: "unknown-name",
        severity: "error",
        message: `"${name}" is not an entry of this config, so thunder would stop the build.${hint}`,
      });
    }
    if (!interpreted.ok) {
      problems.push({
        index,
        code: "invalid-value",
        severity: "error",
        message: `${name}: ${interpreted.message}`,
      });
    } else {
      for (const warning of interpreted.warnings) {
        problems.push({
          index,
          code: "invalid-value",
          severity: "warning",
          message: `${name}: ${warning.message}`,
        });
      }
    }
    const earlier = lastIndexByName.get(name);
    if (earlier !== undefined) {
      problems.push({
        index: earlier,
        code: "duplicate",
        severity: "warning",
        message: `${name} is set again later; only the last value is used.`,
      });
    }
    lastIndexByName.set(name, index);
  });

  const result: OverrideCheck = { overrides, problems };
  if (missing.length > 0)
    result.thunderMessage = `The names ${pythonSetRepr(missing)} are missing from the config`;
  return result;
}

/** `{'a', 'b'}` as Python prints a set of strings (sorted here, so the text is stable). */
export function pythonSetRepr(names: readonly string[]): string {
  const quoted = [...names].sort().map((name) => {
    const quote = name.includes("'") && !name.includes('"') ? '"' : "'";
    const escaped = name
      .replace(/\\/g, "\\\\")
      .replace(new RegExp(quote, "g"), `\\${quote}`)
      .replace(/\n/g, "\\n");
    return `${quote}${escaped}${quote}`;
  });
  return `{${quoted.join(", ")}}`;
}
