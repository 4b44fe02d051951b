/**
 * Reads what a user pastes to name a W&B sweep: W&B's own `wandb agent ENTITY/PROJECT/ID`
 * line (as printed by `wandb sweep`), `PROJECT/ID`, a bare sweep path or the sweep's web URL.
 *
 * The text is never handed to a shell: it is recognised token by token, and anything that
 * would make a shell do more than start one agent (chaining, substitution, redirection,
 * several lines) is refused with a message saying what was found.
 */

export interface SweepReference {
  entity?: string;
  project: string;
  sweepId: string;
  /** Canonical sweep path as thunder and W&B take it: `ENTITY/PROJECT/ID` or `PROJECT/ID`. */
  path: string;
  /** `--count N` from the pasted command (runs per agent); thunder's agent has no such flag. */
  count?: number;
}

export type SweepCommandProblem =
  | "empty"
  | "several-commands"
  | "shell-operator"
  | "command-substitution"
  | "variable"
  | "redirection"
  | "escape"
  | "unbalanced-quote"
  | "not-wandb-agent"
  | "unknown-option"
  | "missing-value"
  | "bad-count"
  | "missing-sweep"
  | "extra-argument"
  | "too-many-parts"
  | "empty-part"
  | "missing-project"
  | "invalid-entity"
  | "invalid-project"
  | "invalid-sweep-id"
  | "conflict";

export type SweepCommandResult =
  | { ok: true; sweep: SweepReference }
  | { ok: false; problem: SweepCommandProblem; message: string };

/** W&B entity and project names: letters, digits, `-`, `_`, `.`. */
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
/** W&B sweep ids: lowercase letters and digits. */
const SWEEP_ID_PATTERN = /^[a-z0-9]+$/;
const MAX_NAME_LENGTH = 128;
const MAX_SWEEP_ID_LENGTH = 64;
const MAX_COUNT = 1_000_000;

const EXPECTED =
  "Paste the command W&B printed, e.g. `wandb agent my-team/my-project/abc123xy`, or just the sweep path.";

function refuse(problem: SweepCommandProblem, message: string): SweepCommandResult {
  return { ok: false, problem, message };
}

/** Shows a user-supplied fragment inside a message without letting control characters through. */
function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** Chat apps and word processors turn quotes and spaces into typographic ones. */
function normaliseTypography(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u00A0\u2007\u202F]/g, " ");
}

