/**
 * Python 3.11 tokenizer, modelled on CPython's `Parser/tokenizer.c` (same indentation and
 * tab rules, same error wording). It works chunk by chunk: a chunk is one top-level
 * statement (with its decorators, `else`/`except`/... clauses, trailing blank and comment
 * lines). At a chunk boundary the tokenizer state is always clean (no open bracket, no
 * string, indentation back at column 0), so every chunk can be tokenized and parsed on its
 * own; that is what makes incremental re-parsing equal to a full parse.
 *
 * Errors do not stop tokenization: the bad spot becomes an ERROR token (so the parser fails
 * there, as CPython's does) and scanning resumes right after it.
 */
import type { ParseErrorKind, Position, Range } from "./ast";

export const TokenKind = {
  Name: 1,
  Number: 2,
  String: 3,
  Op: 4,
  Newline: 5,
  Indent: 6,
  Dedent: 7,
  EndMarker: 8,
  Error: 9,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** Source text (operators and names exactly; names NFKC-normalised as CPython does). */
  value: string;
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** For Error tokens: the tokenizer error it stands for. */
  error: TokenizerError | undefined;
  /** Names only: whether it is a hard keyword. */
  keyword: boolean;
  /** The token's start and end as positions (made once; the parser reads them while building ranges). */
  startPos: Position | null;
  endPos: Position | null;
  range: Range | null;
}

/** All tokens are created here, so that they share one object shape (fast property access). */
function newToken(
  kind: TokenKind,
  value: string,
  start: number,
  end: number,
  line: number,
  col: number,
  endLine: number,
  endCol: number,
  error: TokenizerError | undefined,
  keyword: boolean,
): Token {
  return {
    kind,
    value,
    start,
    end,
    line,
    col,
    endLine,
    endCol,
    error,
    keyword,
    startPos: null,
    endPos: null,
    range: null,
  };
}

export interface TokenizerError {
  kind: ParseErrorKind;
  message: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /**
   * Whether CPython raises this error as an exception while tokenizing. Those errors win
   * over a parser error found earlier (CPython tokenizes the rest of the file after a
   * parser error); indentation errors and an unclosed bracket at the end do not.
   */
  raises: boolean;
  /** Set for "'(' was never closed" at the end of input: line of that bracket. */
  unclosedBracketLine?: number;
  /** Where an error reported elsewhere was found (the end of input for unclosed brackets). */
  detectedLine?: number;
  detectedCol?: number;
}

export interface Chunk {
  /** Offset and line where the chunk starts (always a line start). */
  start: number;
  startLine: number;
  /** Offset where the next chunk starts (or the text length). */
  end: number;
  endLine: number;
  tokens: Token[];
  errors: TokenizerError[];
}

const TAB_SIZE = 8;
const MAX_INDENT = 100;
/** CPython's MAXLEVEL: deeper bracket nesting is "too many nested parentheses". */
export const MAX_BRACKET_LEVEL = 200;

enum Ch {
  Tab = 9,
  LF = 10,
  FF = 12,
  CR = 13,
  Space = 32,
  Bang = 33,
  DQuote = 34,
  Hash = 35,
  Percent = 37,
  Amp = 38,
  SQuote = 39,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  D0 = 48,
  D1 = 49,
  D7 = 55,
  D9 = 57,
  Colon = 58,
  Semi = 59,
  Lt = 60,
  Eq = 61,
  Gt = 62,
  At = 64,
  UA = 65,
  UZ = 90,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Caret = 94,
  Underscore = 95,
  LA = 97,
  LZ = 122,
  LBrace = 123,
  Pipe = 124,
  RBrace = 125,
  Tilde = 126,
}

/** Python 3.11's hard keywords (soft keywords match/case/_ are names). */
export const KEYWORDS: ReadonlySet<string> = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

const CLAUSE_KEYWORDS = new Set(["else", "elif", "except", "finally"]);
const ID_START = /^[\p{XID_Start}_]$/u;
const ID_CONTINUE = /^\p{XID_Continue}$/u;

