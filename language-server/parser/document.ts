/**
 * Whole-document parsing out of independently parsed chunks (one top-level statement each,
 * see tokenizer.ts), the CPython ranking of errors across them, and incremental updates
 * that re-parse only the chunks an edit touched.
 */
import type { Module, ParseError, Position, Stmt } from "./ast";
import { type ChunkError, Parser } from "./parser";
import { SourceRange } from "./source-range";
import { Tokenizer, type TokenizerError } from "./tokenizer";

interface ParsedChunk {
  /** The chunk's source text (the document is the concatenation of its chunks' texts). */
  text: string;
  start: number;
  end: number;
  startLine: number;
  body: Stmt[];
  /** Parser errors (absolute positions, shifted with the chunk). */
  errors: ChunkError[];
  /** Where the parser stopped at the first error: line relative to startLine, column. */
  firstStopLine: number;
  firstStopColumn: number;
  compileErrors: ParseError[];
  /** Tokenizer errors with lines relative to startLine. */
  tokenizerErrors: TokenizerError[];
  /** Every range in `body` and `errors`, shifted in place when the chunk moves. */
  ranges: SourceRange[];
}

/**
 * What a chunk without errors holds in its error lists (never modified): most chunks have none,
 * and three empty arrays each were thousands of objects kept for a large config's lifetime.
 */
const NO_CHUNK_ERRORS: ChunkError[] = [];
const NO_PARSE_ERRORS: ParseError[] = [];
const NO_TOKENIZER_ERRORS: TokenizerError[] = [];

/** `text` is the tokenizer's text, which starts at document offset `base`. */
function parseChunk(tokenizer: Tokenizer, text: string, base: number): ParsedChunk {
  const chunk = tokenizer.nextChunk();
  const parser = new Parser(chunk.tokens, text);
  const result = parser.parseChunk();
  const startLine = chunk.startLine;
  const relative =
    chunk.errors.length === 0
      ? NO_TOKENIZER_ERRORS
      : chunk.errors.map((e) => ({
          ...e,
          line: e.line - startLine,
          endLine: e.endLine - startLine,
          unclosedBracketLine:
            e.unclosedBracketLine === undefined ? undefined : e.unclosedBracketLine - startLine,
          detectedLine: e.detectedLine === undefined ? undefined : e.detectedLine - startLine,
        }));
  return {
    text: text.slice(chunk.start, chunk.end),
    start: base + chunk.start,
    end: base + chunk.end,
    startLine,
    body: result.body,
    errors: result.errors.length === 0 ? NO_CHUNK_ERRORS : result.errors,
    firstStopLine: result.errors.length > 0 ? result.errors[0].stopLine - startLine : 0,
    firstStopColumn: result.errors.length > 0 ? result.errors[0].stopColumn : 0,
    compileErrors: result.compileErrors.length === 0 ? NO_PARSE_ERRORS : result.compileErrors,
    tokenizerErrors: relative,
    ranges: result.ranges,
  };
}

function tokenizerParseError(chunk: ParsedChunk, e: TokenizerError): ParseError {
  return {
    kind: e.kind,
    message: e.message,
    range: new SourceRange(chunk.startLine + e.line, e.col, chunk.startLine + e.endLine, e.endCol),
  };
}

function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/**
 * CPython's choice of the reported error: the first failing statement's error, unless it
 * is a parser error and tokenizing the rest of the file hits an error that CPython raises
 * (or an unclosed bracket opened before the failing line).
 */
