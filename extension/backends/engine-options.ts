/**
 * The engines thunder knows (`cli`, `slurm`), their options and CLI flags, validation of option
 * values the way thunder accepts them, and which backend a run ends up using.
 */

export type EngineName = "cli" | "slurm";
export const ENGINE_NAMES: readonly EngineName[] = ["cli", "slurm"];

export type OptionKind = "int" | "positive-int" | "string" | "ram" | "time";

export interface EngineOptionSpec {
  key: string;
  /** Flags `thunder run` accepts; the first one is the one we emit. */
  flags: readonly string[];
  kind: OptionKind;
  description: string;
}

export const ENGINE_OPTIONS: Readonly<Record<EngineName, readonly EngineOptionSpec[]>> = {
  cli: [
    {
      key: "n_workers",
      flags: ["--n-workers"],
      kind: "int",
      description: "How many nodes (folds) run in parallel as separate processes (default 1).",
    },
  ],
  slurm: [
    {
      key: "ram",
      flags: ["--ram", "--mem", "-r"],
      kind: "ram",
      description: "Memory per node for sbatch --mem: a number of megabytes or a number with K/M/G/T.",
    },
    { key: "cpu", flags: ["--cpu", "--cpus-per-task", "-c"], kind: "int", description: "CPUs per task." },
    { key: "gpu", flags: ["--gpu", "--gpus-per-node", "-g"], kind: "int", description: "GPUs per node." },
    { key: "partition", flags: ["--partition", "-p"], kind: "string", description: "Slurm partition." },
    {
      key: "nodelist",
      flags: ["--nodelist"],
      kind: "string",
      description: "Hosts to use, e.g. host[1-5,7].",
    },
    {
      key: "time",
      flags: ["--time", "-t"],
      kind: "time",
      description: "Time limit: D-HH:MM:SS, HH:MM, HH:MM:SS, or a human form such as 5d, 2h30m, 90s.",
    },
    {
      key: "limit",
      flags: ["--limit"],
      kind: "positive-int",
      description: "At most this many array tasks (nodes) at once.",
    },
  ],
};

export const BUILT_IN_BACKENDS: readonly EngineName[] = ENGINE_NAMES;

export function isEngineName(value: unknown): value is EngineName {
  return value === "cli" || value === "slurm";
}

export function findOptionSpec(engine: EngineName, key: string): EngineOptionSpec | undefined {
  return ENGINE_OPTIONS[engine].find((spec) => spec.key === key);
}

export type OptionValue = string | number;

export type ValidationResult = { ok: true; value: OptionValue } | { ok: false; message: string };

/**
 * Checks one engine option. `value` is what YAML produced (number, string, boolean, ...) or the
 * text a user typed; the result is the value to store / pass on (ints as numbers, `time` in a
 * form Slurm takes). `sourceText` is the value as written in the file, for messages about YAML
 * reading something other than what the user meant.
 */
export function validateEngineOption(
  engine: EngineName,
  key: string,
  value: unknown,
  sourceText?: string,
): ValidationResult {
  const spec = findOptionSpec(engine, key);
  if (spec === undefined) {
    const known = ENGINE_OPTIONS[engine].map((option) => option.key).join(", ");
    return { ok: false, message: `Unknown option "${key}" for the ${engine} engine; it accepts: ${known}.` };
  }
  switch (spec.kind) {
    case "int":
      return validateInt(key, value, false);
    case "positive-int":
      return validateInt(key, value, true);
    case "string":
      return validateString(key, value);
    case "ram":
      return validateRam(value);
    case "time":
      return validateTime(value, sourceText);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "object") return Array.isArray(value) ? "a list" : "a mapping";
  return String(value);
}

function validateInt(key: string, value: unknown, positive: boolean): ValidationResult {
  let parsed: number | undefined;
  if (typeof value === "number" && Number.isSafeInteger(value)) parsed = value;
  else if (typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value)) parsed = Number(value.trim());
  if (parsed === undefined || !Number.isSafeInteger(parsed)) {
    return { ok: false, message: `"${key}" must be a whole number, not ${describe(value)}.` };
  }
  if (positive && parsed <= 0) {
    return { ok: false, message: `"${key}" must be a whole number greater than 0, not ${parsed}.` };
  }
  return { ok: true, value: parsed };
}

function validateString(key: string, value: unknown): ValidationResult {
  if (typeof value === "number" && Number.isFinite(value)) return { ok: true, value: String(value) };
  if (typeof value !== "string" || value.trim() === "") {
    return { ok: false, message: `"${key}" must be a non-empty text, not ${describe(value)}.` };
  }
  return { ok: true, value };
}

const RAM_PATTERN = /^\d+[KMGTkmgt]?$/;