function isAsciiIdStart(c: number): boolean {
  return (c >= Ch.LA && c <= Ch.LZ) || (c >= Ch.UA && c <= Ch.UZ) || c === Ch.Underscore;
}
function isAsciiIdChar(c: number): boolean {
  return isAsciiIdStart(c) || (c >= Ch.D0 && c <= Ch.D9);
}
/** CPython's is_potential_identifier_char: ASCII letters, digits, `_` and anything >= 128. */
function isPotentialIdChar(c: number): boolean {
  return isAsciiIdChar(c) || c >= 128;
}
function isDigit(c: number): boolean {
  return c >= Ch.D0 && c <= Ch.D9;
}
function isDigitOfBase(c: number, base: number): boolean {
  if (base === 10) return c >= Ch.D0 && c <= Ch.D9;
  if (base === 16) return isHexDigit(c);
  return c >= Ch.D0 && c < Ch.D0 + base;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isTwoLetterPrefix(a: number, b: number): boolean {
  return (
    (a === 98 && b === 114) || (a === 114 && b === 98) || (a === 102 && b === 114) || (a === 114 && b === 102)
  );
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, "0");
}

export interface TokenizerOptions {
  /** Added to the column of tokens on the first line (f-string expressions). */
  firstLineColOffset?: number;
  /** Tokenize as a single chunk, without chunk boundaries (f-string expressions). */
  singleChunk?: boolean;
  /** The text is a part of a document that starts after the document's start (no byte-order mark). */
  midDocument?: boolean;
}

interface Bracket {
  char: number;
  line: number;
  col: number;
}

/**
 * Tokenizes `text` chunk by chunk, starting at `start` (a chunk start: a line start with
 * clean tokenizer state) which is on line `line`.
 */
export class Tokenizer {
  private pos: number;
  private line: number;
  private lineStart: number;
  private readonly text: string;
  private readonly length: number;
  private readonly firstLine: number;
  private readonly firstLineColOffset: number;
  private readonly singleChunk: boolean;
  /** Whether the text starts with a byte-order mark that was skipped (the first chunk still covers it). */
  private readonly skippedBom: boolean = false;

  constructor(text: string, start: number, line: number, options: TokenizerOptions = {}) {
    this.text = text;
    this.length = text.length;
    this.pos = start;
    this.line = line;
    this.lineStart = start;
    this.firstLine = line;
    this.firstLineColOffset = options.firstLineColOffset ?? 0;
    this.singleChunk = options.singleChunk ?? false;
    // A leading byte-order mark is not part of the source.
    if (start === 0 && !options.midDocument && text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.lineStart = 1;
      this.skippedBom = true;
    }
  }

  get atEnd(): boolean {
    return this.pos >= this.length;
  }
  get offset(): number {
    return this.pos;
  }
  get currentLine(): number {
    return this.line;
  }

  private colAt(offset: number, line: number, lineStart: number): number {
    const col = offset - lineStart;
    return line === this.firstLine ? col + this.firstLineColOffset : col;
  }

