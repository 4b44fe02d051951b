/**
 * Quoting for POSIX sh. Every command sent to a remote shell goes through here, so a user value
 * (a path, a job name, an experiment option) is always one argument and never shell syntax.
 */

/**
 * Characters that never need quoting; anything else gets single quotes. No "=" (a leading `a=b`
 * word is an assignment) and no "~" (expanded at the start of a word).
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * Quotes one argument for POSIX sh: inside single quotes nothing is special, and a single quote
 * itself is written as `'\''` (close, escaped quote, reopen).
 */
export function shQuote(argument: string): string {
  if (argument.includes("\0")) {
    // A C string ends at NUL, so no shell can receive it; refusing is better than truncating.
    throw new Error("A shell argument cannot contain a NUL character.");
  }
  if (SAFE_WORD.test(argument)) return argument;
  return "'" + argument.replaceAll("'", "'\\''") + "'";
}

/** Joins arguments into one sh command line, each quoted. */
export function shJoin(args: readonly string[]): string {
  return args.map(shQuote).join(" ");
}
