/** Slurm's time strings: `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`; `UNLIMITED` and friends. */

/** Seconds in a Slurm duration; undefined for `UNLIMITED`, `N/A`, `INVALID`, `NOT_SET` or garbage. */
export function parseSlurmDuration(text: string): number | undefined {
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, days, first, second, third] = match;
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (days !== undefined) {
    // With days the fields are hours[:minutes[:seconds]].
    hours = Number(first);
    minutes = second === undefined ? 0 : Number(second);
    seconds = third === undefined ? 0 : Number(third);
  } else if (third !== undefined) {
    hours = Number(first);
    minutes = Number(second);
    seconds = Number(third);
  } else if (second !== undefined) {
    minutes = Number(first);
    seconds = Number(second);
  } else {
    minutes = Number(first); // a bare number is minutes, as for sbatch --time
  }
  return (Number(days ?? 0) * 24 + hours) * 3600 + minutes * 60 + seconds;
}