  /** Tokenizes the next chunk. Call only while !atEnd (or once on empty input). */
  nextChunk(): Chunk {
    const text = this.text;
    const len = this.length;
    const tokens: Token[] = [];
    const errors: TokenizerError[] = [];
    this.tokens = tokens;
    this.errors = errors;
    const chunkStart = this.pos === 1 && this.skippedBom ? 0 : this.pos;
    const chunkStartLine = this.line;
    const indents: number[] = [0];
    const altIndents: number[] = [0];
    const brackets: Bracket[] = [];
    let atLineStart = true;
    let continuation = false;
    this.lineHasTokens = false;
    this.sawLogicalLine = false;
    this.lastLogicalLineIsDecorator = false;
    this.currentLineIsDecorator = false;
    const pushError = this.pushErrorBound;

    for (;;) {
      if (atLineStart) {
        atLineStart = false;
        // Measure indentation (CPython: tabs to the next multiple of 8, form feed resets).
        let col = 0;
        let altCol = 0;
        let p = this.pos;
        for (; p < len; p++) {
          const c = text.charCodeAt(p);
          if (c === Ch.Space) {
            col++;
            altCol++;
          } else if (c === Ch.Tab) {
            col = (Math.floor(col / TAB_SIZE) + 1) * TAB_SIZE;
            altCol++;
          } else if (c === Ch.FF) {
            col = altCol = 0;
          } else break;
        }
        const c = p < len ? text.charCodeAt(p) : -1;
        const blank = c === Ch.Hash || c === Ch.LF || c === Ch.CR || c === -1;
        if (!blank && brackets.length === 0 && !continuation) {
          // A new logical line at column 0 may start the next chunk.
          if (
            p === this.pos &&
            this.sawLogicalLine &&
            !this.singleChunk &&
            !this.lastLogicalLineIsDecorator
          ) {
            if (!this.startsWithClauseKeyword(p)) {
              break;
            }
          }
          this.currentLineIsDecorator = c === Ch.At;
          this.pos = p;
          const top = indents.length - 1;
          if (col === indents[top]) {
            if (altCol !== altIndents[top]) {
              pushError(
                "TabError",
                "inconsistent use of tabs and spaces in indentation",
                this.lineStart,
                this.lineStart,
                false,
              );
            }
          } else if (col > indents[top]) {
            if (indents.length >= MAX_INDENT) {
              pushError("IndentationError", "too many levels of indentation", p, p, false);
            } else if (altCol <= altIndents[top]) {
              pushError(
                "TabError",
                "inconsistent use of tabs and spaces in indentation",
                this.lineStart,
                this.lineStart,
                false,
              );
            } else {
              indents.push(col);
              altIndents.push(altCol);
              this.pushSimple(tokens, TokenKind.Indent, "", p, p);
            }
          } else {
            while (indents.length > 1 && col < indents[indents.length - 1]) {
              indents.pop();
              altIndents.pop();
              this.pushSimple(tokens, TokenKind.Dedent, "", p, p);
            }
            if (col !== indents[indents.length - 1]) {
              // CPython points at the end of the offending line.
              let lineEnd = p;
              while (
                lineEnd < len &&
                text.charCodeAt(lineEnd) !== Ch.LF &&
                text.charCodeAt(lineEnd) !== Ch.CR
              )
                lineEnd++;
              const endCol = this.colAt(lineEnd, this.line, this.lineStart);
              const indentError: TokenizerError = {
                kind: "IndentationError",
                message: "unindent does not match any outer indentation level",
                line: this.line,
                col: endCol,
                endLine: this.line,
                endCol,
                raises: false,
              };
              errors.push(indentError);
              tokens.push(
                newToken(
                  TokenKind.Error,
                  "",
                  p,
                  p,
                  this.line,
                  indentError.col,
                  this.line,
                  indentError.col,
                  indentError,
                  false,
                ),
              );
            } else if (altCol !== altIndents[altIndents.length - 1]) {
              pushError(
                "TabError",
                "inconsistent use of tabs and spaces in indentation",
                this.lineStart,
                this.lineStart,
                false,
              );
            }
          }
        } else {
          this.pos = p;
        }
        continuation = false;
      }

      // Skip spaces within the line.
      let c = -1;
      while (this.pos < len) {
        c = text.charCodeAt(this.pos);
        if (c === Ch.Space || c === Ch.Tab || c === Ch.FF) this.pos++;
        else break;
      }
      if (this.pos >= len) {
        // End of input.
        if (brackets.length > 0) {
          const open = brackets[brackets.length - 1];
          const error: TokenizerError = {
            kind: "SyntaxError",
            message: `'${String.fromCharCode(open.char)}' was never closed`,
            line: open.line,
            col: open.col,
            endLine: open.line,
            endCol: open.col + 1,
            raises: false,
            unclosedBracketLine: open.line,
            detectedLine: this.line,
            detectedCol: this.colAt(len, this.line, this.lineStart),
          };
          errors.push(error);
          tokens.push(
            newToken(
              TokenKind.Error,
              "",
              len,
              len,
              this.line,
              this.colAt(len, this.line, this.lineStart),
              this.line,
              this.colAt(len, this.line, this.lineStart),
              error,
              false,
            ),
          );
          brackets.length = 0;
        } else if (continuation) {
          pushError("SyntaxError", "unexpected EOF while parsing", len, len, false);
        }
        if (this.lineHasTokens) this.emitNewline(len, len);
        break;
      }
      const start = this.pos;
      c = text.charCodeAt(start);

      // Comments.
      if (c === Ch.Hash) {
        let p = start + 1;
        while (p < len) {
          const d = text.charCodeAt(p);
          if (d === Ch.LF || d === Ch.CR) break;
          p++;
        }
        this.pos = p;
        continue;
      }

      // Line ends.
      if (c === Ch.LF || c === Ch.CR) {
        const nlEnd = c === Ch.CR && text.charCodeAt(start + 1) === Ch.LF ? start + 2 : start + 1;
        if (brackets.length === 0 && this.lineHasTokens) {
          this.emitNewline(start, nlEnd);
        }
        this.pos = nlEnd;
        this.line++;
        this.lineStart = nlEnd;
        atLineStart = true;
        continue;
      }

      // Line continuation.
      if (c === Ch.Backslash) {
        const d = start + 1 < len ? text.charCodeAt(start + 1) : -1;
        if (d === Ch.LF || d === Ch.CR) {
          const nlEnd = d === Ch.CR && text.charCodeAt(start + 2) === Ch.LF ? start + 3 : start + 2;
          this.pos = nlEnd;
          this.line++;
          this.lineStart = nlEnd;
          if (nlEnd >= len) {
            pushError("SyntaxError", "unexpected EOF while parsing", nlEnd, nlEnd, true);
            continue;
          }
          continue;
        }
        if (d === -1) {
          this.pos = start + 1;
          pushError("SyntaxError", "unexpected EOF while parsing", start + 1, start + 1, true);
          continue;
        }
        this.pos = start + 2;
        pushError(
          "SyntaxError",
          "unexpected character after line continuation character",
          start + 1,
          start + 2,
          true,
        );
        continue;
      }

      this.lineHasTokens = true;

      // Identifiers, keywords and string prefixes.
      if (isAsciiIdStart(c) || c >= 128) {
        let p = start + 1;
        let ascii = c < 128;
        // String prefixes: r, u, b, f and the pairs br, rb, fr, rf (any case).
        if (c < 128) {
          const c1 = text.charCodeAt(start + 1);
          if (c1 === Ch.DQuote || c1 === Ch.SQuote) {
            const l = c | 0x20;
            if (l === 114 || l === 117 || l === 98 || l === 102) {
              this.scanString(tokens, start, start + 1, pushError);
              continue;
            }
          } else {
            const c2 = text.charCodeAt(start + 2);
            if ((c2 === Ch.DQuote || c2 === Ch.SQuote) && isTwoLetterPrefix(c | 0x20, c1 | 0x20)) {
              this.scanString(tokens, start, start + 2, pushError);
              continue;
            }
          }
        }
        while (p < len) {
          const d = text.charCodeAt(p);
          if (isAsciiIdChar(d)) p++;
          else if (d >= 128) {
            ascii = false;
            p++;
          } else break;
        }
        let value = text.slice(start, p);
        if (!ascii) {
          const bad = this.findInvalidIdentifierChar(value);
          if (bad >= 0) {
            const cp = value.codePointAt(bad)!;
            const badStart = start + bad;
            const badEnd = badStart + (cp > 0xffff ? 2 : 1);
            this.pos = badEnd;
            // Text before the bad character is still a name (CPython reports the character).
            pushError(
              "SyntaxError",
              `invalid character '${String.fromCodePoint(cp)}' (U+${hex4(cp)})`,
              badStart,
              badEnd,
              true,
            );
            continue;
          }
          value = value.normalize("NFKC");
        }
        this.pos = p;
        this.pushSimple(tokens, TokenKind.Name, value, start, p);
        continue;
      }

      // Numbers.
      if (isDigit(c) || (c === Ch.Dot && isDigit(text.charCodeAt(start + 1)))) {
        this.scanNumber(tokens, start);
        continue;
      }

      // Strings without prefix.
      if (c === Ch.DQuote || c === Ch.SQuote) {
        this.scanString(tokens, start, start, pushError);
        continue;
      }

      // Brackets.
      if (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace) {
        this.pos = start + 1;
        if (brackets.length >= MAX_BRACKET_LEVEL) {
          pushError("SyntaxError", "too many nested parentheses", start, start + 1, true);
          // Skip to the end of the input line so that the parser is not fed thousands of levels.
          this.skipToLineEnd();
          continue;
        }
        brackets.push({ char: c, line: this.line, col: this.colAt(start, this.line, this.lineStart) });
        this.pushSimple(
          tokens,
          TokenKind.Op,
          c === Ch.LParen ? "(" : c === Ch.LBracket ? "[" : "{",
          start,
          start + 1,
        );
        continue;
      }
      if (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace) {
        this.pos = start + 1;
        const closeChar = String.fromCharCode(c);
        if (brackets.length === 0) {
          pushError("SyntaxError", `unmatched '${closeChar}'`, start, start + 1, true);
          continue;
        }
        const open = brackets[brackets.length - 1];
        const expected =
          open.char === Ch.LParen ? Ch.RParen : open.char === Ch.LBracket ? Ch.RBracket : Ch.RBrace;
        if (c !== expected) {
          const openChar = String.fromCharCode(open.char);
          const message =
            open.line !== this.line
              ? `closing parenthesis '${closeChar}' does not match opening parenthesis '${openChar}' on line ${open.line + 1}`
              : `closing parenthesis '${closeChar}' does not match opening parenthesis '${openChar}'`;
          pushError("SyntaxError", message, start, start + 1, true);
          continue;
        }
        brackets.pop();
        this.pushSimple(tokens, TokenKind.Op, closeChar, start, start + 1);
        continue;
      }

      // Operators.
      const op = this.scanOperator(start, c);
      if (op !== null) {
        this.pos = start + op.length;
        this.pushSimple(tokens, TokenKind.Op, op, start, start + op.length);
        continue;
      }

      // Anything else is an invalid character.
      const cp = text.codePointAt(start)!;
      const width = cp > 0xffff ? 2 : 1;
      this.pos = start + width;
      if (c === Ch.Bang || c === 36 /* $ */ || c === 63 /* ? */ || c === 96 /* ` */) {
        // CPython returns an error token here without raising: plain "invalid syntax".
        const token = newToken(
          TokenKind.Error,
          text.slice(start, start + width),
          start,
          start + width,
          this.line,
          this.colAt(start, this.line, this.lineStart),
          this.line,
          this.colAt(start + width, this.line, this.lineStart),
          undefined,
          false,
        );
        tokens.push(token);
        continue;
      }
      const shown = cp < 32 || cp === 127 ? "" : String.fromCodePoint(cp);
      pushError(
        "SyntaxError",
        shown === ""
          ? `invalid non-printable character U+${hex4(cp)}`
          : `invalid character '${shown}' (U+${hex4(cp)})`,
        start,
        start + width,
        true,
      );
    }

    // Close the chunk: pending dedents and the end marker. At the end of the input CPython
    // places them at the end of the last line (where its tokenizer stopped).
    const endOffset = this.pos;
    let markLine = this.line;
    let markCol = this.colAt(endOffset, this.line, this.lineStart);
    if (endOffset >= this.length && this.line > this.firstLine && this.lineStart === endOffset) {
      let p = endOffset - 1;
      if (text.charCodeAt(p) === Ch.LF && text.charCodeAt(p - 1) === Ch.CR) p--;
      let lineStart = p;
      while (
        lineStart > 0 &&
        text.charCodeAt(lineStart - 1) !== Ch.LF &&
        text.charCodeAt(lineStart - 1) !== Ch.CR
      ) {
        lineStart--;
      }
      markLine = this.line - 1;
      markCol = this.colAt(p, markLine, lineStart);
    }
    for (let i = 1; i < indents.length; i++) {
      tokens.push(
        newToken(
          TokenKind.Dedent,
          "",
          endOffset,
          endOffset,
          markLine,
          markCol,
          markLine,
          markCol,
          undefined,
          false,
        ),
      );
    }
    tokens.push(
      newToken(
        TokenKind.EndMarker,
        "",
        endOffset,
        endOffset,
        markLine,
        markCol,
        markLine,
        markCol,
        undefined,
        false,
      ),
    );
    return {
      start: chunkStart,
      startLine: chunkStartLine,
      end: endOffset,
      endLine: this.line,
      tokens,
      errors,
    };
  }