function firstError(chunks: readonly ParsedChunk[]): ParseError | null {
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    if (chunk.errors.length === 0) continue;
    const primary = chunk.errors[0];
    if (primary.tokenizerError !== null) return primary.error;
    // CPython skips the look at the rest of the file for a stray INDENT/DEDENT.
    const message = primary.error.message;
    if (message === "unexpected indent" || message === "unexpected unindent") return primary.error;
    const stopLine = chunk.firstStopLine;
    const stopColumn = chunk.firstStopColumn;
    // The first tokenizer error after the point where the parser stopped.
    let candidate: { chunk: ParsedChunk; error: TokenizerError } | null = null;
    for (const e of chunk.tokenizerErrors) {
      const line = e.detectedLine ?? e.line;
      const col = e.detectedCol ?? e.col;
      if (line > stopLine || (line === stopLine && col >= stopColumn)) {
        candidate = { chunk, error: e };
        break;
      }
    }
    for (let d = c + 1; candidate === null && d < chunks.length; d++) {
      if (chunks[d].tokenizerErrors.length > 0)
        candidate = { chunk: chunks[d], error: chunks[d].tokenizerErrors[0] };
    }
    if (candidate !== null) {
      const e = candidate.error;
      if (e.raises) return tokenizerParseError(candidate.chunk, e);
      const absoluteStopLine = chunk.startLine + stopLine;
      if (
        e.unclosedBracketLine !== undefined &&
        absoluteStopLine > candidate.chunk.startLine + e.unclosedBracketLine
      ) {
        return tokenizerParseError(candidate.chunk, e);
      }
    }
    return primary.error;
  }
  return null;
}

function buildModule(chunks: readonly ParsedChunk[]): Module {
  const body: Stmt[] = [];
  const all: ParseError[] = [];
  const compile: ParseError[] = [];
  // Indexed loops: for-of allocates an iterator and its results until V8 optimises this, and
  // this runs over every chunk on the first open and after every edit.
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c];
    const statements = chunk.body;
    for (let k = 0; k < statements.length; k++) body.push(statements[k]);
    for (let k = 0; k < chunk.errors.length; k++) all.push(chunk.errors[k].error);
    for (let k = 0; k < chunk.compileErrors.length; k++) compile.push(chunk.compileErrors[k]);
  }
  const first = firstError(chunks);
  let errors: ParseError[];
  if (first === null) {
    errors = compile;
  } else {
    errors = [first];
    for (const e of all) {
      if (e === first) continue;
      if (e.message === first.message && comparePositions(e.range.start, first.range.start) === 0) continue;
      errors.push(e);
    }
  }
  return { type: "Module", body, errors };
}

/** Parses a whole file. Never throws. */
export function parse(text: string): Module {
  return buildModule(parseAllChunks(text));
}

function parseAllChunks(text: string): ParsedChunk[] {
  const tokenizer = new Tokenizer(text, 0, 0);
  const chunks: ParsedChunk[] = [];
  while (!tokenizer.atEnd) chunks.push(parseChunk(tokenizer, text, 0));
  return chunks;
}

export interface TextEdit {
  /** 0-based line / UTF-16 column range in the text before the edit. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf("\r") === -1) {
    // Only LF breaks (the usual case): the engine's search beats a loop that runs once per
    // open, before V8 has optimised it.
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * Read access to a text, as far as `LineIndex` and the analysis need it. A string is one;
 * `ParsedDocument.source` gives another that reads the document's chunks without joining them.
 */
export interface TextSource {
  readonly length: number;
  charCodeAt(offset: number): number;
  slice(start: number, end?: number): string;
}

/**
 * One version of a document's text, read from its chunks' texts. The document never joins
 * its text on an edit: a 10k-line config is a string of several hundred KB, and a new one per
 * keystroke is garbage in V8's large-object space that only a full collection frees (tens of
 * MB of resident memory after some typing).
 */
class ChunkedText implements TextSource {
  /** Index of the piece that answered last (reads are mostly sequential). */
  private last = 0;

  constructor(
    private readonly pieces: readonly string[],
    private readonly starts: readonly number[],
    readonly length: number,
  ) {}

  private pieceAt(offset: number): number {
    const starts = this.starts;
    const last = this.last;
    if (starts[last] <= offset && (last + 1 === starts.length || offset < starts[last + 1])) return last;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.last = lo;
    return lo;
  }

  charCodeAt(offset: number): number {
    if (!(offset >= 0 && offset < this.length)) return Number.NaN;
    const k = this.pieceAt(offset);
    return this.pieces[k].charCodeAt(offset - this.starts[k]);
  }

