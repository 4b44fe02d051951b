/** Position arithmetic on LSP-style (0-based line, UTF-16 column) positions. */
import type { Position, Range } from "../parser/ast";
import { SourceRange, type TextSource } from "../parser/index";

/** `range.start.line` without making a Position (tree ranges compute `start` on each read). */
export function startLineOf(range: Range): number {
  return range instanceof SourceRange ? range.startLine : range.start.line;
}

/** `range.start.character` without making a Position. */
export function startCharacterOf(range: Range): number {
  return range instanceof SourceRange ? range.startCharacter : range.start.character;
}

export function comparePositions(a: Position, b: Position): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

/** True when `position` lies inside `range`, both ends included (a caret right after a name still counts). */
export function rangeContains(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

export function rangesEqual(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.start) === 0 && comparePositions(a.end, b.end) === 0;
}

export function copyRange(range: Range): Range {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

/** Range of `length` characters starting at `start` (for names inside a larger node). */
export function rangeFrom(start: Position, length: number): Range {
  return {
    start: { line: start.line, character: start.character },
    end: { line: start.line, character: start.character + length },
  };
}

/**
 * Line-start offsets of a text, to convert between offsets and positions. Lines are found
 * lazily, only as far as a request needs: most keystrokes never scan the whole file.
 * An open document passes the line starts it keeps anyway (then nothing is scanned).
 */
export class LineIndex {
  private readonly starts: number[];
  /** Offset up to which line breaks have been found. */
  private scanned: number;

  constructor(
    readonly text: TextSource,
    knownLineStarts?: readonly number[],
  ) {
    this.starts = knownLineStarts ? (knownLineStarts as number[]) : [0];
    this.scanned = knownLineStarts ? text.length : 0;
  }

  /** Scans until line `line` is known or the text ends. */
  private scanToLine(line: number): void {
    const text = this.text;
    let i = this.scanned;
    while (this.starts.length <= line && i < text.length) {
      const code = text.charCodeAt(i++);
      if (code === 10) this.starts.push(i);
      else if (code === 13) {
        if (text.charCodeAt(i) === 10) i++;
        this.starts.push(i);
      }
    }
    this.scanned = i;
  }

  private scanToOffset(offset: number): void {
    while (this.scanned < this.text.length && this.starts[this.starts.length - 1] <= offset) {
      const before = this.starts.length;
      this.scanToLine(before);
      if (this.starts.length === before) break;
    }
  }

  get lineCount(): number {
    this.scanToLine(Number.POSITIVE_INFINITY);
    return this.starts.length;
  }

  /** True when the text has this line (without scanning further than needed). */
  hasLine(line: number): boolean {
    return line >= 0 && this.lineStart(line) !== undefined;
  }

  /** Offset where `line` starts, or undefined past the end. */
  private lineStart(line: number): number | undefined {
    this.scanToLine(line + 1);
    return this.starts[line];
  }

  offsetAt(position: Position): number {
    let start = this.lineStart(Math.max(position.line, 0));
    if (start === undefined) return this.text.length;
    start = Math.min(start, this.text.length);
    const end = this.lineEnd(Math.max(position.line, 0));
    return Math.min(start + Math.max(position.character, 0), end);
  }

  positionAt(offset: number): Position {
    this.scanToOffset(offset);
    const starts = this.starts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: offset - starts[low] };
  }

  /** Text of a line without its line break. */
  lineText(line: number): string {
    const start = line >= 0 ? this.lineStart(line) : undefined;
    if (start === undefined) return "";
    return this.text.slice(start, this.lineEnd(line));
  }

  /** Offset just before the line break of `line`. */
  lineEnd(line: number): number {
    const start = this.lineStart(line) ?? this.text.length;
    const next = this.lineStart(line + 1);
    let end = next ?? this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  textIn(range: Range): string {
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
}
