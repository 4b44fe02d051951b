/**
 * Whole-document parsing out of independently parsed chunks (one top-level statement each,
 * see tokenizer.ts), the CPython ranking of errors across them, and incremental updates
 * that re-parse only the chunks an edit touched.
 */
import type { Module, ParseError, Position, Stmt } from "./ast";
import { type ChunkError, Parser } from "./parser";
import { Tokenizer, type TokenizerError } from "./tokenizer";

interface ParsedChunk {
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
  positions: Position[];
}

function parseChunk(tokenizer: Tokenizer, text: string): ParsedChunk {
  const chunk = tokenizer.nextChunk();
  const parser = new Parser(chunk.tokens, text);
  const result = parser.parseChunk();
  const startLine = chunk.startLine;
  const relative = chunk.errors.map((e) => ({
    ...e,
    line: e.line - startLine,
    endLine: e.endLine - startLine,
    unclosedBracketLine: e.unclosedBracketLine === undefined ? undefined : e.unclosedBracketLine - startLine,
    detectedLine: e.detectedLine === undefined ? undefined : e.detectedLine - startLine,
  }));
  return {
    start: chunk.start,
    end: chunk.end,
    startLine,
    body: result.body,
    errors: result.errors,
    firstStopLine: result.errors.length > 0 ? result.errors[0].stopLine - startLine : 0,
    firstStopColumn: result.errors.length > 0 ? result.errors[0].stopColumn : 0,
    compileErrors: result.compileErrors,
    tokenizerErrors: relative,
    positions: result.positions,
  };
}

function tokenizerParseError(chunk: ParsedChunk, e: TokenizerError): ParseError {
  return {
    kind: e.kind,
    message: e.message,
    range: {
      start: { line: chunk.startLine + e.line, character: e.col },
      end: { line: chunk.startLine + e.endLine, character: e.endCol },
    },
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
  while (!tokenizer.atEnd) chunks.push(parseChunk(tokenizer, text));
  return chunks;
}

export interface TextEdit {
  /** 0-based line / UTF-16 column range in the text before the edit. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
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

/** A parse tree kept up to date across edits; unchanged top-level statements are reused. */
export class ParsedDocument {
  private currentText: string;
  private lineStarts: number[];
  private chunks: ParsedChunk[];
  private currentModule: Module;

  constructor(text: string) {
    this.currentText = text;
    this.lineStarts = computeLineStarts(text);
    this.chunks = parseAllChunks(text);
    this.currentModule = buildModule(this.chunks);
  }

  get text(): string {
    return this.currentText;
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
    const old = this.currentText;
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
    }
    this.currentModule = buildModule(this.chunks);
    return this.currentModule;
  }

  private offsetAt(position: { line: number; character: number }): number {
    const starts = this.lineStarts;
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.currentText.length;
    const text = this.currentText;
    const lineStart = starts[position.line];
    // LSP: a character past the end of the line means the end of the line (before its break).
    let lineEnd = text.length;
    if (position.line + 1 < starts.length) {
      lineEnd = starts[position.line + 1] - 1;
      if (text.charCodeAt(lineEnd) === 10 && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    }
    return Math.min(lineStart + Math.max(0, position.character), lineEnd);
  }

  private replace(a: number, b: number, inserted: string): void {
    const oldText = this.currentText;
    const text = oldText.slice(0, a) + inserted + oldText.slice(b);
    const delta = inserted.length - (b - a);
    const newB = b + delta;
    this.currentText = text;

    // Line starts: rescan from the line before the edit to one character past it.
    const starts = this.lineStarts;
    let l0 = lineIndexAt(starts, a);
    if (l0 > 0) l0--;
    const scanFrom = starts[l0];
    let removeEnd = l0 + 1;
    while (removeEnd < starts.length && starts[removeEnd] <= b + 1) removeEnd++;
    const fresh: number[] = [];
    const scanTo = Math.min(text.length, newB + 1);
    for (let i = scanFrom; i < scanTo; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
        if (i + 1 <= newB + 1) fresh.push(i + 1);
      }
    }
    const lineDelta = fresh.length - (removeEnd - (l0 + 1));
    for (let k = removeEnd; k < starts.length; k++) starts[k] += delta;
    starts.splice(l0 + 1, removeEnd - (l0 + 1), ...fresh);

    // Chunks: re-parse from the chunk before the one holding the edit until a boundary
    // coincides with an old chunk start past the edit.
    const chunks = this.chunks;
    let first = chunkIndexAt(chunks, a);
    if (first > 0) first--;
    let lastTouched = chunkIndexAt(chunks, b);
    if (lastTouched < first) lastTouched = first;
    const startOffset = first < chunks.length ? chunks[first].start : 0;
    const startLine = first < chunks.length ? chunks[first].startLine : 0;
    const tokenizer = new Tokenizer(text, startOffset, startLine);
    const replacement: ParsedChunk[] = [];
    let resumeAt = chunks.length;
    while (!tokenizer.atEnd) {
      const chunk = parseChunk(tokenizer, text);
      replacement.push(chunk);
      const end = chunk.end;
      if (end >= newB && end < text.length) {
        const oldIndex = findChunkStartingAt(chunks, end - delta, lastTouched + 1);
        if (oldIndex >= 0) {
          resumeAt = oldIndex;
          break;
        }
      }
    }
    for (let k = resumeAt; k < chunks.length; k++) {
      const chunk = chunks[k];
      chunk.start += delta;
      chunk.end += delta;
      if (lineDelta !== 0) {
        chunk.startLine += lineDelta;
        for (const p of chunk.positions) p.line += lineDelta;
        // Messages like "detected at line N" / "on line N" name lines of the same chunk.
        for (const e of chunk.errors) e.error.message = shiftLineNumbers(e.error.message, lineDelta);
        for (const e of chunk.tokenizerErrors) e.message = shiftLineNumbers(e.message, lineDelta);
      }
    }
    chunks.splice(first, resumeAt - first, ...replacement);
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
