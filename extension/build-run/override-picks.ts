/**
 * The overrides picker of a build: which config entries can be overridden (from the language
 * server's `thunder/configEntries`) with their current values, and how a typed value will reach
 * the config (the PyYAML 1.1 reading, with its traps spelled out).
 */
import * as path from "node:path";
import type { ConfigEntry } from "../../language-server/protocol";
import { splitOverride } from "../overrides/override-validation";
import { interpretOverrideValue } from "../overrides/pyyaml-value";

export interface OverridePick {
  name: string;
  /** The current value, on one line and shortened. */
  currentValue: string;
  /** "inherited from base.config", or "" for the config's own entries. */
  origin: string;
  inherited: boolean;
  /** The value remembered from the last build of this config, if any. */
  remembered?: string;
}

const MAX_VALUE_LENGTH = 60;

/** Entries that `-u` can replace: not imports and not the placeholders build fills in itself. */
export function overridePicks(
  entries: readonly ConfigEntry[],
  remembered: readonly string[],
): OverridePick[] {
  const rememberedValues = new Map<string, string>();
  for (const text of remembered) {
    const split = splitOverride(text);
    if (split !== undefined) rememberedValues.set(split.name, split.value);
  }
  return entries
    .filter((entry) => entry.kind === "assignment" || entry.kind === "function")
    .map((entry) => {
      const pick: OverridePick = {
        name: entry.name,
        currentValue: oneLine(entry.value),
        origin: entry.inherited ? `inherited from ${fileNameOf(entry.definedIn)}` : "",
        inherited: entry.inherited,
      };
      const value = rememberedValues.get(entry.name);
      if (value !== undefined) pick.remembered = value;
      return pick;
    });
}

/** How thunder will read VALUE: `0.01 → float 0.01`, plus warnings about YAML 1.1 traps. */
export function describeOverrideValue(value: string): { ok: boolean; summary: string; warnings: string[] } {
  const interpreted = interpretOverrideValue(value);
  if (!interpreted.ok) return { ok: false, summary: interpreted.message, warnings: [] };
  return {
    ok: true,
    summary: `thunder reads this as ${interpreted.type} ${interpreted.display}`,
    warnings: interpreted.warnings.map((warning) => warning.message),
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_VALUE_LENGTH ? `${flat.slice(0, MAX_VALUE_LENGTH - 1)}…` : flat;
}

function fileNameOf(uri: string): string {
  try {
    return path.basename(new URL(uri).pathname);
  } catch {
    return path.basename(uri);
  }
}