/** Splits one command line into words, honouring single and double quotes (no escapes, no expansion). */
function splitWords(line: string): string[] | { unbalanced: string } {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const char = line[i]!;
    if (char === " " || char === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      i++;
    } else if (char === "'" || char === '"') {
      const close = line.indexOf(char, i + 1);
      if (close < 0) return { unbalanced: char };
      current += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else {
      current += char;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Finds what would make a shell do something other than run one plain command. */
function findShellSyntax(line: string): SweepCommandResult | undefined {
  if (line.includes(";"))
    return refuse(
      "several-commands",
      "The text holds several commands (`;`). Paste only the `wandb agent ...` line.",
    );
  if (line.includes("`") || line.includes("$("))
    return refuse(
      "command-substitution",
      "The text contains a command substitution (backticks or `$(...)`); only a plain sweep path is accepted.",
    );
  if (line.includes("$"))
    return refuse(
      "variable",
      "The text contains a shell variable (`$`); write the sweep path out in full instead.",
    );
  if (line.includes("&") || line.includes("|"))
    return refuse(
      "shell-operator",
      "The text chains or pipes commands (`&`, `&&`, `|`, `||`). Paste only the `wandb agent ...` line.",
    );
  if (line.includes("<") || line.includes(">"))
    return refuse(
      "redirection",
      "The text contains a redirection (`<` or `>`). Paste only the `wandb agent ...` line.",
    );
  if (line.includes("\\"))
    return refuse("escape", "The text contains a backslash; a W&B sweep path never needs one.");
  return undefined;
}

/** `https://wandb.ai/ENTITY/PROJECT/sweeps/ID` (W&B's own page for the sweep) becomes `ENTITY/PROJECT/ID`. */
function sweepPathFromUrl(word: string): string | undefined {
  const match = /^https?:\/\/[^/?#]+\/([^/?#]+)\/([^/?#]+)\/sweeps\/([^/?#]+)\/?(?:[?#].*)?$/.exec(word);
  return match ? `${match[1]}/${match[2]}/${match[3]}` : undefined;
}

function checkName(kind: "entity" | "project", value: string): SweepCommandResult | undefined {
  const problem = kind === "entity" ? "invalid-entity" : "invalid-project";
  if (value.length > MAX_NAME_LENGTH)
    return refuse(problem, `The W&B ${kind} name is longer than ${MAX_NAME_LENGTH} characters.`);
  if (!NAME_PATTERN.test(value)) {
    const bad = [...value].find((char) => !NAME_PATTERN.test(char)) ?? value;
    return refuse(
      problem,
      `The W&B ${kind} ${show(value)} contains ${show(bad)}; ${kind} names use only letters, digits, "-", "_" and ".".`,
    );
  }
  if (/^\.+$/.test(value)) return refuse(problem, `${show(value)} is not a W&B ${kind} name.`);
  return undefined;
}

function checkSweepId(value: string): SweepCommandResult | undefined {
  if (value.length > MAX_SWEEP_ID_LENGTH)
    return refuse("invalid-sweep-id", `The sweep id is longer than ${MAX_SWEEP_ID_LENGTH} characters.`);
  if (!SWEEP_ID_PATTERN.test(value)) {
    const bad = [...value].find((char) => !SWEEP_ID_PATTERN.test(char)) ?? value;
    return refuse(
      "invalid-sweep-id",
      `The sweep id ${show(value)} contains ${show(bad)}; sweep ids are lowercase letters and digits only.`,
    );
  }
  return undefined;
}

interface AgentWords {
  sweepWord: string;
  count?: number;
  entity?: string;
  project?: string;
}

/** Reads the words after `wandb agent`: W&B's `--count`, `-p/--project`, `-e/--entity` and one sweep path. */
function readAgentArguments(words: string[]): AgentWords | SweepCommandResult {
  const positional: string[] = [];
  const options: { count?: string; project?: string; entity?: string } = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("-") || word === "-") {
      positional.push(word);
      continue;
    }
    const [flag, inlineValue] = word.includes("=")
      ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
      : [word, undefined];
    const key =
      flag === "--count"
        ? "count"
        : flag === "--project" || flag === "-p"
          ? "project"
          : flag === "--entity" || flag === "-e"
            ? "entity"
            : undefined;
    if (key === undefined)
      return refuse(
        "unknown-option",
        `The option ${show(flag)} is not supported here; only --count, --project and --entity are.`,
      );
    const value = inlineValue ?? words[++i];
    if (value === undefined || value === "")
      return refuse("missing-value", `The option ${show(flag)} needs a value.`);
    options[key] = value;
  }
  let count: number | undefined;
  if (options.count !== undefined) {
    if (!/^[1-9][0-9]*$/.test(options.count) || Number(options.count) > MAX_COUNT)
      return refuse(
        "bad-count",
        `--count must be a whole number from 1 to ${MAX_COUNT}, not ${show(options.count)}.`,
      );
    count = Number(options.count);
  }
  if (positional.length === 0) return refuse("missing-sweep", `No sweep path was found. ${EXPECTED}`);
  if (positional.length > 1)
    return refuse(
      "extra-argument",
      `Unexpected extra argument ${show(positional[1]!)}: only one sweep path is accepted. ${EXPECTED}`,
    );
  return { sweepWord: positional[0]!, count, entity: options.entity, project: options.project };
}

function buildReference(args: AgentWords): SweepCommandResult {
  const sweepPath = sweepPathFromUrl(args.sweepWord) ?? args.sweepWord;
  const parts = sweepPath.split("/");
  if (parts.length > 3)
    return refuse(
      "too-many-parts",
      `${show(sweepPath)} has ${parts.length} parts; a sweep path is ENTITY/PROJECT/ID or PROJECT/ID.`,
    );
  if (parts.some((part) => part === ""))
    return refuse("empty-part", `${show(sweepPath)} has an empty part; a sweep path is ENTITY/PROJECT/ID.`);
  const sweepId = parts[parts.length - 1]!;
  let project = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  let entity = parts.length === 3 ? parts[0] : undefined;
  for (const [kind, fromPath, fromOption] of [
    ["project", project, args.project],
    ["entity", entity, args.entity],
  ] as const) {
    if (fromPath !== undefined && fromOption !== undefined && fromPath !== fromOption)
      return refuse(
        "conflict",
        `The sweep path names the ${kind} ${show(fromPath)} but --${kind} says ${show(fromOption)}.`,
      );
  }
  project ??= args.project;
  entity ??= args.entity;
  if (project === undefined)
    return refuse(
      "missing-project",
      `The sweep ${show(sweepId)} needs its project: paste PROJECT/${sweepId} or ENTITY/PROJECT/${sweepId}.`,
    );
  const invalid =
    (entity !== undefined ? checkName("entity", entity) : undefined) ??
    checkName("project", project) ??
    checkSweepId(sweepId);
  if (invalid) return invalid;
  const path = entity !== undefined ? `${entity}/${project}/${sweepId}` : `${project}/${sweepId}`;
  const sweep: SweepReference = { project, sweepId, path };
  if (entity !== undefined) sweep.entity = entity;
  if (args.count !== undefined) sweep.count = args.count;
  return { ok: true, sweep };
}

/** Recognises a pasted W&B agent command or sweep path; never runs or expands anything. */
export function parseSweepCommand(pasted: string): SweepCommandResult {
  const text = normaliseTypography(pasted)
    .replace(/\r\n?/g, "\n")
    // A command continued over lines with a trailing backslash is still one command.
    .replace(/\\\n/g, " ");
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length === 0) return refuse("empty", `Nothing was pasted. ${EXPECTED}`);
  if (lines.length > 1)
    return refuse(
      "several-commands",
      `The text has ${lines.length} lines; paste only the one \`wandb agent ...\` line.`,
    );
  let line = lines[0]!
    // `wandb sweep` prints "wandb: Run sweep agent with: wandb agent ...".
    .replace(/^wandb:\s+Run sweep agent with:\s*/i, "")
    // A shell prompt copied along with the command.
    .replace(/^[$%>]\s+/, "");
  line = line.trim();
  if (/[\u0000-\u0008\u000B-\u001F\u007F]/.test(line))
    return refuse("escape", "The text contains control characters; paste the plain command.");
  const shellSyntax = findShellSyntax(line);
  if (shellSyntax) return shellSyntax;
  const split = splitWords(line);
  if (!Array.isArray(split))
    return refuse("unbalanced-quote", `The text has an unclosed ${split.unbalanced} quote.`);
  let words = split;
  if (words[0] === "thunder") {
    words = words.slice(1);
    if (words[0] !== "wandb")
      return refuse(
        "not-wandb-agent",
        `After \`thunder\` only \`wandb agent SWEEP\` is accepted here. ${EXPECTED}`,
      );
  }
  if (words[0] === "wandb") {
    if (words[1] !== "agent")
      return refuse(
        "not-wandb-agent",
        `Only \`wandb agent ...\` is accepted, not \`wandb ${words[1] ?? ""}\`. ${EXPECTED}`,
      );
    words = words.slice(2);
  }
  // Without `wandb agent` in front, the words are read the same way (a bare path, maybe with --count).
  const args = readAgentArguments(words);
  return "sweepWord" in args ? buildReference(args) : args;
}