function validateRam(value: unknown): ValidationResult {
  const text = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof text !== "string" || !RAM_PATTERN.test(text.trim())) {
    return {
      ok: false,
      message: `"ram" must be a whole number of megabytes or a number with K, M, G or T (e.g. 100G), not ${describe(value)}.`,
    };
  }
  return { ok: true, value: text.trim() };
}

const SLURM_TIME_FORMS = [/^\d+-\d{1,2}:\d{2}:\d{2}$/, /^\d{1,2}:\d{2}$/, /^\d{1,2}:\d{2}:\d{2}$/];
const HUMAN_TIME = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i;

/** `time` as Slurm takes it: the Slurm forms as they are, human forms (`2h30m`) as D-HH:MM:SS. */
export function normalizeSlurmTime(text: string): ValidationResult {
  const trimmed = text.trim();
  if (SLURM_TIME_FORMS.some((form) => form.test(trimmed))) return { ok: true, value: trimmed };
  const human = HUMAN_TIME.exec(trimmed);
  if (trimmed !== "" && human !== null) {
    const [days, hours, minutes, seconds] = human.slice(1).map((part) => Number(part ?? 0));
    let total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
    if (total <= 0) return { ok: false, message: `"time" must be longer than zero, not "${trimmed}".` };
    const secondsPart = total % 60;
    total = (total - secondsPart) / 60;
    const minutesPart = total % 60;
    total = (total - minutesPart) / 60;
    const hoursPart = total % 24;
    const daysPart = (total - hoursPart) / 24;
    const pad = (part: number) => String(part).padStart(2, "0");
    return { ok: true, value: `${daysPart}-${pad(hoursPart)}:${pad(minutesPart)}:${pad(secondsPart)}` };
  }
  return {
    ok: false,
    message: `"time" must look like D-HH:MM:SS, HH:MM or HH:MM:SS, or like 5d, 2h30m, 90s, not "${trimmed}".`,
  };
}

function validateTime(value: unknown, sourceText?: string): ValidationResult {
  if (typeof value === "number" && sourceText !== undefined && sourceText.includes(":")) {
    // YAML 1.1 (what thunder's PyYAML reads) turns an unquoted 10:00 into the base-60 number 600.
    return {
      ok: false,
      message: `YAML reads the unquoted time ${sourceText} as the number ${value}; put it in quotes: "${sourceText}".`,
    };
  }
  if (typeof value !== "string") {
    return {
      ok: false,
      message: `"time" must be a text such as "1-00:00:00" or "2h30m", not ${describe(value)}.`,
    };
  }
  return normalizeSlurmTime(value);
}

/** What a run needs to know about backends.yml (see backends-file.ts for the full model). */
export interface BackendChoices {
  entries: readonly { name: string; engine: string; options: Readonly<Record<string, unknown>> }[];
  defaultName?: string;
}

export type BackendChoiceReason = "explicit" | "default" | "only-entry" | "no-entries";

export type RunBackendResolution =
  | {
      ok: true;
      name: string;
      engine: string;
      /** Options stored in backends.yml (empty for a built-in). */
      options: Readonly<Record<string, unknown>>;
      builtIn: boolean;
      reason: BackendChoiceReason;
    }
  | { ok: false; message: string };

/**
 * Which backend `thunder run` uses: `--backend` if given; else `meta.default`; else the only
 * user-defined entry; several entries and no default fail like thunder; none means built-in `cli`.
 */
export function resolveRunBackend(file: BackendChoices, explicit?: string): RunBackendResolution {
  const byName = (name: string, reason: BackendChoiceReason): RunBackendResolution => {
    const entry = file.entries.find((candidate) => candidate.name === name);
    if (entry !== undefined) {
      return { ok: true, name, engine: entry.engine, options: entry.options, builtIn: false, reason };
    }
    if (isEngineName(name)) return { ok: true, name, engine: name, options: {}, builtIn: true, reason };
    const known = [...file.entries.map((candidate) => candidate.name), ...BUILT_IN_BACKENDS].join(", ");
    const where =
      reason === "default" ? `The default backend "${name}" (meta.default)` : `The backend "${name}"`;
    return { ok: false, message: `${where} is not defined in backends.yml. Known backends: ${known}.` };
  };
  if (explicit !== undefined && explicit !== "") return byName(explicit, "explicit");
  if (file.defaultName !== undefined && file.defaultName !== "") return byName(file.defaultName, "default");
  if (file.entries.length === 1) return byName(file.entries[0].name, "only-entry");
  if (file.entries.length > 1) {
    return {
      ok: false,
      message:
        "Missing option '--backend'. backends.yml defines several backends and no default: choose one for this run or set a default.",
    };
  }
  return { ok: true, name: "cli", engine: "cli", options: {}, builtIn: true, reason: "no-entries" };
}
