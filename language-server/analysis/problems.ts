/** Problems found by the analysis, before they become LSP diagnostics. */
import type { Range } from "../parser/ast";

/** Stable diagnostic codes (also used to pick quick fixes). */
export type ProblemCode =
  | "syntax-error"
  | "compile-error"
  | "unsupported-statement"
  | "unsupported-syntax"
  | "unsupported-assignment"
  | "wildcard-target"
  | "wildcard-read"
  | "star-import-position"
  | "import-after-definition"
  | "relative-import"
  | "relative-import-without-module"
  | "parent-not-found"
  | "parent-unreadable"
  | "parent-has-errors"
  | "undefined-name"
  | "self-reference"
  | "cyclic-dependency"
  | "local-before-definition"
  | "dunder-definition"
  | "duplicate-definition"
  | "async-comprehension"
  | "format-spec"
  | "parenthesized-decorator"
  | "assignment-in-if"
  | "missing-entry"
  | "placeholder-not-imported"
  | "placeholder-redefined";

export interface Problem {
  code: ProblemCode;
  range: Range;
  message: string;
  severity: "error" | "warning";
  source: "lazycon" | "thunder";
  /** Extra facts for quick fixes (e.g. the missing name). */
  data?: Record<string, string>;
  /** Where the cause is (another file, the first of two definitions). */
  related?: { uri?: string; range: Range; message: string };
}

/** "<what>: thunder build will fail (lazycon: <its message>)". */
export function buildFails(what: string, lazyconMessage: string): string {
  return `${what}: thunder build will fail (lazycon: ${lazyconMessage})`;
}

/** For what lazycon crashes on without a useful message. */
export function lazyconCrashes(what: string): string {
  return `${what}: thunder build will fail (lazycon crashes on this)`;
}

/** lazycon's own "at LINE:COL" (1-based line, 0-based column). */
export function lazyconPosition(range: Range): string {
  return `${range.start.line + 1}:${range.start.character}`;
}

export function lazyconError(
  code: ProblemCode,
  range: Range,
  message: string,
  data?: Record<string, string>,
): Problem {
  return { code, range, message, severity: "error", source: "lazycon", data };
}