  private tokens: Token[] = [];
  private errors: TokenizerError[] = [];
  private lineHasTokens = false;
  /** Chunk boundaries: a logical line was completed; whether the last/current one is a decorator. */
  private sawLogicalLine = false;
  private lastLogicalLineIsDecorator = false;
  private currentLineIsDecorator = false;
  private readonly pushErrorBound = this.pushError.bind(this);

  private pushError(
    kind: ParseErrorKind,
    message: string,
    start: number,
    end: number,
    raises: boolean,
    startLine = this.line,
    startLineStart = this.lineStart,
  ): Token {
    const error: TokenizerError = {
      kind,
      message,
      line: startLine,
      col: this.colAt(start, startLine, startLineStart),
      endLine: this.line,
      endCol: this.colAt(end, this.line, this.lineStart),
      raises,
    };
    this.errors.push(error);
    const token = newToken(
      TokenKind.Error,
      this.text.slice(start, end),
      start,
      end,
      error.line,
      error.col,
      error.endLine,
      error.endCol,
      error,
      false,
    );
    this.tokens.push(token);
    this.lineHasTokens = true;
    return token;
  }

  private emitNewline(start: number, end: number): void {
    this.tokens.push(
      newToken(
        TokenKind.Newline,
        "",
        start,
        end,
        this.line,
        this.colAt(start, this.line, this.lineStart),
        this.line,
        this.colAt(end, this.line, this.lineStart),
        undefined,
        false,
      ),
    );
    this.lineHasTokens = false;
    this.sawLogicalLine = true;
    this.lastLogicalLineIsDecorator = this.currentLineIsDecorator;
  }

