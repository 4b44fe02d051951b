/**
 * What the backend picker of a run offers, in thunder's order of preference: the default first,
 * then the other backends.yml entries, then the built-ins; and the per-run engine option overrides
 * typed as `key=value` words.
 */
import type { BackendsModel } from "../backends/backends-document";
import {
  BUILT_IN_BACKENDS,
  ENGINE_OPTIONS,
  type EngineName,
  isEngineName,
  type OptionValue,
  validateEngineOption,
} from "../backends/engine-options";
import { splitOverride } from "../overrides/override-validation";

export interface BackendChoice {
  name: string;
  engine: string;
  isDefault: boolean;
  builtIn: boolean;
  /** The stored options as `key=value` (for the picker's description). */
  summary: string;
}

export function backendChoices(model: Pick<BackendsModel, "entries" | "defaultName">): BackendChoice[] {
  const builtInNames: readonly string[] = BUILT_IN_BACKENDS;
  const userEntries = model.entries.filter((entry) => !builtInNames.includes(entry.name));
  const choices: BackendChoice[] = userEntries.map((entry) => ({
    name: entry.name,
    engine: entry.engine,
    isDefault: entry.name === model.defaultName,
    builtIn: false,
    summary: entry.options
      .filter((option) => option.value !== null && option.value !== undefined)
      .map((option) => `${option.key}=${option.sourceText}`)
      .join(" "),
  }));
  for (const name of BUILT_IN_BACKENDS) {
    choices.push({ name, engine: name, isDefault: name === model.defaultName, builtIn: true, summary: "" });
  }
  // Stable: the default moves to the front, everything else keeps the file's order.
  return [...choices.filter((choice) => choice.isDefault), ...choices.filter((choice) => !choice.isDefault)];
}

export type EngineOverridesParse =
  | { ok: true; options: Record<string, OptionValue> }
  | { ok: false; message: string };

/**
 * Reads `key=value key=value` (space separated) for one run, each validated like thunder does
 * for the engine. Values cannot contain spaces, which no engine option needs.
 */
export function parseEngineOverrides(engine: string, text: string): EngineOverridesParse {
  if (!isEngineName(engine)) return { ok: false, message: `Unknown engine "${engine}".` };
  const options: Record<string, OptionValue> = {};
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    const split = splitOverride(word);
    if (split === undefined || split.name === "") {
      return { ok: false, message: `"${word}" needs the form key=value (${optionKeys(engine)}).` };
    }
    const result = validateEngineOption(engine, split.name, split.value);
    if (!result.ok) return { ok: false, message: result.message };
    options[split.name] = result.value;
  }
  return { ok: true, options };
}

export function optionKeys(engine: EngineName): string {
  return ENGINE_OPTIONS[engine].map((spec) => spec.key).join(", ");
}
