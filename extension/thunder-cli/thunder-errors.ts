/**
 * Recognises thunder's own error texts in its output (plain, or inside Typer's rich boxes, which
 * wrap long lines and add `│` borders) and turns them into typed errors with a message for the user.
 */

export type ThunderErrorKind =
  | "experiment-exists"
  | "missing-names"
  | "experiment-missing"
  | "missing-backend";

export class ThunderCliError extends Error {
  constructor(
    readonly kind: ThunderErrorKind,
    /** What to tell the user, including what to do next. */
    readonly userMessage: string,
    /** thunder's own line, as found in the output. */
    readonly thunderText: string,
  ) {
    super(userMessage);
    this.name = "ThunderCliError";
  }
}

export class ExperimentExistsError extends ThunderCliError {
  constructor(
    readonly experiment: string,
    thunderText: string,
  ) {
    super(
      "experiment-exists",
      `The experiment folder "${experiment}" already exists. Choose another folder, or build with overwrite, which deletes its checkpoints and logs.`,
      thunderText,
    );
  }
}

export class MissingNamesError extends ThunderCliError {
  constructor(
    readonly names: string[],
    thunderText: string,
  ) {
    super(
      "missing-names",
      `The config does not define ${names.map((name) => `"${name}"`).join(", ")}, so these overrides cannot be applied. Fix the names and build again.`,
      thunderText,
    );
  }
}

export class ExperimentMissingError extends ThunderCliError {
  constructor(
    readonly experiment: string,
    thunderText: string,
  ) {
    super(
      "experiment-missing",
      `There is no experiment at "${experiment}". Build it first (thunder build CONFIG ${experiment}).`,
      thunderText,
    );
  }
}

export class MissingBackendError extends ThunderCliError {
  constructor(thunderText: string) {
    super(
      "missing-backend",
      "backends.yml has several backends and no default, so thunder does not know where to run. Pick a backend for this run or set a default.",
      thunderText,
    );
  }
}

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(?:\u0007|\u001b\\)/g;
const BOX_CHARACTERS = /[│┃║╭╮╰╯─━═┏┓┗┛╔╗╚╝┌┐└┘]/g;

/** The output with colours removed and rich's box borders and line wrapping undone. */
export function unwrapOutput(output: string): string {
  return output.replace(ANSI, "").replace(BOX_CHARACTERS, " ").replace(/\s+/g, " ").trim();
}

const PATTERNS: { pattern: RegExp; make: (match: RegExpExecArray) => ThunderCliError }[] = [
  {
    pattern: /Cannot create an experiment in the folder "(.*?)", it already exists\./,
    make: (match) => new ExperimentExistsError(match[1], match[0]),
  },
  {
    pattern: /The names (\{.*?\}) are missing from the config/,
    make: (match) => new MissingNamesError(parsePythonStringSet(match[1]), match[0]),
  },
  {
    pattern: /Trying to run experiment from folder (.*?), but it does not exist\./,
    make: (match) => new ExperimentMissingError(match[1], match[0]),
  },
  { pattern: /Missing option '--backend'/, make: (match) => new MissingBackendError(match[0]) },
];

/** The first known thunder error in `output`, or undefined. */
export function recognizeThunderError(output: string): ThunderCliError | undefined {
  const clean = output.replace(ANSI, "");
  // Exact text first (keeps paths with several spaces intact), then the unwrapped text.
  for (const text of [clean, unwrapOutput(output)]) {
    let best: { index: number; error: ThunderCliError } | undefined;
    for (const { pattern, make } of PATTERNS) {
      const match = pattern.exec(text);
      if (match && (best === undefined || match.index < best.index))
        best = { index: match.index, error: make(match) };
    }
    if (best) return best.error;
  }
  return undefined;
}

/** Strings of a Python set/dict-keys repr such as `{'a', "it's"}`. */
export function parsePythonStringSet(repr: string): string[] {
  const names: string[] = [];
  const item = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
  for (let match = item.exec(repr); match !== null; match = item.exec(repr)) {
    const raw = match[1] ?? match[2];
    names.push(
      raw.replace(/\\(.)/g, (_, escaped: string) =>
        escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped,
      ),
    );
  }
  return names;
}
