/**
 * Parser entry points. Contract shared by the analysis and the server:
 *
 * - `parse(text)` parses a whole file and never throws: syntax problems end up in
 *   `Module.errors` (first one = what CPython reports), broken statements become
 *   `ErrorStmt`s and the rest of the file is still parsed.
 * - `ParsedDocument` keeps a parse tree up to date across edits, re-parsing only the
 *   top-level statements an edit touched.
 *
 * Implementation: the parser helper fills this in (tokenizer.ts, parser.ts, ...).
 */
export type * from "./ast";
import type { Module } from "./ast";

export declare function parse(text: string): Module;

export interface TextEdit {
  /** 0-based line / UTF-16 column range in the text before the edit. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

export declare class ParsedDocument {
  constructor(text: string);
  readonly text: string;
  readonly module: Module;
  /** Applies edits in order (LSP incremental sync semantics) and returns the new tree. */
  applyEdits(edits: readonly TextEdit[]): Module;
  /** Replaces the whole text (full sync); still reuses unchanged statements. */
  setText(text: string): Module;
}