  /** Same arguments as String.prototype.slice. */
  slice(start = 0, end = this.length): string {
    const length = this.length;
    const from = start < 0 ? Math.max(0, length + start) : Math.min(start, length);
    const to = end < 0 ? Math.max(0, length + end) : Math.min(end, length);
    if (to <= from) return "";
    let k = this.pieceAt(from);
    const starts = this.starts;
    const pieces = this.pieces;
    let result = pieces[k].slice(from - starts[k], to - starts[k]);
    while (starts[k] + pieces[k].length < to) {
      k++;
      result += pieces[k].slice(0, to - starts[k]);
    }
    return result;
  }
}

/** A parse tree kept up to date across edits; unchanged top-level statements are reused. */
export class ParsedDocument {
  private lineStarts: number[];
  private chunks: ParsedChunk[];
  private currentModule: Module;
  private length: number;
  /** Caches for the current version (reset by every edit). */
  private joined: string | undefined;
  private currentSource: { text: TextSource; lineStarts: readonly number[] } | undefined;

  constructor(text: string) {
    this.length = text.length;
    this.lineStarts = computeLineStarts(text);
    this.chunks = parseAllChunks(text);
    this.currentModule = buildModule(this.chunks);
    this.joined = text;
  }

  /** The whole text (joined from the chunks on first use after an edit). */
  get text(): string {
    if (this.joined === undefined) {
      let text = "";
      for (let c = 0; c < this.chunks.length; c++) text += this.chunks[c].text;
      this.joined = text;
    }
    return this.joined;
  }

  /**
   * The current text without joining it, and its line-start offsets. Both stay as they are
   * when the document changes later (a snapshot of this version).
   */
  get source(): { text: TextSource; lineStarts: readonly number[] } {
    if (this.currentSource === undefined) {
      let text: TextSource | undefined = this.joined;
      if (text === undefined) {
        const chunks = this.chunks;
        const pieces: string[] = new Array(chunks.length);
        const starts: number[] = new Array(chunks.length);
        for (let c = 0; c < chunks.length; c++) {
          pieces[c] = chunks[c].text;
          starts[c] = chunks[c].start;
        }
        text = new ChunkedText(pieces, starts, this.length);
      }
      this.currentSource = { text, lineStarts: this.lineStarts.slice() };
    }
    return this.currentSource;
  }

  get module(): Module {
    return this.currentModule;
  }

  /**
   * Applies edits in order (LSP incremental sync semantics) and returns the new tree.
   * Statements after an edit are reused, with their line numbers shifted in place.
   */
  applyEdits(edits: readonly TextEdit[]): Module {
    for (const edit of edits) {
      const a = this.offsetAt(edit.range.start);
      const b = Math.max(a, this.offsetAt(edit.range.end));
      this.replace(a, b, edit.text);
    }
    this.currentModule = buildModule(this.chunks);
    return this.currentModule;
  }

