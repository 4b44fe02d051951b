/**
 * The `yaml` package re-renders a whole document: comments survive, but their spacing, flow
 * collections (`[1, 2]` → `[ 1, 2 ]`) and quoting of lines nobody touched change. Users diff their
 * backends.yml, so an edit should change only the lines it is about: diff the re-rendered original
 * against the re-rendered result and apply just those line changes to the original text.
 */

/** Beyond this many lines on a side the quadratic line diff is skipped (backends.yml is small). */
const maxDiffLines = 3000;

/**
 * `original` with the changes between `renderedOriginal` (the original parsed and re-rendered, no
 * edit) and `renderedEdited` (the same after the edit). Falls back to `renderedEdited` when the
 * original's lines cannot be matched to their re-rendered forms.
 */
export function keepUntouchedLines(
  original: string,
  renderedOriginal: string,
  renderedEdited: string,
): string {
  const originalLines = splitLines(original);
  const before = splitLines(renderedOriginal);
  const after = splitLines(renderedEdited);
  if (Math.max(originalLines.length, before.length, after.length) > maxDiffLines) return renderedEdited;
  const originalOf = matchRenderedLines(originalLines, before);
  if (originalOf === undefined) return renderedEdited;
  const steps = diffLines(before, after);
  // An original line rendered as several is kept only if none of them changed; else it is
  // replaced by its rendered lines.
  const unchanged = new Set<number>();
  for (const step of steps) if (step.kind === "same") unchanged.add(step.beforeIndex);
  const rerendered = new Set<number>();
  for (let i = 1; i < originalOf.length; i++) {
    if (originalOf[i] === originalOf[i - 1] && unchanged.has(i) !== unchanged.has(i - 1)) {
      rerendered.add(originalOf[i]);
    }
  }

  const result: string[] = [];
  let nextOriginal = 0;
  // Original lines the rendering dropped (extra blank lines) stay where they were.
  const keepUpTo = (index: number) => {
    while (nextOriginal < index) result.push(originalLines[nextOriginal++]);
  };
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    for (let i = 0; i < added.length; i++) {
      result.push(i < removed.length ? keepCommentSpacing(removed[i], added[i]) : added[i]);
    }
    removed = [];
    added = [];
  };
  for (const step of steps) {
    if (step.kind === "added") {
      added.push(after[step.afterIndex]);
      continue;
    }
    const index = originalOf[step.beforeIndex];
    if (rerendered.has(index)) {
      if (index >= nextOriginal) {
        keepUpTo(index);
        removed.push(originalLines[nextOriginal++]);
      }
      if (step.kind === "same") added.push(before[step.beforeIndex]);
      continue;
    }
    // Several rendered lines of one original line: the first one carries it.
    if (index < nextOriginal) continue;
    if (step.kind === "same") {
      flush();
      keepUpTo(index);
      result.push(originalLines[nextOriginal++]);
    } else {
      if (added.length > 0) flush();
      keepUpTo(index);
      removed.push(originalLines[nextOriginal++]);
    }
  }
  flush();
  keepUpTo(originalLines.length);
  const endsWithNewline = original === "" || /\n$/.test(original) || result.length > originalLines.length;
  return result.join("\n") + (endsWithNewline && result.length > 0 ? "\n" : "");
}

/**
 * For each re-rendered line, the index of the original line it renders: equal once whitespace is
 * ignored, or else the only candidate between two matched lines. Undefined when that fails.
 */
function matchRenderedLines(
  originalLines: readonly string[],
  rendered: readonly string[],
): number[] | undefined {
  const key = (line: string) => line.replace(/\s+/g, "");
  const steps = diffLines(originalLines.map(key), rendered.map(key));
  const originalOf: number[] = new Array(rendered.length);
  let unmatchedOriginal: number[] = [];
  let unmatchedRendered: number[] = [];
  const pairGap = (): boolean => {
    const meaningful = unmatchedOriginal.filter((index) => originalLines[index].trim() !== "");
    if (meaningful.length === unmatchedRendered.length) {
      unmatchedRendered.forEach((renderedIndex, i) => {
        originalOf[renderedIndex] = meaningful[i];
      });
    } else if (!groupRenderedLines(meaningful, unmatchedRendered)) {
      return false;
    }
    unmatchedOriginal = [];
    unmatchedRendered = [];
    return true;
  };
  // The renderer split an original line in several (`a: # note` becomes `a:` and `  # note`):
  // consecutive rendered lines whose texts add up to one original line all belong to it.
  const groupRenderedLines = (originals: number[], renderedLines: number[]): boolean => {
    let next = 0;
    for (const originalIndex of originals) {
      const target = key(originalLines[originalIndex]);
      let sofar = "";
      while (next < renderedLines.length && sofar.length < target.length) {
        sofar += key(rendered[renderedLines[next]]);
        originalOf[renderedLines[next++]] = originalIndex;
      }
      if (sofar !== target) return false;
    }
    return next === renderedLines.length;
  };
  for (const step of steps) {
    if (step.kind === "same") {
      if (!pairGap()) return undefined;
      originalOf[step.afterIndex] = step.beforeIndex;
    } else if (step.kind === "removed") {
      unmatchedOriginal.push(step.beforeIndex);
    } else {
      unmatchedRendered.push(step.afterIndex);
    }
  }
  return pairGap() ? originalOf : undefined;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** A changed line keeps the gap its user left before an unchanged trailing comment. */
function keepCommentSpacing(previous: string, next: string): string {
  const old = /^(.*\S)(\s+)(#.*)$/.exec(previous);
  const now = /^(.*\S)(\s+)(#.*)$/.exec(next);
  if (old === null || now === null || old[3] !== now[3]) return next;
  return `${now[1]}${old[2]}${now[3]}`;
}

type DiffStep =
  | { kind: "same"; beforeIndex: number; afterIndex: number }
  | { kind: "removed"; beforeIndex: number }
  | { kind: "added"; afterIndex: number };

/** Longest-common-subsequence line diff; removals come before additions within a change. */
function diffLines(before: readonly string[], after: readonly string[]): DiffStep[] {
  const rows = before.length + 1;
  const columns = after.length + 1;
  // common[i * columns + j]: length of the LCS of before[i..] and after[j..].
  const common = new Uint32Array(rows * columns);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i * columns + j] =
        before[i] === after[j]
          ? common[(i + 1) * columns + j + 1] + 1
          : Math.max(common[(i + 1) * columns + j], common[i * columns + j + 1]);
    }
  }
  const steps: DiffStep[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      steps.push({ kind: "same", beforeIndex: i++, afterIndex: j++ });
    } else if (
      j >= after.length ||
      (i < before.length && common[(i + 1) * columns + j] >= common[i * columns + j + 1])
    ) {
      steps.push({ kind: "removed", beforeIndex: i++ });
    } else {
      steps.push({ kind: "added", afterIndex: j++ });
    }
  }
  return steps;
}
