/**
 * Parser entry points. Contract shared by the analysis and the server:
 *
 * - `parse(text)` parses a whole file and never throws: syntax problems end up in
 *   `Module.errors` (first one = what CPython reports), broken statements become
 *   `ErrorStmt`s and the rest of the file is still parsed.
 * - `ParsedDocument` keeps a parse tree up to date across edits, re-parsing only the
 *   top-level statements an edit touched.
 *
 * Implementation: tokenizer.ts (chunked tokenizer), parser.ts (recursive descent),
 * document.ts (chunks, error ranking, incremental updates).
 */
export type * from "./ast";
export { ParsedDocument, parse, type TextEdit, type TextSource } from "./document";
export { SourceRange } from "./source-range";