  /** Replaces the whole text (full sync); still reuses unchanged statements. */
  setText(text: string): Module {
    const old = this.text;
    let prefix = 0;
    const max = Math.min(old.length, text.length);
    while (prefix < max && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (
      suffix < max - prefix &&
      old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
    ) {
      suffix++;
    }
    if (prefix !== old.length || prefix !== text.length) {
      this.replace(prefix, old.length - suffix, text.slice(prefix, text.length - suffix));
      this.joined = text;
    }
    this.currentModule = buildModule(this.chunks);
    return this.currentModule;
  }

  /** Character code at a document offset, read from the chunk holding it. */
  private charCodeAt(offset: number): number {
    if (!(offset >= 0 && offset < this.length)) return Number.NaN;
    const chunk = this.chunks[chunkIndexAt(this.chunks, offset)];
    return chunk.text.charCodeAt(offset - chunk.start);
  }

  private offsetAt(position: { line: number; character: number }): number {
    const starts = this.lineStarts;
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.length;
    const lineStart = starts[position.line];
    // LSP: a character past the end of the line means the end of the line (before its break).
    let lineEnd = this.length;
    if (position.line + 1 < starts.length) {
      lineEnd = starts[position.line + 1] - 1;
      if (this.charCodeAt(lineEnd) === 10 && this.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    }
    return Math.min(lineStart + Math.max(0, position.character), lineEnd);
  }

  private replace(a: number, b: number, inserted: string): void {
    const chunks = this.chunks;
    const delta = inserted.length - (b - a);
    const newB = b + delta;
    const newLength = this.length + delta;

    // Chunks: re-parse from the chunk before the one holding the edit until a boundary
    // coincides with an old chunk start past the edit. The tokenizer reads a window of
    // whole chunks around the edit (grown when the re-parse runs past it), not the document.
    let first = chunkIndexAt(chunks, a);
    if (first > 0) first--;
    let lastTouched = chunkIndexAt(chunks, b);
    if (lastTouched < first) lastTouched = first;
    const windowStart = first < chunks.length ? chunks[first].start : 0;
    const startLine = first < chunks.length ? chunks[first].startLine : 0;
    let extra = 2;
    let window: string;
    let replacement: ParsedChunk[];
    let resumeAt: number;
    for (;;) {
      const lastInWindow = Math.min(chunks.length - 1, lastTouched + extra);
      let old = "";
      for (let c = first; c <= lastInWindow; c++) old += chunks[c].text;
      window = old.slice(0, a - windowStart) + inserted + old.slice(b - windowStart);
      const atDocumentEnd = lastInWindow === chunks.length - 1;
      const tokenizer = new Tokenizer(window, 0, startLine, { midDocument: windowStart > 0 });
      replacement = [];
      resumeAt = chunks.length;
      let resynced = false;
      while (!tokenizer.atEnd) {
        const chunk = parseChunk(tokenizer, window, windowStart);
        replacement.push(chunk);
        const end = chunk.end;
        if (end >= newB && end - windowStart < window.length) {
          const oldIndex = findChunkStartingAt(chunks, end - delta, lastTouched + 1);
          if (oldIndex >= 0) {
            resumeAt = oldIndex;
            resynced = true;
            break;
          }
        }
      }
      if (resynced || atDocumentEnd) break;
      // The end of the window is not the end of the document: read further.
      extra *= 4;
    }

    // Line starts: rescan from the line before the edit to one character past it.
    const starts = this.lineStarts;
    let l0 = lineIndexAt(starts, a);
    if (l0 > 0) l0--;
    const scanFrom = starts[l0];
    let removeEnd = l0 + 1;
    while (removeEnd < starts.length && starts[removeEnd] <= b + 1) removeEnd++;
    const fresh: number[] = [];
    const scanTo = Math.min(newLength, newB + 1);
    // New text at offset i: in the window, else after it (old text, not yet shifted).
    const newCharAt = (i: number): number =>
      i - windowStart < window.length ? window.charCodeAt(i - windowStart) : this.charCodeAt(i - delta);
    for (let i = scanFrom; i < scanTo; i++) {
      const c = newCharAt(i);
      if (c === 10 || (c === 13 && newCharAt(i + 1) !== 10)) {
        if (i + 1 <= newB + 1) fresh.push(i + 1);
      }
    }
    const lineDelta = fresh.length - (removeEnd - (l0 + 1));
    for (let k = removeEnd; k < starts.length; k++) starts[k] += delta;
    starts.splice(l0 + 1, removeEnd - (l0 + 1), ...fresh);

    for (let k = resumeAt; k < chunks.length; k++) {
      const chunk = chunks[k];
      chunk.start += delta;
      chunk.end += delta;
      if (lineDelta !== 0) {
        chunk.startLine += lineDelta;
        const ranges = chunk.ranges;
        for (let r = 0; r < ranges.length; r++) {
          ranges[r].startLine += lineDelta;
          ranges[r].endLine += lineDelta;
        }
        // Messages like "detected at line N" / "on line N" name lines of the same chunk.
        for (const e of chunk.errors) e.error.message = shiftLineNumbers(e.error.message, lineDelta);
        for (const e of chunk.tokenizerErrors) e.message = shiftLineNumbers(e.message, lineDelta);
      }
    }
    chunks.splice(first, resumeAt - first, ...replacement);
    this.length = newLength;
    this.joined = undefined;
    this.currentSource = undefined;
  }
}

function shiftLineNumbers(message: string, delta: number): string {
  return message.includes("line ")
    ? message.replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + delta}`)
    : message;
}

function lineIndexAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index of the chunk holding `offset` (the last chunk for offsets at the end). */
function chunkIndexAt(chunks: readonly ParsedChunk[], offset: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function findChunkStartingAt(chunks: readonly ParsedChunk[], offset: number, from: number): number {
  let lo = from;
  let hi = chunks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = chunks[mid].start;
    if (s === offset) return mid;
    if (s < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