  private startsWithClauseKeyword(p: number): boolean {
    const text = this.text;
    let q = p;
    while (q < this.length && isAsciiIdChar(text.charCodeAt(q))) q++;
    if (q - p < 4 || q - p > 7) return false;
    if (q < this.length && text.charCodeAt(q) >= 128) return false;
    return CLAUSE_KEYWORDS.has(text.slice(p, q));
  }

  private skipToLineEnd(): void {
    while (this.pos < this.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === Ch.LF || c === Ch.CR) break;
      this.pos++;
    }
  }

  private pushSimple(tokens: Token[], kind: TokenKind, value: string, start: number, end: number): void {
    const col = this.colAt(start, this.line, this.lineStart);
    const keyword = kind === TokenKind.Name && value.length <= 8 && KEYWORDS.has(value);
    tokens.push(
      newToken(kind, value, start, end, this.line, col, this.line, col + (end - start), undefined, keyword),
    );
  }

  private findInvalidIdentifierChar(value: string): number {
    for (let i = 0; i < value.length; ) {
      const cp = value.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const ok =
        i === 0 ? cp < 128 || ID_START.test(ch.normalize("NFKC")[0] ?? ch) : cp < 128 || ID_CONTINUE.test(ch);
      if (!ok) {
        // NFKC may turn a character into valid identifier text; check the normalised form.
        const normalized = ch.normalize("NFKC");
        let valid = normalized.length > 0;
        for (const n of normalized) {
          if (!(i === 0 ? ID_START.test(n) : ID_CONTINUE.test(n))) valid = false;
        }
        if (!valid) return i;
      }
      i += cp > 0xffff ? 2 : 1;
    }
    return -1;
  }

  private scanOperator(start: number, c: number): string | null {
    const text = this.text;
    const c1 = text.charCodeAt(start + 1);
    const c2 = text.charCodeAt(start + 2);
    switch (c) {
      case Ch.Plus:
        return c1 === Ch.Eq ? "+=" : "+";
      case Ch.Minus:
        return c1 === Ch.Eq ? "-=" : c1 === Ch.Gt ? "->" : "-";
      case Ch.Star:
        if (c1 === Ch.Star) return c2 === Ch.Eq ? "**=" : "**";
        return c1 === Ch.Eq ? "*=" : "*";
      case Ch.Slash:
        if (c1 === Ch.Slash) return c2 === Ch.Eq ? "//=" : "//";
        return c1 === Ch.Eq ? "/=" : "/";
      case Ch.Percent:
        return c1 === Ch.Eq ? "%=" : "%";
      case Ch.At:
        return c1 === Ch.Eq ? "@=" : "@";
      case Ch.Amp:
        return c1 === Ch.Eq ? "&=" : "&";
      case Ch.Pipe:
        return c1 === Ch.Eq ? "|=" : "|";
      case Ch.Caret:
        return c1 === Ch.Eq ? "^=" : "^";
      case Ch.Tilde:
        return "~";
      case Ch.Lt:
        if (c1 === Ch.Lt) return c2 === Ch.Eq ? "<<=" : "<<";
        // CPython always tokenizes `<>` (the parser then rejects it).
        if (c1 === Ch.Gt) return "<>";
        return c1 === Ch.Eq ? "<=" : "<";
      case Ch.Gt:
        if (c1 === Ch.Gt) return c2 === Ch.Eq ? ">>=" : ">>";
        return c1 === Ch.Eq ? ">=" : ">";
      case Ch.Eq:
        return c1 === Ch.Eq ? "==" : "=";
      case Ch.Bang:
        return c1 === Ch.Eq ? "!=" : null;
      case Ch.Colon:
        return c1 === Ch.Eq ? ":=" : ":";
      case Ch.Dot:
        return c1 === Ch.Dot && c2 === Ch.Dot ? "..." : ".";
      case Ch.Comma:
        return ",";
      case Ch.Semi:
        return ";";
      default:
        return null;
    }
  }

  private scanNumber(tokens: Token[], start: number): void {
    const text = this.text;
    // Fast path: plain decimal integers and floats (`12`, `0.5`, `3.`), the common case.
    {
      let q = start;
      while (q < this.length && isDigit(text.charCodeAt(q))) q++;
      const leadingZero = text.charCodeAt(start) === Ch.D0 && q - start > 1;
      let d = text.charCodeAt(q);
      if (d === Ch.Dot) {
        q++;
        while (q < this.length && isDigit(text.charCodeAt(q))) q++;
        d = text.charCodeAt(q);
        if (!(q < this.length && (isPotentialIdChar(d) || d === Ch.Dot))) {
          this.pos = q;
          this.pushSimple(tokens, TokenKind.Number, text.slice(start, q), start, q);
          return;
        }
      } else if (q > start && !leadingZero && !(q < this.length && isPotentialIdChar(d))) {
        this.pos = q;
        this.pushSimple(tokens, TokenKind.Number, text.slice(start, q), start, q);
        return;
      }
    }
    // Slow path, with CPython's checks; `this.pos` is the cursor.
    this.pos = start;
    const c0 = text.charCodeAt(start);
    if (c0 === Ch.D0) {
      const x = text.charCodeAt(start + 1) | 0x20;
      if (x === 120 /* x */ || x === 111 /* o */ || x === 98 /* b */) {
        this.pos += 2;
        const base = x === 120 ? 16 : x === 111 ? 8 : 2;
        const kind = x === 120 ? "hexadecimal" : x === 111 ? "octal" : "binary";
        if (text.charCodeAt(this.pos) === Ch.Underscore) this.pos++;
        const d0 = text.charCodeAt(this.pos);
        if (!isDigitOfBase(d0, base)) {
          if (base !== 16 && isDigit(d0)) {
            this.numberError(
              `invalid digit '${String.fromCharCode(d0)}' in ${kind} literal`,
              this.pos,
              this.pos + 1,
            );
          } else {
            this.numberError(`invalid ${kind} literal`, this.pos - 1, this.pos);
          }
          return;
        }
        if (!this.digits(base)) {
          this.numberError(`invalid ${kind} literal`, this.pos - 1, this.pos);
          return;
        }
        const d = text.charCodeAt(this.pos);
        if (base !== 16 && isDigit(d)) {
          this.numberError(
            `invalid digit '${String.fromCharCode(d)}' in ${kind} literal`,
            this.pos,
            this.pos + 1,
          );
          return;
        }
        if (!this.numberEndOk(kind, start)) return;
        this.pushSimple(tokens, TokenKind.Number, text.slice(start, this.pos), start, this.pos);
        return;
      }
    }
    let isFloat = false;
    let nonZero = false;
    if (c0 !== Ch.Dot) {
      if (!this.digits(10)) {
        this.numberError("invalid decimal literal", this.pos - 1, this.pos);
        return;
      }
      for (let q = start; q < this.pos; q++) {
        const d = text.charCodeAt(q);
        if (d !== Ch.D0 && d !== Ch.Underscore) nonZero = true;
      }
    }
    if (text.charCodeAt(this.pos) === Ch.Dot) {
      isFloat = true;
      this.pos++;
      if (isDigit(text.charCodeAt(this.pos)) && !this.digits(10)) {
        this.numberError("invalid decimal literal", this.pos - 1, this.pos);
        return;
      }
    }
    if ((text.charCodeAt(this.pos) | 0x20) === 101 /* e */) {
      const save = this.pos;
      this.pos++;
      const sign = text.charCodeAt(this.pos);
      if (sign === Ch.Plus || sign === Ch.Minus) this.pos++;
      if (!isDigit(text.charCodeAt(this.pos))) {
        if (sign === Ch.Plus || sign === Ch.Minus) {
          this.numberError("invalid decimal literal", this.pos - 1, this.pos);
          return;
        }
        // `1e` followed by something else: CPython calls the number invalid.
        this.pos = save;
        if (!this.numberEndOk("decimal", start)) return;
      } else {
        isFloat = true;
        if (!this.digits(10)) {
          this.numberError("invalid decimal literal", this.pos - 1, this.pos);
          return;
        }
      }
    }
    if ((text.charCodeAt(this.pos) | 0x20) === 106 /* j */) {
      this.pos++;
      if (!this.numberEndOk("imaginary", start)) return;
    } else {
      if (!isFloat && c0 === Ch.D0 && nonZero) {
        this.pushError(
          "SyntaxError",
          "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
          start,
          this.pos,
          true,
        );
        return;
      }
      if (!this.numberEndOk("decimal", start)) return;
    }
    this.pushSimple(tokens, TokenKind.Number, text.slice(start, this.pos), start, this.pos);
  }

  /** Reads digits with single underscores between them; false on a misplaced underscore. */
  private digits(base: number): boolean {
    const text = this.text;
    for (;;) {
      while (this.pos < this.length && isDigitOfBase(text.charCodeAt(this.pos), base)) this.pos++;
      if (text.charCodeAt(this.pos) !== Ch.Underscore) return true;
      this.pos++;
      if (!isDigitOfBase(text.charCodeAt(this.pos), base)) return false;
    }
  }

  /** CPython's verify_end_of_number. */
  private numberEndOk(kind: string, start: number): boolean {
    const c = this.text.charCodeAt(this.pos);
    if (this.pos < this.length && isPotentialIdChar(c)) {
      if (this.followedByKeywordAfterNumber(this.pos)) return true;
      // CPython reports it at the number's last character.
      this.numberError(`invalid ${kind} literal`, Math.max(start, this.pos - 1), this.pos);
      return false;
    }
    return true;
  }

  private numberError(message: string, errStart: number, errEnd: number): void {
    // Skip the rest of the would-be number so that one typo gives one error.
    const text = this.text;
    let q = Math.max(errEnd, this.pos);
    while (q < this.length && (isPotentialIdChar(text.charCodeAt(q)) || text.charCodeAt(q) === Ch.Dot)) q++;
    this.pos = q;
    this.pushError("SyntaxError", message, errStart, errEnd, true);
  }

  /** The keywords CPython allows right after a number (with a deprecation warning). */
  private followedByKeywordAfterNumber(p: number): boolean {
    const text = this.text;
    const c = text.charCodeAt(p);
    const rest = (s: string) => text.startsWith(s, p + 1);
    switch (c) {
      case 97:
        return rest("nd");
      case 101:
        return rest("lse");
      case 102:
        return rest("or");
      case 105: {
        const d = text.charCodeAt(p + 1);
        return d === 102 || d === 110 || d === 115;
      }
      case 111:
        return rest("r");
      case 110:
        return rest("ot");
      default:
        return false;
    }
  }

  /** Scans a string literal whose prefix starts at `start` and quote at `quotePos`. */
  private scanString(
    tokens: Token[],
    start: number,
    quotePos: number,
    pushError: (
      kind: ParseErrorKind,
      message: string,
      s: number,
      e: number,
      raises: boolean,
      startLine?: number,
      startLineStart?: number,
    ) => Token,
  ): void {
    const text = this.text;
    const len = this.length;
    const quote = text.charCodeAt(quotePos);
    const startLine = this.line;
    const startLineStart = this.lineStart;
    let p = quotePos + 1;
    const triple = text.charCodeAt(p) === quote && text.charCodeAt(p + 1) === quote;
    if (triple) p += 2;
    for (;;) {
      if (p >= len) {
        this.pos = len;
        // CPython counts the lines it has read: a final line break does not start another.
        const last = text.charCodeAt(len - 1);
        const detected = last === Ch.LF || last === Ch.CR ? this.line : this.line + 1;
        const message = triple
          ? `unterminated triple-quoted string literal (detected at line ${detected})`
          : `unterminated string literal (detected at line ${detected})`;
        pushError("SyntaxError", message, start, len, true, startLine, startLineStart);
        return;
      }
      const c = text.charCodeAt(p);
      if (c === quote) {
        if (!triple) {
          p++;
          break;
        }
        if (text.charCodeAt(p + 1) === quote && text.charCodeAt(p + 2) === quote) {
          p += 3;
          break;
        }
        p++;
        continue;
      }
      if (c === Ch.Backslash) {
        const d = text.charCodeAt(p + 1);
        if (d === Ch.CR && text.charCodeAt(p + 2) === Ch.LF) {
          p += 3;
          newLineIn(this, p);
        } else if (d === Ch.LF || d === Ch.CR) {
          p += 2;
          newLineIn(this, p);
        } else {
          p += p + 1 < len ? 2 : 1;
        }
        continue;
      }
      if (c === Ch.LF || c === Ch.CR) {
        if (!triple) {
          this.pos = p;
          pushError(
            "SyntaxError",
            `unterminated string literal (detected at line ${this.line + 1})`,
            start,
            p,
            true,
            startLine,
            startLineStart,
          );
          return;
        }
        p += c === Ch.CR && text.charCodeAt(p + 1) === Ch.LF ? 2 : 1;
        newLineIn(this, p);
        continue;
      }
      p++;
    }
    this.pos = p;
    tokens.push(
      newToken(
        TokenKind.String,
        text.slice(start, p),
        start,
        p,
        startLine,
        this.colAt(start, startLine, startLineStart),
        this.line,
        this.colAt(p, this.line, this.lineStart),
        undefined,
        false,
      ),
    );
  }
}

function newLineIn(tokenizer: Tokenizer, afterNewline: number): void {
  // Private fields are reachable from this module; keeps scanString's loop tight.
  (tokenizer as unknown as { line: number; lineStart: number }).line++;
  (tokenizer as unknown as { line: number; lineStart: number }).lineStart = afterNewline;
}
