/**
 * Recursive-descent parser for Python 3.11 over the tokens of one chunk (see tokenizer.ts),
 * producing the CPython-shaped tree of ast.ts. Error wording and positions follow CPython's
 * PEG parser (its `invalid_*` rules); a statement that fails becomes an ErrorStmt and
 * parsing resumes at the next statement of the same block.
 */
import type * as ast from "./ast";
import { SourceRange } from "./source-range";
import { decodeEscapes, findBadEscape, splitString } from "./strings";
import {
  type Chunk,
  TokenKind as ImportedTokenKind,
  type Token,
  Tokenizer,
  type TokenizerError,
} from "./tokenizer";

/**
 * A module-local alias: imported bindings can compile to getter calls (tsx's module
 * interop), which costs on the hot path; a local constant does not.
 */
const TokenKind = ImportedTokenKind;

type Position = ast.Position;
type Range = ast.Range;

/** A syntax error found while parsing one chunk, with what the document needs to rank it. */
export interface ChunkError {
  error: ast.ParseError;
  /** Set when the error is a tokenizer error that the parser ran into. */
  tokenizerError: TokenizerError | null;
  /** Line of the furthest token the parser had looked at when it failed (CPython's rule). */
  stopLine: number;
  /** Column of that token: tokenizer errors after it may take priority. */
  stopColumn: number;
}

export interface ChunkParse {
  body: ast.Stmt[];
  /** Syntax errors in source order (the first is what CPython would report for this chunk). */
  errors: ChunkError[];
  /** Errors CPython's compiler (not its parser) reports: 'return' outside function, ... */
  compileErrors: ast.ParseError[];
  /** Every range object in the tree, for shifting lines when the chunk moves. */
  ranges: SourceRange[];
}

const AUG_OPS: Record<string, ast.Operator> = {
  "+=": "Add",
  "-=": "Sub",
  "*=": "Mult",
  "@=": "MatMult",
  "/=": "Div",
  "%=": "Mod",
  "**=": "Pow",
  "<<=": "LShift",
  ">>=": "RShift",
  "|=": "BitOr",
  "^=": "BitXor",
  "&=": "BitAnd",
  "//=": "FloorDiv",
};

const BIN_OPS: Record<string, [number, ast.Operator]> = {
  "|": [1, "BitOr"],
  "^": [2, "BitXor"],
  "&": [3, "BitAnd"],
  "<<": [4, "LShift"],
  ">>": [4, "RShift"],
  "+": [5, "Add"],
  "-": [5, "Sub"],
  "*": [6, "Mult"],
  "/": [6, "Div"],
  "//": [6, "FloorDiv"],
  "%": [6, "Mod"],
  "@": [6, "MatMult"],
};

const COMPARE_OPS: Record<string, ast.CmpOp> = {
  "==": "Eq",
  "!=": "NotEq",
  "<": "Lt",
  "<=": "LtE",
  ">": "Gt",
  ">=": "GtE",
};

/**
 * Every empty list of the tree (call keywords, arguments, ...): thousands of them in a large
 * config, and each empty array is an object kept for the tree's lifetime. Never modified.
 */
const EMPTY: never[] = [];

/**
 * A copy without spare capacity. An array grown by push keeps room for 17 elements; the tree
 * has tens of thousands of short lists, and the spare room was a quarter of its memory.
 */
function exact<T>(items: T[]): T[] {
  return items.length === 0 ? EMPTY : items.slice();
}

/** Nesting of recursive calls we allow before bailing out (the stack must never overflow). */
const MAX_DEPTH = 1500;

/** Thrown to abandon the current statement; caught at statement level. */
class Failure {
  constructor(readonly chunkError: ChunkError) {}
}

type TargetKind = "star" | "del" | "for";

interface ParserOptions {
  /** f-string expressions: errors get the "f-string: " prefix. */
  fstring?: boolean;
}

export class Parser {
  // Fields are `declare`d and set in the constructor (one parser per chunk): class fields would
  // cost an initializer call per parser.
  declare private readonly tokens: Token[];
  declare private i: number;
  declare private furthest: number;
  declare private depth: number;
  declare private readonly errors: ChunkError[];
  declare private readonly compileErrors: ast.ParseError[];
  declare readonly ranges: SourceRange[];
  /** Expressions written in parentheses (matters for targets); created on first use. */
  declare private parenthesizedSet: Set<ast.Expr> | null;
  private get parenthesized(): Set<ast.Expr> {
    return this.parenthesizedSet ?? (this.parenthesizedSet = new Set());
  }
  declare private functionDepth: number;
  /** Inside an `async def` (not nested in another def/lambda/class). */
  declare private inAsync: boolean;
  declare private classDepth: number;
  declare private loopDepth: number;
  declare private readonly fstring: boolean;

  /** The text the tokens point into (for source spans). */
  declare private readonly source: string;

  constructor(tokens: Token[], source: string, options: ParserOptions = {}) {
    this.tokens = tokens;
    this.i = 0;
    this.furthest = 0;
    this.depth = 0;
    this.errors = [];
    this.compileErrors = [];
    this.ranges = [];
    this.parenthesizedSet = null;
    this.functionDepth = 0;
    this.inAsync = false;
    this.classDepth = 0;
    this.loopDepth = 0;
    this.lastCompleteExpression = null;
    this.source = source;
    this.fstring = options.fstring ?? false;
  }

  // ------------------------------------------------------------ entry points

  parseChunk(): ChunkParse {
    const body = this.statements(true);
    return { body, errors: this.errors, compileErrors: this.compileErrors, ranges: exact(this.ranges) };
  }

  /** f-string replacement field: `(expr)` tokens; returns the inner star expressions. */
  parseFStringExpression(): ast.Expr {
    // Tokens are `(` expr `)` NEWLINE ENDMARKER.
    this.expectOp("(");
    const value = this.starExpressionsOrYield();
    this.expectOp(")");
    return value;
  }

  // ------------------------------------------------------------ token helpers

  private peek(): Token {
    if (this.i > this.furthest) this.furthest = this.i;
    return this.tokens[this.i];
  }
  private peekAt(k: number): Token {
    const j = Math.min(this.i + k, this.tokens.length - 1);
    if (j > this.furthest) this.furthest = j;
    return this.tokens[j];
  }
  private next(): Token {
    const token = this.tokens[this.i];
    if (token.kind === TokenKind.Error) this.failAtTokenizerError(token);
    if (this.i < this.tokens.length - 1) this.i++;
    if (this.i > this.furthest) this.furthest = this.i;
    return token;
  }
  private get prev(): Token {
    return this.tokens[this.i - 1];
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === TokenKind.Op && t.value === value;
  }
  private isKeyword(value: string): boolean {
    const t = this.peek();
    return t.kind === TokenKind.Name && t.value === value;
  }
  private isName(): boolean {
    const t = this.peek();
    return t.kind === TokenKind.Name && !t.keyword;
  }
  private eatOp(value: string): boolean {
    if (this.isOp(value)) {
      this.next();
      return true;
    }
    return false;
  }
  private eatKeyword(value: string): boolean {
    if (this.isKeyword(value)) {
      this.next();
      return true;
    }
    return false;
  }
  private expectOp(value: string): Token {
    if (!this.isOp(value)) this.fail();
    return this.next();
  }
  private expectKeyword(value: string): Token {
    if (!this.isKeyword(value)) this.fail();
    return this.next();
  }
  private expectName(): Token {
    if (!this.isName()) this.fail();
    return this.next();
  }
  private expectColon(): void {
    if (this.isOp(":")) {
      this.next();
      return;
    }
    this.failWith("expected ':'", this.rangeOfToken(this.peek()));
  }

  // ------------------------------------------------------------ positions

  // Positions are transient (arguments for the ranges below); only ranges end up in the tree.
  private pos(line: number, character: number): Position {
    return { line, character };
  }
  private startOf(token: Token): Position {
    return token.startPos ?? (token.startPos = this.pos(token.line, token.col));
  }
  private endOf(token: Token): Position {
    return token.endPos ?? (token.endPos = this.pos(token.endLine, token.endCol));
  }
  /** Every range of the tree is made here, so that the chunk can shift them all. */
  private newRange(startLine: number, startCharacter: number, endLine: number, endCharacter: number): Range {
    const range = new SourceRange(startLine, startCharacter, endLine, endCharacter);
    this.ranges.push(range);
    return range;
  }
  private range(start: Position, end: Position): Range {
    return this.newRange(start.line, start.character, end.line, end.character);
  }
  private rangeOfToken(token: Token): Range {
    return token.range ?? (token.range = this.newRange(token.line, token.col, token.endLine, token.endCol));
  }
  /** Range from a start position to the end of the last consumed token. */
  private rangeFrom(start: Position): Range {
    const last = this.prev;
    return this.newRange(start.line, start.character, last.endLine, last.endCol);
  }
  private span(a: { range: Range }, b: { range: Range }): Range {
    const from = a.range as SourceRange;
    const to = b.range as SourceRange;
    return this.newRange(from.startLine, from.startCharacter, to.endLine, to.endCharacter);
  }
  /** CPython's node extent: first token of the rule to the last token consumed. */
  private rangeFromToken(first: Token): Range {
    const last = this.prev;
    return this.newRange(first.line, first.col, last.endLine, last.endCol);
  }
  /** End of the last consumed token that is not NEWLINE/INDENT/DEDENT (compound statements). */
  private endOfLastSignificant(): Position {
    let j = this.i - 1;
    while (j > 0) {
      const k = this.tokens[j].kind;
      if (
        k !== TokenKind.Newline &&
        k !== TokenKind.Indent &&
        k !== TokenKind.Dedent &&
        k !== TokenKind.EndMarker
      )
        break;
      j--;
    }
    return this.endOf(this.tokens[j]);
  }

  // ------------------------------------------------------------ errors

  private makeError(message: string, range: Range, kind: ast.ParseErrorKind = "SyntaxError"): ChunkError {
    const stop = this.tokens[this.furthest];
    return {
      error: { kind, message: this.fstring ? `f-string: ${message}` : message, range },
      tokenizerError: null,
      stopLine: stop.line,
      stopColumn: stop.col,
    };
  }
  private failWith(message: string, range: Range, kind: ast.ParseErrorKind = "SyntaxError"): never {
    throw new Failure(this.makeError(message, range, kind));
  }
  /** Generic "invalid syntax" at the furthest token looked at (as CPython's first pass). */
  private fail(): never {
    const token = this.tokens[this.furthest];
    if (token.kind === TokenKind.Error) this.failAtTokenizerError(token);
    if (token.kind === TokenKind.Indent) {
      this.failWith("unexpected indent", this.indentRange(token), "IndentationError");
    }
    if (token.kind === TokenKind.Dedent && this.furthest > 0) {
      // CPython: a DEDENT where a statement must continue.
      this.failWith("unexpected unindent", this.rangeOfToken(token), "IndentationError");
    }
    this.failWith("invalid syntax", this.rangeOfToken(token));
  }
  private indentRange(token: Token): Range {
    // CPython points one character before the first token of the indented line.
    const col = Math.max(0, token.col - 1);
    return this.newRange(token.line, col, token.line, col);
  }
  private failAtTokenizerError(token: Token): never {
    const te = token.error;
    if (!te) {
      // A character CPython's tokenizer rejects without a message of its own.
      this.furthest = Math.max(this.furthest, this.tokens.indexOf(token));
      this.failWith("invalid syntax", this.rangeOfToken(token));
    }
    throw new Failure({
      error: {
        kind: te.kind,
        message: te.message,
        range: this.newRange(te.line, te.col, te.endLine, te.endCol),
      },
      tokenizerError: te,
      stopLine: token.line,
      stopColumn: token.col,
    });
  }
  private compileError(message: string, range: Range): void {
    this.compileErrors.push({ kind: "SyntaxError", message, range, fromCompiler: true });
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      // CPython runs out of parser stack here (a bare MemoryError); say what happened.
      this.failWith("Python source too complex to parse (nested too deeply)", this.rangeOfToken(this.peek()));
    }
  }

  // ------------------------------------------------------------ statements

  /** Statements until DEDENT (block) or ENDMARKER (chunk), recovering from failures. */
  private statements(topLevel: boolean): ast.Stmt[] {
    const body: ast.Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === TokenKind.EndMarker) break;
      if (t.kind === TokenKind.Dedent) {
        if (topLevel) {
          this.next();
          continue;
        }
        break;
      }
      if (t.kind === TokenKind.Newline) {
        // Only after an error token that ended a line.
        this.next();
        continue;
      }
      const startIndex = this.i;
      const savedDepth = this.depth;
      const savedFunction = this.functionDepth;
      const savedLoop = this.loopDepth;
      const savedClass = this.classDepth;
      const savedAsync = this.inAsync;
      try {
        if (t.kind === TokenKind.Indent) {
          this.furthest = this.i;
          this.fail();
        }
        this.statement(body);
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        this.depth = savedDepth;
        this.functionDepth = savedFunction;
        this.loopDepth = savedLoop;
        this.classDepth = savedClass;
        this.inAsync = savedAsync;
        this.errors.push(e.chunkError);
        body.push(this.recover(startIndex));
      }
    }
    return exact(body);
  }

  /** Skips the rest of a failed statement and turns its tokens into an ErrorStmt. */
  private recover(startIndex: number): ast.ErrorStmt {
    const tokens = this.tokens;
    let j = Math.max(startIndex, this.i);
    let level = 0;
    for (;;) {
      const t = tokens[j];
      if (t.kind === TokenKind.EndMarker) break;
      if (t.kind === TokenKind.Indent) level++;
      else if (t.kind === TokenKind.Dedent) {
        if (level === 0) break;
        level--;
        if (level === 0 && tokens[j + 1].kind !== TokenKind.Indent && !this.isClauseStart(j + 1)) {
          j++;
          break;
        }
      } else if (t.kind === TokenKind.Newline && level === 0) {
        const after = tokens[j + 1];
        if (after.kind !== TokenKind.Indent) {
          j++;
          break;
        }
      }
      j++;
    }
    if (j <= startIndex) j = startIndex + 1;
    this.i = Math.min(j, tokens.length - 1);
    this.furthest = Math.max(this.furthest, this.i);
    // The statement's extent: its first token to the last real token.
    let last = this.i - 1;
    while (
      last > startIndex &&
      (tokens[last].kind === TokenKind.Newline ||
        tokens[last].kind === TokenKind.Dedent ||
        tokens[last].kind === TokenKind.Indent ||
        tokens[last].kind === TokenKind.EndMarker)
    ) {
      last--;
    }
    const first = tokens[startIndex];
    const range = this.range(this.startOf(first), this.endOf(tokens[last]));
    return {
      type: "Error",
      range,
      partial: null,
      definedNames: this.guessDefinedNames(startIndex, last),
    };
  }

  private isClauseStart(j: number): boolean {
    const t = this.tokens[j];
    return (
      t.kind === TokenKind.Name &&
      (t.value === "else" || t.value === "elif" || t.value === "except" || t.value === "finally")
    );
  }

  /** Best-effort names a broken statement defines, read from its tokens. */
  private guessDefinedNames(first: number, last: number): { name: string; range: Range }[] {
    const tokens = this.tokens;
    const names: { name: string; range: Range }[] = [];
    const add = (t: Token) => names.push({ name: t.value, range: this.rangeOfToken(t) });
    const isPlainName = (t: Token | undefined) => t !== undefined && t.kind === TokenKind.Name && !t.keyword;
    let j = first;
    while (tokens[j].kind === TokenKind.Indent || tokens[j].kind === TokenKind.Dedent) j++;
    const t = tokens[j];
    if (t === undefined || j > last) return names;
    if (t.kind === TokenKind.Op && t.value === "@") {
      // Decorated definition: look for the def/class line.
      for (let k = j; k <= last; k++) {
        if (tokens[k].kind === TokenKind.Newline && k + 1 <= last) return this.guessDefinedNames(k + 1, last);
      }
      return names;
    }
    if (t.kind === TokenKind.Name && (t.value === "def" || t.value === "class" || t.value === "async")) {
      const nameToken = t.value === "async" ? tokens[j + 2] : tokens[j + 1];
      if (isPlainName(nameToken) && j + 1 <= last) add(nameToken);
      return names;
    }
    if (t.kind === TokenKind.Name && t.value === "import") {
      for (let k = j + 1; k <= last; k++) {
        const n = tokens[k];
        if (n.kind === TokenKind.Newline) break;
        if (!isPlainName(n)) continue;
        const before = tokens[k - 1];
        const after = tokens[k + 1];
        if (before.kind === TokenKind.Name && before.value === "as") add(n);
        else if (before.value === "import" || before.value === ",") {
          // `import a.b` binds `a`, unless an `as` follows the dotted name.
          let m = k + 1;
          while (m + 1 <= last && tokens[m].value === "." && tokens[m + 1].kind === TokenKind.Name) m += 2;
          const follows = tokens[m];
          if (!(m <= last && follows.kind === TokenKind.Name && follows.value === "as")) add(n);
          if (after === undefined) break;
        }
      }
      return names;
    }
    if (t.kind === TokenKind.Name && t.value === "from") {
      let k = j;
      while (k <= last && !(tokens[k].kind === TokenKind.Name && tokens[k].value === "import")) k++;
      for (k++; k <= last; k++) {
        const n = tokens[k];
        if (n.kind === TokenKind.Newline) break;
        if (!isPlainName(n)) continue;
        const after = tokens[k + 1];
        if (after && after.kind === TokenKind.Name && after.value === "as" && k + 1 <= last) continue;
        add(n);
      }
      return names;
    }
    // Assignment: names (possibly in tuples/lists/starred) before the first `=` at depth 0.
    const candidates: Token[] = [];
    let depth = 0;
    for (let k = j; k <= last; k++) {
      const n = tokens[k];
      if (n.kind === TokenKind.Op) {
        if (n.value === "(" || n.value === "[") depth++;
        else if (n.value === ")" || n.value === "]") depth--;
        else if (n.value === "=" && depth === 0) {
          for (const c of candidates) add(c);
          candidates.length = 0;
        } else if (n.value !== "," && n.value !== "*") {
          candidates.length = 0;
          // Not a plain target list any more; later `=` may still start a chained target.
          if (n.value === ":" && depth === 0) break;
        }
      } else if (isPlainName(n)) {
        candidates.push(n);
        const after = tokens[k + 1];
        if (after && after.kind === TokenKind.Op && (after.value === "." || after.value === "(")) {
          candidates.length = 0;
          // Skip to the next `=`: an attribute or call is not a definition.
          while (k < last && !(tokens[k + 1].kind === TokenKind.Op && tokens[k + 1].value === "=")) {
            if (tokens[k + 1].kind === TokenKind.Newline) break;
            k++;
          }
        }
      } else if (n.kind === TokenKind.Newline) break;
      else candidates.length = 0;
    }
    return names;
  }

  /** One logical line's statements or one compound statement, appended to `out`. */
  private statement(out: ast.Stmt[]): void {
    const t = this.peek();
    if (t.kind === TokenKind.Name) {
      switch (t.value) {
        case "def":
          out.push(this.functionDef(EMPTY, null));
          return;
        case "class":
          out.push(this.classDef(EMPTY));
          return;
        case "if":
          out.push(this.ifStmt());
          return;
        case "while":
          out.push(this.whileStmt());
          return;
        case "for":
          out.push(this.forStmt(null));
          return;
        case "try":
          out.push(this.tryStmt());
          return;
        case "with":
          out.push(this.withStmt(null));
          return;
        case "async": {
          const n = this.peekAt(1);
          if (n.kind === TokenKind.Name) {
            if (n.value === "def") {
              const asyncToken = this.next();
              out.push(this.functionDef(EMPTY, asyncToken));
              return;
            }
            if (n.value === "for") {
              const asyncToken = this.next();
              out.push(this.forStmt(asyncToken));
              return;
            }
            if (n.value === "with") {
              const asyncToken = this.next();
              out.push(this.withStmt(asyncToken));
              return;
            }
          }
          break;
        }
        case "match": {
          const m = this.tryMatchStmt();
          if (m) {
            out.push(m);
            return;
          }
          break;
        }
      }
    } else if (t.kind === TokenKind.Op && t.value === "@") {
      out.push(this.decorated());
      return;
    }
    this.simpleStatements(out);
  }

  private simpleStatements(out: ast.Stmt[]): void {
    for (;;) {
      out.push(this.simpleStatement());
      if (this.eatOp(";")) {
        if (this.peek().kind === TokenKind.Newline) break;
        continue;
      }
      break;
    }
    const t = this.peek();
    if (t.kind !== TokenKind.Newline) {
      this.fail();
    }
    this.next();
  }

  private simpleStatement(): ast.Stmt {
    this.enter();
    try {
      return this.simpleStatementInner();
    } finally {
      this.depth--;
    }
  }

  private simpleStatementInner(): ast.Stmt {
    const t = this.peek();
    if (t.kind === TokenKind.Name) {
      switch (t.value) {
        case "pass":
          this.next();
          return { type: "Pass", range: this.rangeOfToken(t) };
        case "break":
          this.next();
          if (this.loopDepth === 0) this.compileError("'break' outside loop", this.rangeOfToken(t));
          return { type: "Break", range: this.rangeOfToken(t) };
        case "continue":
          this.next();
          if (this.loopDepth === 0)
            this.compileError("'continue' not properly in loop", this.rangeOfToken(t));
          return { type: "Continue", range: this.rangeOfToken(t) };
        case "return": {
          this.next();
          const start = this.startOf(t);
          const value = this.atSimpleStatementEnd() ? null : this.starExpressions();
          const node: ast.Return = { type: "Return", range: this.rangeFrom(start), value };
          if (this.functionDepth === 0) this.compileError("'return' outside function", node.range);
          return node;
        }
        case "raise": {
          this.next();
          const start = this.startOf(t);
          let exc: ast.Expr | null = null;
          let cause: ast.Expr | null = null;
          if (!this.atSimpleStatementEnd()) {
            exc = this.expression();
            if (this.eatKeyword("from")) cause = this.expression();
          }
          return { type: "Raise", range: this.rangeFrom(start), exc, cause };
        }
        case "global":
        case "nonlocal": {
          this.next();
          const start = this.startOf(t);
          const names: string[] = [];
          const nameRanges: Range[] = [];
          do {
            const n = this.expectName();
            names.push(n.value);
            nameRanges.push(this.rangeOfToken(n));
          } while (this.eatOp(","));
          const range = this.rangeFrom(start);
          if (t.value === "nonlocal") {
            if (this.functionDepth === 0 && this.classDepth === 0) {
              this.compileError("nonlocal declaration not allowed at module level", range);
            }
            return { type: "Nonlocal", range, names, nameRanges };
          }
          return { type: "Global", range, names, nameRanges };
        }
        case "del": {
          this.next();
          const start = this.startOf(t);
          const targets: ast.Expr[] = [];
          do {
            if (this.atSimpleStatementEnd()) break;
            const target = this.bitwiseOrOrStar();
            this.checkTarget(target, "del");
            targets.push(target);
          } while (this.eatOp(","));
          if (targets.length === 0) this.fail();
          return { type: "Delete", range: this.rangeFrom(start), targets };
        }
        case "assert": {
          this.next();
          const start = this.startOf(t);
          const test = this.expression();
          const msg = this.eatOp(",") ? this.expression() : null;
          return { type: "Assert", range: this.rangeFrom(start), test, msg };
        }
        case "import":
          return this.importStmt();
        case "from":
          return this.importFrom();
      }
    }
    return this.expressionStatement();
  }

  private atSimpleStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === TokenKind.Newline || (t.kind === TokenKind.Op && t.value === ";");
  }

  private importStmt(): ast.Import {
    const t = this.next();
    const start = this.startOf(t);
    const names: ast.Alias[] = [];
    do {
      const first = this.expectName();
      let name = first.value;
      while (this.eatOp(".")) name += `.${this.expectName().value}`;
      let asname: string | null = null;
      let asnameRange: Range | null = null;
      if (this.eatKeyword("as")) {
        const a = this.expectName();
        asname = a.value;
        asnameRange = this.rangeOfToken(a);
      }
      names.push({ type: "alias", range: this.rangeFrom(this.startOf(first)), name, asname, asnameRange });
    } while (this.eatOp(","));
    return { type: "Import", range: this.rangeFrom(start), names };
  }

  private importFrom(): ast.ImportFrom {
    const t = this.next();
    const start = this.startOf(t);
    let level = 0;
    for (;;) {
      if (this.eatOp(".")) level++;
      else if (this.eatOp("...")) level += 3;
      else break;
    }
    let module: string | null = null;
    let moduleRange: Range | null = null;
    if (!this.isKeyword("import")) {
      const first = this.expectName();
      module = first.value;
      while (this.eatOp(".")) module += `.${this.expectName().value}`;
      moduleRange = this.rangeFrom(this.startOf(first));
    } else if (level === 0) {
      this.fail();
    }
    this.expectKeyword("import");
    const names: ast.Alias[] = [];
    if (this.isOp("*")) {
      const star = this.next();
      names.push({
        type: "alias",
        range: this.rangeOfToken(star),
        name: "*",
        asname: null,
        asnameRange: null,
      });
    } else {
      const paren = this.eatOp("(");
      do {
        if (paren && this.isOp(")") && names.length > 0) break;
        if (!paren && names.length > 0 && this.atSimpleStatementEnd()) {
          this.failWith(
            "trailing comma not allowed without surrounding parentheses",
            this.rangeOfToken(this.peek()),
          );
        }
        const n = this.expectName();
        let asname: string | null = null;
        let asnameRange: Range | null = null;
        if (this.eatKeyword("as")) {
          const a = this.expectName();
          asname = a.value;
          asnameRange = this.rangeOfToken(a);
        }
        names.push({
          type: "alias",
          range: this.rangeFrom(this.startOf(n)),
          name: n.value,
          asname,
          asnameRange,
        });
      } while (this.eatOp(","));
      if (paren) this.expectOp(")");
      else if (this.prev.kind === TokenKind.Op && this.prev.value === ",") {
        this.failWith(
          "trailing comma not allowed without surrounding parentheses",
          this.rangeOfToken(this.prev),
        );
      }
    }
    return { type: "ImportFrom", range: this.rangeFrom(start), module, moduleRange, names, level };
  }

  private expressionStatement(): ast.Stmt {
    const first = this.peek();
    if (first.kind === TokenKind.Name && first.value === "yield") {
      const y = this.yieldExpr();
      if (this.isOp("=")) {
        this.failWith("assignment to yield expression not possible", y.range);
      }
      return { type: "Expr", range: this.rangeFromToken(first), value: y };
    }
    const e = this.starExpressions();
    const t = this.peek();
    if (t.kind === TokenKind.Op) {
      if (t.value === "=") return this.assignment(e, first);
      const aug = AUG_OPS[t.value];
      if (aug !== undefined) {
        if (e.type !== "Name" && e.type !== "Attribute" && e.type !== "Subscript") {
          this.failWith(`'${exprName(e)}' is an illegal expression for augmented assignment`, e.range);
        }
        this.checkTarget(e, "star");
        this.next();
        const value = this.starExpressionsOrYield();
        return { type: "AugAssign", range: this.rangeFromToken(first), target: e, op: aug, value };
      }
      if (t.value === ":") {
        if (e.type === "Tuple" && !this.parenthesized.has(e)) {
          this.fail();
        }
        if (e.type === "Tuple" || e.type === "List") {
          this.failWith(
            `only single target (not ${e.type === "Tuple" ? "tuple" : "list"}) can be annotated`,
            e.range,
          );
        }
        if (e.type !== "Name" && e.type !== "Attribute" && e.type !== "Subscript") {
          this.failWith("illegal target for annotation", e.range);
        }
        this.next();
        const annotation = this.expression();
        let value: ast.Expr | null = null;
        if (this.eatOp("=")) value = this.starExpressionsOrYield();
        this.setContext(e, "Store");
        const simple = e.type === "Name" && !this.parenthesized.has(e) ? 1 : 0;
        return {
          type: "AnnAssign",
          range: this.rangeFromToken(first),
          target: e,
          annotation,
          value,
          simple,
        };
      }
    }
    if (
      e.type === "Name" &&
      (e.id === "print" || e.id === "exec") &&
      !this.parenthesized.has(e) &&
      !this.atSimpleStatementEnd()
    ) {
      // Python 2 print/exec statement.
      const saved = this.i;
      try {
        const arg = this.starExpressions();
        this.failWith(
          `Missing parentheses in call to '${e.id}'. Did you mean ${e.id}(...)?`,
          this.span(e, arg),
        );
      } catch (err) {
        if (err instanceof Failure && err.chunkError.error.message.startsWith("Missing parentheses"))
          throw err;
        this.i = saved;
      }
    }
    if (!this.atSimpleStatementEnd()) this.failAfterExpression(e);
    return { type: "Expr", range: this.rangeFromToken(first), value: e };
  }

  /** The failure after a complete expression: CPython's invalid_expression hints first. */
  private failAfterExpression(e: ast.Expr): never {
    const t = this.peek();
    if (t.kind === TokenKind.Name && t.value === "if" && !this.isInBrackets()) {
      // `x = 1 if 2` without else.
      const saved = this.i;
      try {
        this.next();
        this.disjunction();
        if (!this.isKeyword("else")) {
          this.failWith("expected 'else' after 'if' expression", this.rangeFrom(e.range.start));
        }
      } catch (err) {
        if (err instanceof Failure && err.chunkError.error.message.startsWith("expected 'else'")) throw err;
      }
      this.i = saved;
    }
    this.fail();
  }

  private isInBrackets(): boolean {
    return false;
  }

  private assignment(first: ast.Expr, firstToken: Token): ast.Stmt {
    const targets: ast.Expr[] = [first];
    let value: ast.Expr | null = null;
    while (this.eatOp("=")) {
      const v = this.starExpressionsOrYield();
      if (this.isOp("=")) {
        if (v.type === "Yield" || v.type === "YieldFrom") {
          this.failWith("assignment to yield expression not possible", v.range);
        }
        targets.push(v);
      } else {
        value = v;
      }
    }
    for (const target of targets) {
      const invalid = this.invalidTarget(target, "star");
      if (invalid) {
        if (
          target === first &&
          targets.length === 1 &&
          invalid === target &&
          !this.parenthesized.has(target)
        ) {
          const name = exprName(invalid);
          if (
            !(target.type === "List" || target.type === "Tuple" || target.type === "GeneratorExp") &&
            !(target.type === "Constant" && (target.kind === "bool" || target.kind === "None"))
          ) {
            this.failWith(
              `cannot assign to ${name} here. Maybe you meant '==' instead of '='?`,
              target.range,
            );
          }
        }
        this.failWith(`cannot assign to ${exprName(invalid)}`, invalid.range);
      }
    }
    for (const target of targets) {
      this.setContext(target, "Store");
      this.checkStarredTarget(target);
    }
    const v = value!;
    if (v.type === "Starred") this.compileError("can't use starred expression here", v.range);
    if (!this.atSimpleStatementEnd()) this.failAfterExpression(v);
    return { type: "Assign", range: this.rangeFromToken(firstToken), targets, value: v };
  }

  private block(header: Token, what: string): ast.Stmt[] {
    this.expectColon();
    const t = this.peek();
    if (t.kind === TokenKind.Newline) {
      this.next();
      const n = this.peek();
      if (n.kind !== TokenKind.Indent) {
        if (n.kind === TokenKind.Error) this.next();
        this.failWith(
          `expected an indented block after ${what} on line ${header.line + 1}`,
          this.rangeOfToken(n),
          "IndentationError",
        );
      }
      this.next();
      const body = this.statements(false);
      if (this.peek().kind === TokenKind.Dedent) this.next();
      return body;
    }
    const body: ast.Stmt[] = [];
    this.simpleStatements(body);
    return exact(body);
  }

  private decorated(): ast.Stmt {
    const decorators: ast.Expr[] = [];
    while (this.eatOp("@")) {
      decorators.push(this.namedExpression());
      if (this.peek().kind !== TokenKind.Newline) this.fail();
      this.next();
    }
    const t = this.peek();
    if (t.kind === TokenKind.Name) {
      if (t.value === "def") return this.functionDef(decorators, null);
      if (t.value === "class") return this.classDef(decorators);
      if (t.value === "async" && this.peekAt(1).value === "def") {
        const asyncToken = this.next();
        return this.functionDef(decorators, asyncToken);
      }
    }
    this.fail();
  }

  private functionDef(
    decorators: ast.Expr[],
    asyncToken: Token | null,
  ): ast.FunctionDef | ast.AsyncFunctionDef {
    const defToken = this.next();
    const startToken = asyncToken ?? defToken;
    const nameToken = this.expectName();
    if (!this.isOp("(")) this.failWith("expected '('", this.rangeOfToken(this.peek()));
    this.next();
    const args = this.parameters(")", false);
    this.expectOp(")");
    let returns: ast.Expr | null = null;
    if (this.eatOp("->")) returns = this.expression();
    const savedLoop = this.loopDepth;
    const savedAsync = this.inAsync;
    this.functionDepth++;
    this.loopDepth = 0;
    this.inAsync = asyncToken !== null;
    const body = this.block(startToken, "function definition");
    this.functionDepth--;
    this.loopDepth = savedLoop;
    this.inAsync = savedAsync;
    return {
      type: asyncToken ? "AsyncFunctionDef" : "FunctionDef",
      range: this.range(this.startOf(startToken), this.endOfLastSignificant()),
      name: nameToken.value,
      nameRange: this.rangeOfToken(nameToken),
      args,
      body,
      decorator_list: exact(decorators),
      returns,
    } as ast.FunctionDef | ast.AsyncFunctionDef;
  }

  private classDef(decorators: ast.Expr[]): ast.ClassDef {
    const classToken = this.next();
    const nameToken = this.expectName();
    let bases: ast.Expr[] = [];
    let keywords: ast.Keyword[] = [];
    if (this.eatOp("(")) {
      if (!this.isOp(")")) {
        const call = this.callArguments();
        bases = call.args;
        keywords = call.keywords;
      }
      this.expectOp(")");
    }
    const savedFunction = this.functionDepth;
    const savedLoop = this.loopDepth;
    this.functionDepth = 0;
    this.loopDepth = 0;
    this.classDepth++;
    const savedAsync = this.inAsync;
    this.inAsync = false;
    const body = this.block(classToken, "class definition");
    this.inAsync = savedAsync;
    this.classDepth--;
    this.functionDepth = savedFunction;
    this.loopDepth = savedLoop;
    return {
      type: "ClassDef",
      range: this.range(this.startOf(classToken), this.endOfLastSignificant()),
      name: nameToken.value,
      nameRange: this.rangeOfToken(nameToken),
      bases,
      keywords,
      body,
      decorator_list: exact(decorators),
    };
  }

  private ifStmt(): ast.If {
    const ifToken = this.next();
    const test = this.namedExpressionInCondition();
    const body = this.block(ifToken, `'${ifToken.value}' statement`);
    let orelse: ast.Stmt[] = [];
    const t = this.peek();
    if (t.kind === TokenKind.Name && t.value === "elif") {
      orelse = [this.ifStmt()];
    } else if (t.kind === TokenKind.Name && t.value === "else") {
      const elseToken = this.next();
      orelse = this.block(elseToken, "'else' statement");
    }
    return {
      type: "If",
      range: this.range(this.startOf(ifToken), this.endOfLastSignificant()),
      test,
      body,
      orelse,
    };
  }

  /** `if`/`while`/`elif` conditions: `=` there gets CPython's "Maybe you meant '=='" hint. */
  private namedExpressionInCondition(): ast.Expr {
    const e = this.namedExpression();
    if (this.isOp("=")) {
      this.next();
      const saved = this.i;
      let right: ast.Expr | null = null;
      try {
        right = this.bitwiseOr();
      } catch (err) {
        if (!(err instanceof Failure)) throw err;
        this.i = saved;
      }
      if (right && !this.isOp("=") && !this.isOp(":=")) {
        const range = this.span(e, right);
        if (e.type === "Name") {
          this.failWith("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", range);
        }
        if (
          !(e.type === "List" || e.type === "Tuple" || e.type === "GeneratorExp") &&
          e.type !== "Constant"
        ) {
          this.failWith(
            `cannot assign to ${exprName(e)} here. Maybe you meant '==' instead of '='?`,
            e.range,
          );
        }
      }
      this.i = saved - 1;
      this.fail();
    }
    return e;
  }

  private whileStmt(): ast.While {
    const whileToken = this.next();
    const test = this.namedExpressionInCondition();
    this.loopDepth++;
    const body = this.block(whileToken, "'while' statement");
    this.loopDepth--;
    let orelse: ast.Stmt[] = [];
    if (this.isKeyword("else")) {
      const elseToken = this.next();
      orelse = this.block(elseToken, "'else' statement");
    }
    return {
      type: "While",
      range: this.range(this.startOf(whileToken), this.endOfLastSignificant()),
      test,
      body,
      orelse,
    };
  }

  private forStmt(asyncToken: Token | null): ast.For | ast.AsyncFor {
    const forToken = this.next();
    const startToken = asyncToken ?? forToken;
    if (asyncToken && !this.inAsync) {
      this.compileError("'async for' outside async function", this.rangeOfToken(asyncToken));
    }
    const target = this.targetList();
    if (!this.isKeyword("in")) {
      this.checkTarget(target, "for");
      this.fail();
    }
    this.checkTarget(target, "for");
    this.setContext(target, "Store");
    this.next();
    const iter = this.starExpressions();
    this.loopDepth++;
    const body = this.block(startToken, "'for' statement");
    this.loopDepth--;
    let orelse: ast.Stmt[] = [];
    if (this.isKeyword("else")) {
      const elseToken = this.next();
      orelse = this.block(elseToken, "'else' statement");
    }
    return {
      type: asyncToken ? "AsyncFor" : "For",
      range: this.range(this.startOf(startToken), this.endOfLastSignificant()),
      target,
      iter,
      body,
      orelse,
    } as ast.For | ast.AsyncFor;
  }

  /** for-loop and comprehension targets: star_targets, parsed as expressions then checked. */
  private targetList(): ast.Expr {
    const startToken = this.peek();
    const first = this.bitwiseOrOrStar();
    if (!this.isOp(",")) return first;
    const elts = [first];
    while (this.eatOp(",")) {
      if (this.isKeyword("in") || this.isOp("=")) break;
      elts.push(this.bitwiseOrOrStar());
    }
    return { type: "Tuple", range: this.rangeFromToken(startToken), elts: exact(elts), ctx: "Load" };
  }

  private bitwiseOrOrStar(): ast.Expr {
    if (this.isOp("*")) {
      const star = this.next();
      const value = this.bitwiseOr();
      return { type: "Starred", range: this.rangeFrom(this.startOf(star)), value, ctx: "Load" };
    }
    return this.bitwiseOr();
  }

  private tryStmt(): ast.Try | ast.TryStar {
    const tryToken = this.next();
    const body = this.block(tryToken, "'try' statement");
    const handlers: ast.ExceptHandler[] = [];
    let star: boolean | null = null;
    while (this.isKeyword("except")) {
      const exceptToken = this.next();
      const isStar = this.eatOp("*");
      if (star !== null && star !== isStar) {
        this.failWith(
          "cannot have both 'except' and 'except*' on the same 'try'",
          this.rangeOfToken(exceptToken),
        );
      }
      star = isStar;
      let excType: ast.Expr | null = null;
      let name: string | null = null;
      let nameRange: Range | null = null;
      if (this.peek().kind === TokenKind.Newline) this.expectColon();
      if (!this.isOp(":")) {
        excType = this.expression();
        if (this.isOp(",")) {
          const saved = this.i;
          this.next();
          let last: ast.Expr = excType;
          try {
            do {
              last = this.expression();
            } while (this.eatOp(","));
          } catch (err) {
            if (!(err instanceof Failure)) throw err;
          }
          if (this.isOp(":") || this.isKeyword("as")) {
            this.failWith("multiple exception types must be parenthesized", this.span(excType, last));
          }
          this.i = saved;
          this.fail();
        }
        if (this.eatKeyword("as")) {
          const n = this.expectName();
          name = n.value;
          nameRange = this.rangeOfToken(n);
        }
      } else if (isStar) {
        this.failWith("expected one or more exception types", this.rangeOfToken(this.peek()));
      }
      const handlerBody = this.block(exceptToken, isStar ? "'except*' statement" : "'except' statement");
      handlers.push({
        type: "ExceptHandler",
        range: this.range(this.startOf(exceptToken), this.endOfLastSignificant()),
        exc_type: excType,
        name,
        nameRange,
        body: handlerBody,
      });
    }
    let orelse: ast.Stmt[] = [];
    let finalbody: ast.Stmt[] = [];
    if (handlers.length > 0 && this.isKeyword("else")) {
      const elseToken = this.next();
      orelse = this.block(elseToken, "'else' statement");
    }
    if (this.isKeyword("finally")) {
      const finallyToken = this.next();
      finalbody = this.block(finallyToken, "'finally' statement");
    }
    if (handlers.length === 0 && finalbody.length === 0) {
      this.failWith("expected 'except' or 'finally' block", this.rangeOfToken(this.peek()));
    }
    return {
      type: star ? "TryStar" : "Try",
      range: this.range(this.startOf(tryToken), this.endOfLastSignificant()),
      body,
      handlers,
      orelse,
      finalbody,
    } as ast.Try | ast.TryStar;
  }

  private withStmt(asyncToken: Token | null): ast.With | ast.AsyncWith {
    const withToken = this.next();
    const startToken = asyncToken ?? withToken;
    if (asyncToken && !this.inAsync) {
      this.compileError("'async with' outside async function", this.rangeOfToken(asyncToken));
    }
    let items: ast.WithItem[] | null = null;
    if (this.isOp("(")) {
      // Parenthesized with-items (3.9+), else an ordinary expression that starts with `(`.
      const saved = this.i;
      try {
        this.next();
        const list: ast.WithItem[] = [];
        do {
          if (this.isOp(")") && list.length > 0) break;
          list.push(this.withItem());
        } while (this.eatOp(","));
        this.expectOp(")");
        if (!this.isOp(":")) this.fail();
        items = list;
      } catch (err) {
        if (!(err instanceof Failure)) throw err;
        this.i = saved;
        // Positions stay registered: tokens cache them and may reuse them later.
      }
    }
    if (items === null) {
      items = [];
      do {
        items.push(this.withItem());
      } while (this.eatOp(","));
    }
    const body = this.block(startToken, "'with' statement");
    return {
      type: asyncToken ? "AsyncWith" : "With",
      range: this.range(this.startOf(startToken), this.endOfLastSignificant()),
      items,
      body,
    } as ast.With | ast.AsyncWith;
  }

  private withItem(): ast.WithItem {
    const contextExpr = this.expression();
    let optionalVars: ast.Expr | null = null;
    if (this.eatKeyword("as")) {
      optionalVars = this.bitwiseOrOrStar();
      const t = this.peek();
      if (!(this.isOp(",") || this.isOp(")") || this.isOp(":") || t.kind === TokenKind.Newline)) this.fail();
      this.checkTarget(optionalVars, "star");
      this.setContext(optionalVars, "Store");
    }
    return { type: "withitem", context_expr: contextExpr, optional_vars: optionalVars };
  }

  // ------------------------------------------------------------ match statement

  private tryMatchStmt(): ast.Match | null {
    const saved = this.i;
    const savedFurthest = this.furthest;
    const matchToken = this.next();
    let subject: ast.Expr;
    try {
      const next = this.peek();
      if (
        next.kind === TokenKind.Newline ||
        (next.kind === TokenKind.Op && (next.value === "=" || next.value === "."))
      ) {
        throw new Failure(this.makeError("", this.rangeOfToken(next)));
      }
      subject = this.matchSubject();
      if (!this.isOp(":")) {
        throw new Failure(this.makeError("", this.rangeOfToken(this.peek())));
      }
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      this.i = saved;
      // Positions stay registered: tokens cache them and may reuse them later.
      this.furthest = savedFurthest;
      return null;
    }
    this.next();
    if (this.peek().kind !== TokenKind.Newline) this.fail();
    this.next();
    const n = this.peek();
    if (n.kind !== TokenKind.Indent) {
      this.failWith(
        `expected an indented block after 'match' statement on line ${matchToken.line + 1}`,
        this.rangeOfToken(n),
        "IndentationError",
      );
    }
    this.next();
    const cases: ast.MatchCase[] = [];
    while (this.isKeyword("case")) {
      cases.push(this.caseBlock());
    }
    if (cases.length === 0) this.fail();
    if (this.peek().kind !== TokenKind.Dedent) this.fail();
    this.next();
    return {
      type: "Match",
      range: this.range(this.startOf(matchToken), this.endOfLastSignificant()),
      subject,
      cases,
    };
  }

  private matchSubject(): ast.Expr {
    const startToken = this.peek();
    const first = this.isOp("*") ? this.starredBitwiseOr() : this.namedExpression();
    if (!this.isOp(",")) {
      if (first.type === "Starred") this.fail();
      return first;
    }
    const elts = [first];
    while (this.eatOp(",")) {
      if (this.isOp(":")) break;
      elts.push(this.isOp("*") ? this.starredBitwiseOr() : this.namedExpression());
    }
    return { type: "Tuple", range: this.rangeFromToken(startToken), elts: exact(elts), ctx: "Load" };
  }

  private starredBitwiseOr(): ast.Starred {
    const star = this.next();
    const value = this.bitwiseOr();
    return { type: "Starred", range: this.rangeFrom(this.startOf(star)), value, ctx: "Load" };
  }

  private caseBlock(): ast.MatchCase {
    const caseToken = this.next();
    const pattern = this.patterns();
    let guard: ast.Expr | null = null;
    if (this.eatKeyword("if")) guard = this.namedExpression();
    const body = this.block(caseToken, "'case' statement");
    return { type: "match_case", pattern, guard, body };
  }

  private patterns(): ast.Pattern {
    const startToken = this.peek();
    const first = this.maybeStarPattern();
    if (!this.isOp(",")) {
      // A star pattern needs a comma (open sequence) or brackets.
      if (first.type === "MatchStar") this.fail();
      return first;
    }
    const patterns = [first];
    while (this.eatOp(",")) {
      if (this.isOp(":") || this.isKeyword("if")) break;
      patterns.push(this.maybeStarPattern());
    }
    return { type: "MatchSequence", range: this.rangeFromToken(startToken), patterns };
  }

  private maybeStarPattern(): ast.Pattern {
    if (this.isOp("*")) {
      const star = this.next();
      const n = this.expectName();
      const isWildcard = n.value === "_";
      return {
        type: "MatchStar",
        range: this.rangeFrom(this.startOf(star)),
        name: isWildcard ? null : n.value,
        nameRange: isWildcard ? null : this.rangeOfToken(n),
      };
    }
    return this.pattern();
  }

  private pattern(): ast.Pattern {
    this.enter();
    try {
      const startToken = this.peek();
      const orPattern = this.orPattern();
      if (this.eatKeyword("as")) {
        const n = this.expectName();
        if (n.value === "_") this.failWith("cannot use '_' as a target", this.rangeOfToken(n));
        return {
          type: "MatchAs",
          range: this.rangeFromToken(startToken),
          pattern: orPattern,
          name: n.value,
          nameRange: this.rangeOfToken(n),
        };
      }
      return orPattern;
    } finally {
      this.depth--;
    }
  }

  private orPattern(): ast.Pattern {
    const startToken = this.peek();
    const first = this.closedPattern();
    if (!this.isOp("|")) return first;
    const patterns = [first];
    while (this.eatOp("|")) patterns.push(this.closedPattern());
    return { type: "MatchOr", range: this.rangeFromToken(startToken), patterns };
  }

  private closedPattern(): ast.Pattern {
    const t = this.peek();
    const start = this.startOf(t);
    if (
      t.kind === TokenKind.Number ||
      t.kind === TokenKind.String ||
      (t.kind === TokenKind.Op && t.value === "-")
    ) {
      const value = this.literalPatternValue();
      return { type: "MatchValue", range: value.range, value };
    }
    if (t.kind === TokenKind.Name) {
      if (t.value === "None" || t.value === "True" || t.value === "False") {
        this.next();
        return { type: "MatchSingleton", range: this.rangeOfToken(t), value: t.value };
      }
      if (t.keyword) this.fail();
      this.next();
      let cls: ast.Expr = { type: "Name", range: this.rangeOfToken(t), id: t.value, ctx: "Load" };
      let dotted = false;
      while (this.eatOp(".")) {
        const attr = this.expectName();
        cls = {
          type: "Attribute",
          range: this.rangeFrom(start),
          value: cls,
          attr: attr.value,
          attrRange: this.rangeOfToken(attr),
          ctx: "Load",
        };
        dotted = true;
      }
      if (this.isOp("(")) return this.classPattern(cls, start);
      if (dotted) return { type: "MatchValue", range: cls.range, value: cls };
      if (t.value === "_")
        return { type: "MatchAs", range: this.rangeOfToken(t), pattern: null, name: null, nameRange: null };
      return {
        type: "MatchAs",
        range: this.rangeOfToken(t),
        pattern: null,
        name: t.value,
        nameRange: this.rangeOfToken(t),
      };
    }
    if (t.kind === TokenKind.Op) {
      if (t.value === "(" || t.value === "[") {
        this.next();
        const close = t.value === "(" ? ")" : "]";
        const patterns: ast.Pattern[] = [];
        let sawComma = false;
        while (!this.isOp(close)) {
          patterns.push(this.maybeStarPattern());
          if (!this.eatOp(",")) break;
          sawComma = true;
        }
        this.expectOp(close);
        if (t.value === "(" && patterns.length === 1 && !sawComma && patterns[0].type !== "MatchStar") {
          // Group pattern: the parentheses do not count in the range (as CPython).
          return patterns[0];
        }
        return { type: "MatchSequence", range: this.rangeFrom(start), patterns };
      }
      if (t.value === "{") return this.mappingPattern();
    }
    this.fail();
  }

  private literalPatternValue(): ast.Expr {
    const t = this.peek();
    if (t.kind === TokenKind.String) return this.strings();
    const start = this.startOf(t);
    let value: ast.Expr;
    if (this.eatOp("-")) {
      const n = this.peek();
      if (n.kind !== TokenKind.Number) this.fail();
      this.next();
      value = {
        type: "UnaryOp",
        range: this.rangeFrom(start),
        op: "USub",
        operand: this.numberConstant(n),
      };
    } else {
      this.next();
      value = this.numberConstant(t);
    }
    if (this.isOp("+") || this.isOp("-")) {
      const op = this.next();
      const n = this.peek();
      if (n.kind !== TokenKind.Number) this.fail();
      this.next();
      const right = this.numberConstant(n);
      if (right.kind !== "complex")
        this.failWith("imaginary number required in complex literal", right.range);
      value = {
        type: "BinOp",
        range: this.rangeFrom(start),
        left: value,
        op: op.value === "+" ? "Add" : "Sub",
        right,
      };
    }
    return value;
  }

  private classPattern(cls: ast.Expr, start: Position): ast.MatchClass {
    this.expectOp("(");
    const patterns: ast.Pattern[] = [];
    const kwdAttrs: string[] = [];
    const kwdPatterns: ast.Pattern[] = [];
    while (!this.isOp(")")) {
      if (this.isName() && this.peekAt(1).kind === TokenKind.Op && this.peekAt(1).value === "=") {
        const n = this.next();
        this.next();
        kwdAttrs.push(n.value);
        kwdPatterns.push(this.pattern());
      } else {
        const p = this.pattern();
        if (kwdAttrs.length > 0) this.failWith("positional patterns follow keyword patterns", p.range);
        patterns.push(p);
      }
      if (!this.eatOp(",")) break;
    }
    this.expectOp(")");
    return {
      type: "MatchClass",
      range: this.rangeFrom(start),
      cls,
      patterns,
      kwd_attrs: kwdAttrs,
      kwd_patterns: kwdPatterns,
    };
  }

  private mappingPattern(): ast.MatchMapping {
    const open = this.next();
    const keys: ast.Expr[] = [];
    const patterns: ast.Pattern[] = [];
    let rest: string | null = null;
    let restRange: Range | null = null;
    while (!this.isOp("}")) {
      if (this.eatOp("**")) {
        const n = this.expectName();
        if (n.value === "_") {
          this.furthest = this.i - 1;
          this.fail();
        }
        rest = n.value;
        restRange = this.rangeOfToken(n);
        this.eatOp(",");
        break;
      }
      const t = this.peek();
      let key: ast.Expr;
      if (t.kind === TokenKind.Name && (t.value === "None" || t.value === "True" || t.value === "False")) {
        key = this.atom();
      } else if (t.kind === TokenKind.Name) {
        key = this.valuePatternExpr();
      } else key = this.literalPatternValue();
      this.expectOp(":");
      keys.push(key);
      patterns.push(this.pattern());
      if (!this.eatOp(",")) break;
    }
    this.expectOp("}");
    return {
      type: "MatchMapping",
      range: this.rangeFrom(this.startOf(open)),
      keys,
      patterns,
      rest,
      restRange,
    };
  }

  private valuePatternExpr(): ast.Expr {
    const t = this.expectName();
    const start = this.startOf(t);
    let e: ast.Expr = { type: "Name", range: this.rangeOfToken(t), id: t.value, ctx: "Load" };
    if (!this.isOp(".")) this.fail();
    while (this.eatOp(".")) {
      const attr = this.expectName();
      e = {
        type: "Attribute",
        range: this.rangeFrom(start),
        value: e,
        attr: attr.value,
        attrRange: this.rangeOfToken(attr),
        ctx: "Load",
      };
    }
    return e;
  }

  // ------------------------------------------------------------ targets

  /** CPython's _PyPegen_get_invalid_target: the first sub-expression that cannot be a target. */
  private invalidTarget(e: ast.Expr, kind: TargetKind): ast.Expr | null {
    switch (e.type) {
      case "List":
      case "Tuple":
        for (const elt of e.elts) {
          const bad = this.invalidTarget(elt, kind);
          if (bad) return bad;
        }
        return null;
      case "Starred":
        if (kind === "del") return e;
        return this.invalidTarget(e.value, kind);
      case "Compare":
        if (kind === "for" && e.ops[0] === "In") return this.invalidTarget(e.left, kind);
        return e;
      case "Name":
      case "Subscript":
      case "Attribute":
        return null;
      default:
        return e;
    }
  }

  private checkTarget(e: ast.Expr, kind: TargetKind): void {
    const bad = this.invalidTarget(e, kind);
    if (bad) {
      this.failWith(`${kind === "del" ? "cannot delete" : "cannot assign to"} ${exprName(bad)}`, bad.range);
    }
    this.setContext(e, kind === "del" ? "Del" : "Store");
  }

  /** The compiler's checks on starred assignment targets. */
  private checkStarredTarget(target: ast.Expr): void {
    if (target.type === "Starred") {
      this.compileError("starred assignment target must be in a list or tuple", target.range);
    } else if (target.type === "Tuple" || target.type === "List") {
      let stars = 0;
      for (const elt of target.elts) {
        if (elt.type === "Starred") stars++;
        else this.checkStarredTarget(elt);
      }
      if (stars > 1) this.compileError("multiple starred expressions in assignment", target.range);
    }
  }

  private setContext(e: ast.Expr, ctx: ast.ExprContext): void {
    switch (e.type) {
      case "Name":
        if (ctx !== "Load" && e.id === "__debug__") {
          this.compileError(`cannot ${ctx === "Del" ? "delete" : "assign to"} __debug__`, e.range);
        }
        e.ctx = ctx;
        return;
      case "Attribute":
      case "Subscript":
        e.ctx = ctx;
        return;
      case "Starred":
        e.ctx = ctx;
        this.setContext(e.value, ctx);
        return;
      case "List":
      case "Tuple":
        e.ctx = ctx;
        for (const elt of e.elts) this.setContext(elt, ctx);
        return;
      default:
        return;
    }
  }

  // ------------------------------------------------------------ expressions

  /** star_expressions: `a, *b, c` (a Tuple when there is a comma). */
  private starExpressions(): ast.Expr {
    const startToken = this.peek();
    const first = this.starExpression();
    if (!this.isOp(",")) return first;
    const elts = [first];
    while (this.eatOp(",")) {
      if (!this.startsExpression()) break;
      elts.push(this.starExpression());
    }
    return { type: "Tuple", range: this.rangeFromToken(startToken), elts: exact(elts), ctx: "Load" };
  }

  private starExpressionsOrYield(): ast.Expr {
    if (this.isKeyword("yield")) return this.yieldExpr();
    return this.starExpressions();
  }

  private starExpression(): ast.Expr {
    if (this.isOp("*")) {
      const star = this.next();
      const value = this.bitwiseOr();
      return { type: "Starred", range: this.rangeFrom(this.startOf(star)), value, ctx: "Load" };
    }
    return this.expression();
  }

  private starNamedExpression(): ast.Expr {
    if (this.isOp("*")) {
      const star = this.next();
      const value = this.bitwiseOr();
      return { type: "Starred", range: this.rangeFrom(this.startOf(star)), value, ctx: "Load" };
    }
    return this.namedExpression();
  }

  /** Whether the next token can start an expression (to tell a trailing comma). */
  private startsExpression(): boolean {
    const t = this.peek();
    switch (t.kind) {
      case TokenKind.Name:
        return (
          !t.keyword ||
          t.value === "not" ||
          t.value === "lambda" ||
          t.value === "await" ||
          t.value === "None" ||
          t.value === "True" ||
          t.value === "False" ||
          t.value === "yield"
        );
      case TokenKind.Number:
      case TokenKind.String:
      case TokenKind.Error:
        return true;
      case TokenKind.Op:
        return (
          t.value === "(" ||
          t.value === "[" ||
          t.value === "{" ||
          t.value === "-" ||
          t.value === "+" ||
          t.value === "~" ||
          t.value === "*" ||
          t.value === "..."
        );
      default:
        return false;
    }
  }

  private namedExpression(): ast.Expr {
    const t = this.peek();
    if (t.kind === TokenKind.Name && this.peekAt(1).kind === TokenKind.Op && this.peekAt(1).value === ":=") {
      if (t.keyword) this.fail();
      this.next();
      this.next();
      const value = this.expression();
      const target: ast.Name = { type: "Name", range: this.rangeOfToken(t), id: t.value, ctx: "Store" };
      return { type: "NamedExpr", range: this.rangeFromToken(t), target, value };
    }
    const e = this.expression();
    if (this.isOp(":=")) {
      this.failWith(`cannot use assignment expressions with ${exprName(e)}`, e.range);
    }
    return e;
  }

  expression(): ast.Expr {
    this.enter();
    try {
      if (this.isKeyword("lambda")) return this.lambda();
      const startToken = this.peek();
      const body = this.disjunction();
      if (this.isKeyword("if")) {
        const saved = this.i;
        this.next();
        const test = this.disjunction();
        if (!this.isKeyword("else")) {
          const n = this.peek();
          // CPython's invalid_expression: "expected 'else' after 'if' expression".
          if (
            n.kind === TokenKind.Newline ||
            (n.kind === TokenKind.Op &&
              (n.value === ")" || n.value === "]" || n.value === "}" || n.value === ","))
          ) {
            this.failWith("expected 'else' after 'if' expression", this.rangeFromToken(startToken));
          }
          this.i = saved;
          this.fail();
        }
        this.next();
        const orelse = this.expression();
        return { type: "IfExp", range: this.rangeFromToken(startToken), test, body, orelse };
      }
      return body;
    } finally {
      this.depth--;
    }
  }

  private lambda(): ast.Lambda {
    const lambdaToken = this.next();
    const args = this.parameters(":", true);
    this.expectOp(":");
    this.functionDepth++;
    const savedLoop = this.loopDepth;
    const savedAsync = this.inAsync;
    this.loopDepth = 0;
    this.inAsync = false;
    const body = this.expression();
    this.functionDepth--;
    this.loopDepth = savedLoop;
    this.inAsync = savedAsync;
    return { type: "Lambda", range: this.rangeFromToken(lambdaToken), args, body };
  }

  private disjunction(): ast.Expr {
    const startToken = this.peek();
    const first = this.conjunction();
    if (!this.isKeyword("or")) return first;
    const values = [first];
    while (this.eatKeyword("or")) values.push(this.conjunction());
    return { type: "BoolOp", range: this.rangeFromToken(startToken), op: "Or", values: exact(values) };
  }

  private conjunction(): ast.Expr {
    const startToken = this.peek();
    const first = this.inversion();
    if (!this.isKeyword("and")) return first;
    const values = [first];
    while (this.eatKeyword("and")) values.push(this.inversion());
    return { type: "BoolOp", range: this.rangeFromToken(startToken), op: "And", values: exact(values) };
  }

  private inversion(): ast.Expr {
    if (this.isKeyword("not")) {
      const notToken = this.next();
      this.enter();
      try {
        const operand = this.inversion();
        return { type: "UnaryOp", range: this.rangeFromToken(notToken), op: "Not", operand };
      } finally {
        this.depth--;
      }
    }
    return this.comparison();
  }

  private comparison(): ast.Expr {
    const startToken = this.peek();
    const left = this.bitwiseOr();
    const ops: ast.CmpOp[] = [];
    const comparators: ast.Expr[] = [];
    for (;;) {
      const t = this.peek();
      let op: ast.CmpOp | undefined;
      if (t.kind === TokenKind.Op) {
        op = compareOperator(t.value);
        if (op === undefined) break;
        this.next();
      } else if (t.kind === TokenKind.Name) {
        if (t.value === "in") {
          op = "In";
          this.next();
        } else if (t.value === "is") {
          this.next();
          op = this.eatKeyword("not") ? "IsNot" : "Is";
        } else if (
          t.value === "not" &&
          this.peekAt(1).kind === TokenKind.Name &&
          this.peekAt(1).value === "in"
        ) {
          this.next();
          this.next();
          op = "NotIn";
        } else break;
      } else break;
      ops.push(op);
      comparators.push(this.bitwiseOr());
    }
    if (ops.length === 0) return left;
    return {
      type: "Compare",
      range: this.rangeFromToken(startToken),
      left,
      ops: exact(ops),
      comparators: exact(comparators),
    };
  }

  bitwiseOr(): ast.Expr {
    return this.binary(1);
  }

  /** Precedence climbing over the binary operators from `|` (1) to `*`/`@` (6). */
  private binary(minPrec: number): ast.Expr {
    this.enter();
    try {
      const startToken = this.peek();
      let left = this.factor();
      for (;;) {
        const t = this.peek();
        if (t.kind !== TokenKind.Op) break;
        const prec = binaryPrecedence(t.value);
        if (prec === 0 || prec < minPrec) break;
        this.next();
        const right = prec === 6 ? this.factor() : this.binary(prec + 1);
        left = {
          type: "BinOp",
          range: this.rangeFromToken(startToken),
          left,
          op: BIN_OPS[t.value][1],
          right,
        };
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private factor(): ast.Expr {
    const t = this.peek();
    if (t.kind === TokenKind.Op && (t.value === "-" || t.value === "+" || t.value === "~")) {
      this.next();
      this.enter();
      try {
        const operand = this.factor();
        return {
          type: "UnaryOp",
          range: this.rangeFromToken(t),
          op: t.value === "-" ? "USub" : t.value === "+" ? "UAdd" : "Invert",
          operand,
        };
      } finally {
        this.depth--;
      }
    }
    return this.power();
  }

  private power(): ast.Expr {
    const startToken = this.peek();
    const base = this.awaitPrimary();
    if (this.isOp("**")) {
      this.next();
      this.enter();
      const right = this.factor();
      this.depth--;
      return { type: "BinOp", range: this.rangeFromToken(startToken), left: base, op: "Pow", right };
    }
    return base;
  }

  private awaitPrimary(): ast.Expr {
    if (this.isKeyword("await")) {
      const awaitToken = this.next();
      const value = this.primary();
      const node: ast.Await = { type: "Await", range: this.rangeFromToken(awaitToken), value };
      if (this.functionDepth === 0) this.compileError("'await' outside function", node.range);
      return node;
    }
    return this.primary();
  }

  private primary(): ast.Expr {
    const startToken = this.peek();
    let e = this.atom();
    for (;;) {
      const t = this.peek();
      if (t.kind !== TokenKind.Op) break;
      if (t.value === ".") {
        this.next();
        const attr = this.expectName();
        e = {
          type: "Attribute",
          range: this.rangeFromToken(startToken),
          value: e,
          attr: attr.value,
          attrRange: this.rangeOfToken(attr),
          ctx: "Load",
        };
      } else if (t.value === "(") {
        e = this.call(e, startToken);
      } else if (t.value === "[") {
        this.next();
        const slice = this.slices();
        this.expectOp("]");
        e = { type: "Subscript", range: this.rangeFromToken(startToken), value: e, slice, ctx: "Load" };
      } else break;
    }
    return e;
  }

  private call(func: ast.Expr, startToken: Token): ast.Call {
    const open = this.next();
    if (this.isOp(")")) {
      this.next();
      return { type: "Call", range: this.rangeFromToken(startToken), func, args: EMPTY, keywords: EMPTY };
    }
    // A lone generator expression argument: `f(x for x in y)` (the genexp spans the parens).
    const { args, keywords } = this.callArguments(open);
    this.expectOp(")");
    return {
      type: "Call",
      range: this.rangeFromToken(startToken),
      func,
      args: exact(args),
      keywords: exact(keywords),
    };
  }

  /** Arguments of a call or class bases, up to (not including) `)`. */
  private callArguments(open?: Token): { args: ast.Expr[]; keywords: ast.Keyword[] } {
    const args: ast.Expr[] = [];
    const keywords: ast.Keyword[] = [];
    let sawKeyword = false;
    let sawDoubleStar = false;
    let count = 0;
    do {
      if (this.isOp(")")) break;
      count++;
      const t = this.peek();
      if (t.kind === TokenKind.Op && t.value === "**") {
        this.next();
        const value = this.expression();
        keywords.push({
          type: "keyword",
          range: this.rangeFrom(this.startOf(t)),
          arg: null,
          argRange: null,
          value,
        });
        sawDoubleStar = true;
        continue;
      }
      if (t.kind === TokenKind.Op && t.value === "*") {
        this.next();
        const value = this.expression();
        const starred: ast.Starred = {
          type: "Starred",
          range: this.rangeFrom(this.startOf(t)),
          value,
          ctx: "Load",
        };
        if (sawDoubleStar) {
          this.failWith("iterable argument unpacking follows keyword argument unpacking", starred.range);
        }
        args.push(starred);
        continue;
      }
      if (
        t.kind === TokenKind.Name &&
        this.peekAt(1).kind === TokenKind.Op &&
        this.peekAt(1).value === "=" &&
        !t.keyword
      ) {
        this.next();
        this.next();
        const value = this.expression();
        if (this.isKeyword("for") || this.isKeyword("async")) {
          this.failWith(
            'invalid syntax. Maybe you meant "==" or ":=" instead of "="?',
            this.span({ range: this.rangeOfToken(t) }, value),
          );
        }
        const keyword: ast.Keyword = {
          type: "keyword",
          range: this.rangeFrom(this.startOf(t)),
          arg: t.value,
          argRange: this.rangeOfToken(t),
          value,
        };
        for (const other of keywords) {
          if (other.arg === t.value)
            this.compileError(`keyword argument repeated: ${t.value}`, keyword.range);
        }
        keywords.push(keyword);
        sawKeyword = true;
        continue;
      }
      const value = this.namedExpression();
      if (this.isOp("=")) {
        if (value.type === "Constant" && (value.kind === "bool" || value.kind === "None")) {
          this.failWith(`cannot assign to ${value.raw}`, value.range);
        }
        const eq = this.peek();
        this.failWith(
          'expression cannot contain assignment, perhaps you meant "=="?',
          this.range(value.range.start, this.endOf(eq)),
        );
      }
      if (this.isKeyword("for") || this.isKeyword("async")) {
        const generators = this.comprehensionClauses();
        const isOnly = count === 1 && this.isOp(")") && open !== undefined;
        if (isOnly) {
          const close = this.peek();
          args.push({
            type: "GeneratorExp",
            range: this.range(this.startOf(open!), this.endOf(close)),
            elt: value,
            generators,
          });
          continue;
        }
        const gen: ast.GeneratorExp = {
          type: "GeneratorExp",
          range: this.rangeFrom(value.range.start),
          elt: value,
          generators,
        };
        if (count > 1 || this.isOp(",")) {
          this.failWith("Generator expression must be parenthesized", gen.range);
        }
        args.push(gen);
        continue;
      }
      if (sawDoubleStar) {
        this.failWith(
          "positional argument follows keyword argument unpacking",
          this.rangeOfToken(this.peek()),
        );
      }
      if (sawKeyword) {
        this.failWith("positional argument follows keyword argument", this.rangeOfToken(this.peek()));
      }
      args.push(value);
    } while (this.eatOp(","));
    if (!this.isOp(")")) {
      const lastArg = args.length > 0 ? args[args.length - 1] : null;
      const lastKeyword = keywords.length > 0 ? keywords[keywords.length - 1].value : null;
      this.lastCompleteExpression =
        lastArg && (!lastKeyword || comparePositions(lastArg.range.end, lastKeyword.range.end) > 0)
          ? lastArg
          : lastKeyword;
      this.failInBrackets();
    }
    return { args, keywords };
  }

  /** Failure inside brackets: CPython's "Perhaps you forgot a comma?" when two expressions touch. */
  private failInBrackets(): never {
    const t = this.peek();
    if (this.startsExpression() && t.kind !== TokenKind.Error && this.i > 0) {
      // Find the expression just before: re-parse is costly; approximate with the token range.
      const saved = this.i;
      const prevEnd = this.prev;
      try {
        const b = this.expressionWithoutHints();
        const a = this.lastCompleteExpression;
        if (
          a &&
          a.range.end.line === prevEnd.endLine &&
          a.range.end.character === prevEnd.endCol &&
          !(a.type === "Name" && b.type === "Constant" && b.kind === "str")
        ) {
          this.failWith("invalid syntax. Perhaps you forgot a comma?", this.span(a, b));
        }
      } catch (err) {
        if (!(err instanceof Failure)) throw err;
        if (err.chunkError.error.message.startsWith("invalid syntax. Perhaps")) throw err;
      }
      this.i = saved;
    }
    this.fail();
  }

  declare private lastCompleteExpression: ast.Expr | null;

  private expressionWithoutHints(): ast.Expr {
    return this.expression();
  }

  private slices(): ast.Expr {
    const startToken = this.peek();
    const first = this.slice();
    if (!this.isOp(",")) return first;
    const elts = [first];
    while (this.eatOp(",")) {
      if (this.isOp("]")) break;
      elts.push(this.slice());
    }
    return { type: "Tuple", range: this.rangeFromToken(startToken), elts: exact(elts), ctx: "Load" };
  }

  private slice(): ast.Expr {
    const t = this.peek();
    if (t.kind === TokenKind.Op && t.value === "*") return this.starExpression();
    let lower: ast.Expr | null = null;
    if (!(t.kind === TokenKind.Op && t.value === ":")) {
      lower = this.namedExpression();
      if (!this.isOp(":")) {
        this.lastCompleteExpression = lower;
        if (!this.isOp(",") && !this.isOp("]")) this.failInBrackets();
        return lower;
      }
    }
    const start = this.startOf(t);
    this.next();
    let upper: ast.Expr | null = null;
    let step: ast.Expr | null = null;
    if (!this.isOp(":") && !this.isOp(",") && !this.isOp("]")) upper = this.expression();
    if (this.eatOp(":")) {
      if (!this.isOp(",") && !this.isOp("]")) step = this.expression();
    }
    return { type: "Slice", range: this.rangeFrom(start), lower, upper, step };
  }

  private atom(): ast.Expr {
    const t = this.peek();
    switch (t.kind) {
      case TokenKind.Name: {
        if (t.keyword) {
          if (t.value === "None" || t.value === "True" || t.value === "False") {
            this.next();
            return {
              type: "Constant",
              range: this.rangeOfToken(t),
              kind: t.value === "None" ? "None" : "bool",
              raw: t.value,
              value: t.value === "None" ? null : t.value === "True",
            };
          }
          this.fail();
        }
        this.next();
        return { type: "Name", range: this.rangeOfToken(t), id: t.value, ctx: "Load" };
      }
      case TokenKind.Number:
        this.next();
        return this.numberConstant(t);
      case TokenKind.String:
        return this.strings();
      case TokenKind.Op:
        switch (t.value) {
          case "(":
            return this.parenthesizedAtom();
          case "[":
            return this.listAtom();
          case "{":
            return this.braceAtom();
          case "...":
            this.next();
            return { type: "Constant", range: this.rangeOfToken(t), kind: "Ellipsis", raw: "..." };
        }
        break;
      case TokenKind.Error:
        this.next();
        break;
    }
    this.fail();
  }

  private numberConstant(t: Token): ast.Constant {
    const raw = t.value;
    const last = raw.charCodeAt(raw.length - 1) | 0x20;
    if (last === 106 /* j */) return { type: "Constant", range: this.rangeOfToken(t), kind: "complex", raw };
    const clean = raw.indexOf("_") >= 0 ? raw.replace(/_/g, "") : raw;
    const second = clean.length > 1 && clean.charCodeAt(0) === 48 ? clean.charCodeAt(1) | 0x20 : 0;
    let kind: ast.ConstantKind = "int";
    let value: number;
    if (second === 120 /* x */ || second === 111 /* o */ || second === 98 /* b */) {
      value = Number.parseInt(clean.slice(2), second === 120 ? 16 : second === 111 ? 8 : 2);
    } else {
      value = Number(clean);
      for (let k = 0; k < clean.length; k++) {
        const c = clean.charCodeAt(k) | 0x20;
        if (c === 46 /* . */ || c === 101 /* e */) {
          kind = "float";
          break;
        }
      }
    }
    return { type: "Constant", range: this.rangeOfToken(t), kind, raw, value };
  }

  private parenthesizedAtom(): ast.Expr {
    const open = this.next();
    this.enter();
    try {
      if (this.isOp(")")) {
        const close = this.next();
        return {
          type: "Tuple",
          range: this.range(this.startOf(open), this.endOf(close)),
          elts: EMPTY,
          ctx: "Load",
        };
      }
      if (this.isKeyword("yield")) {
        const y = this.yieldExpr();
        this.expectOp(")");
        this.parenthesized.add(y);
        return y;
      }
      const first = this.starNamedExpression();
      if (this.isKeyword("for") || this.isKeyword("async")) {
        if (first.type === "Starred")
          this.failWith("iterable unpacking cannot be used in comprehension", first.range);
        const generators = this.comprehensionClauses();
        this.expectBracketClose(")", first);
        return { type: "GeneratorExp", range: this.rangeFrom(this.startOf(open)), elt: first, generators };
      }
      if (this.isOp(")")) {
        this.next();
        if (first.type === "Starred") {
          this.failWith("cannot use starred expression here", first.range);
        }
        this.parenthesized.add(first);
        return first;
      }
      if (!this.isOp(",")) {
        this.lastCompleteExpression = first;
        this.failInBrackets();
      }
      const elts = [first];
      while (this.eatOp(",")) {
        if (this.isOp(")")) break;
        const e = this.starNamedExpression();
        elts.push(e);
        if (!this.isOp(",") && !this.isOp(")")) {
          this.lastCompleteExpression = e;
          this.failInBrackets();
        }
      }
      this.expectOp(")");
      const tuple: ast.Tuple = {
        type: "Tuple",
        range: this.rangeFrom(this.startOf(open)),
        elts: exact(elts),
        ctx: "Load",
      };
      this.parenthesized.add(tuple);
      return tuple;
    } finally {
      this.depth--;
    }
  }

  private expectBracketClose(close: string, last: ast.Expr): void {
    if (!this.isOp(close)) {
      this.lastCompleteExpression = last;
      this.fail();
    }
    this.next();
  }

  private listAtom(): ast.Expr {
    const open = this.next();
    this.enter();
    try {
      if (this.isOp("]")) {
        const close = this.next();
        return {
          type: "List",
          range: this.range(this.startOf(open), this.endOf(close)),
          elts: EMPTY,
          ctx: "Load",
        };
      }
      const first = this.starNamedExpression();
      if (this.isKeyword("for") || this.isKeyword("async")) {
        if (first.type === "Starred")
          this.failWith("iterable unpacking cannot be used in comprehension", first.range);
        const generators = this.comprehensionClauses();
        this.expectBracketClose("]", first);
        return { type: "ListComp", range: this.rangeFrom(this.startOf(open)), elt: first, generators };
      }
      const elts = this.elementsUntil("]", first);
      return { type: "List", range: this.rangeFrom(this.startOf(open)), elts: exact(elts), ctx: "Load" };
    } finally {
      this.depth--;
    }
  }

  /** `first` and the comma-separated elements after it, up to and including the `close` bracket. */
  private elementsUntil(close: string, first: ast.Expr): ast.Expr[] {
    const elts = [first];
    let last = first;
    for (;;) {
      if (this.isOp(close)) break;
      if (!this.isOp(",")) {
        this.lastCompleteExpression = last;
        this.failInBrackets();
      }
      this.next();
      if (this.isOp(close)) break;
      last = this.starNamedExpression();
      elts.push(last);
    }
    this.next();
    return elts;
  }

  private braceAtom(): ast.Expr {
    const open = this.next();
    this.enter();
    try {
      const start = this.startOf(open);
      if (this.isOp("}")) {
        this.next();
        return { type: "Dict", range: this.rangeFrom(start), keys: EMPTY, values: EMPTY };
      }
      if (this.isOp("**")) return this.dictRest(start, [], []);
      const first = this.starNamedExpression();
      if (this.isOp(":") && first.type !== "Starred") {
        this.next();
        const value = this.expression();
        if (this.isKeyword("for") || this.isKeyword("async")) {
          const generators = this.comprehensionClauses();
          this.expectBracketClose("}", value);
          return { type: "DictComp", range: this.rangeFrom(start), key: first, value, generators };
        }
        return this.dictRest(start, [first], [value]);
      }
      if (this.isKeyword("for") || this.isKeyword("async")) {
        if (first.type === "Starred")
          this.failWith("iterable unpacking cannot be used in comprehension", first.range);
        const generators = this.comprehensionClauses();
        this.expectBracketClose("}", first);
        return { type: "SetComp", range: this.rangeFrom(start), elt: first, generators };
      }
      const elts = this.elementsUntil("}", first);
      return { type: "Set", range: this.rangeFrom(start), elts: exact(elts) };
    } finally {
      this.depth--;
    }
  }

  /** Dict display after its first entries (`keys`/`values`), at `,`, `}` or `**`. */
  private dictRest(start: Position, keys: (ast.Expr | null)[], values: ast.Expr[]): ast.Dict {
    for (;;) {
      if (keys.length > 0) {
        if (this.isOp("}")) break;
        if (!this.isOp(",")) {
          this.lastCompleteExpression = values[values.length - 1];
          this.failInBrackets();
        }
        this.next();
        if (this.isOp("}")) break;
      }
      if (this.eatOp("**")) {
        keys.push(null);
        values.push(this.bitwiseOr());
        continue;
      }
      const key = this.expression();
      if (!this.isOp(":")) {
        if (this.isOp("}") || this.isOp(",")) {
          // CPython points at the key's last character.
          const end = key.range.end;
          const at = this.makePosition(end.line, Math.max(0, end.character - 1));
          this.failWith("':' expected after dictionary key", this.range(at, end));
        }
        this.lastCompleteExpression = key;
        this.failInBrackets();
      }
      const colon = this.next();
      if (this.isOp("}") || this.isOp(",")) {
        this.failWith("expression expected after dictionary key and ':'", this.rangeOfToken(colon));
      }
      keys.push(key);
      values.push(this.expression());
    }
    this.next();
    return { type: "Dict", range: this.rangeFrom(start), keys: exact(keys), values: exact(values) };
  }

  private comprehensionClauses(): ast.Comprehension[] {
    const generators: ast.Comprehension[] = [];
    while (this.isKeyword("for") || (this.isKeyword("async") && this.peekAt(1).value === "for")) {
      const first = this.next();
      const isAsync = first.value === "async";
      if (isAsync) this.next();
      const target = this.targetList();
      this.checkTarget(target, "for");
      this.expectKeyword("in");
      const iter = this.disjunction();
      const ifs: ast.Expr[] = [];
      while (this.eatKeyword("if")) ifs.push(this.disjunction());
      generators.push({
        type: "comprehension",
        range: this.rangeFrom(this.startOf(first)),
        target,
        iter,
        ifs: exact(ifs),
        is_async: isAsync ? 1 : 0,
      });
    }
    return exact(generators);
  }

  private yieldExpr(): ast.Yield | ast.YieldFrom {
    const yieldToken = this.next();
    const start = this.startOf(yieldToken);
    let node: ast.Yield | ast.YieldFrom;
    if (this.eatKeyword("from")) {
      const value = this.expression();
      node = { type: "YieldFrom", range: this.rangeFrom(start), value };
    } else {
      const t = this.peek();
      const ends =
        t.kind === TokenKind.Newline ||
        (t.kind === TokenKind.Op &&
          (t.value === ")" || t.value === "]" || t.value === "}" || t.value === ";" || t.value === "="));
      const value = ends ? null : this.starExpressions();
      node = { type: "Yield", range: this.rangeFrom(start), value };
    }
    if (this.functionDepth === 0) this.compileError("'yield' outside function", node.range);
    return node;
  }

  // ------------------------------------------------------------ parameters

  /** def/lambda parameters up to `close` (`)` or `:`), with CPython's ordering errors. */
  private parameter(isLambda: boolean, allowStarAnnotation: boolean, names: string[]): ast.Arg {
    const n = this.expectName();
    let annotation: ast.Expr | null = null;
    if (!isLambda && this.eatOp(":")) {
      annotation = allowStarAnnotation && this.isOp("*") ? this.starExpression() : this.expression();
    }
    const arg: ast.Arg = { type: "arg", range: this.rangeFrom(this.startOf(n)), arg: n.value, annotation };
    if (names.includes(arg.arg)) {
      this.compileError(`duplicate argument '${arg.arg}' in function definition`, arg.range);
    }
    names.push(arg.arg);
    return arg;
  }

  private parameters(close: string, isLambda: boolean): ast.Arguments {
    const posonlyargs: ast.Arg[] = [];
    const args: ast.Arg[] = [];
    const defaults: ast.Expr[] = [];
    const kwonlyargs: ast.Arg[] = [];
    const kwDefaults: (ast.Expr | null)[] = [];
    let vararg: ast.Arg | null = null;
    let kwarg: ast.Arg | null = null;
    let sawStar = false;
    let sawSlash = false;
    const names: string[] = [];
    const param = (allowStarAnnotation: boolean) => this.parameter(isLambda, allowStarAnnotation, names);
    while (!this.isOp(close)) {
      const t = this.peek();
      if (kwarg) {
        this.failWith("arguments cannot follow var-keyword argument", this.rangeOfToken(t));
      }
      if (t.kind === TokenKind.Op && t.value === "/") {
        if (sawSlash) this.failWith("/ may appear only once", this.rangeOfToken(t));
        if (sawStar) this.failWith("/ must be ahead of *", this.rangeOfToken(t));
        if (args.length === 0) {
          this.furthest = this.i;
          this.failWith("at least one argument must precede /", this.rangeOfToken(t));
        }
        this.next();
        sawSlash = true;
        posonlyargs.push(...args);
        args.length = 0;
      } else if (t.kind === TokenKind.Op && t.value === "*") {
        if (sawStar) this.failWith("* argument may appear only once", this.rangeOfToken(t));
        this.next();
        sawStar = true;
        if (this.isOp(",") || this.isOp(close)) {
          const after = this.isOp(",") ? this.peekAt(1) : this.peek();
          if (after.kind === TokenKind.Op && (after.value === close || after.value === "**")) {
            this.failWith("named arguments must follow bare *", this.rangeOfToken(t));
          }
        } else {
          vararg = param(true);
          if (this.isOp("="))
            this.failWith(
              "var-positional argument cannot have default value",
              this.rangeOfToken(this.peek()),
            );
        }
      } else if (t.kind === TokenKind.Op && t.value === "**") {
        this.next();
        kwarg = param(false);
        if (this.isOp("="))
          this.failWith("var-keyword argument cannot have default value", this.rangeOfToken(this.peek()));
      } else {
        const arg = param(false);
        let value: ast.Expr | null = null;
        if (this.eatOp("=")) value = this.expression();
        if (sawStar) {
          kwonlyargs.push(arg);
          kwDefaults.push(value);
        } else {
          if (value) defaults.push(value);
          else if (defaults.length > 0) {
            this.failWith("non-default argument follows default argument", arg.range);
          }
          args.push(arg);
        }
      }
      if (!this.eatOp(",")) break;
    }
    if (!this.isOp(close)) this.fail();
    if (sawStar && !vararg && kwonlyargs.length === 0) {
      this.failWith("named arguments must follow bare *", this.rangeOfToken(this.prev));
    }
    return {
      type: "arguments",
      posonlyargs: exact(posonlyargs),
      args: exact(args),
      vararg,
      kwonlyargs: exact(kwonlyargs),
      kw_defaults: exact(kwDefaults),
      kwarg,
      defaults: exact(defaults),
    };
  }

  // ------------------------------------------------------------ strings

  /** One or more adjacent string tokens: a Constant, or a JoinedStr if any is an f-string. */
  private strings(): ast.Expr {
    const first = this.peek();
    const parts: Token[] = [];
    while (this.peek().kind === TokenKind.String) parts.push(this.next());
    const last = parts[parts.length - 1];
    const range: Range = this.range(this.startOf(first), this.endOf(last));
    const after = this.peek();
    let bytesCount = 0;
    let hasFormat = false;
    const infos = parts.map((p) => {
      const info = splitString(p.value);
      if (info.isBytes) bytesCount++;
      if (info.isFormat) hasFormat = true;
      return info;
    });
    if (bytesCount > 0 && bytesCount < parts.length) {
      this.failWith("cannot mix bytes and nonbytes literals", this.rangeOfToken(after));
    }
    const raw = parts.length === 1 ? first.value : this.source.slice(first.start, last.end);
    if (!hasFormat) {
      let value: string | undefined = "";
      for (let k = 0; k < parts.length; k++) {
        const info = infos[k];
        const body = parts[k].value.slice(info.bodyStart, info.bodyEnd);
        if (info.isBytes) {
          for (let c = 0; c < body.length; c++) {
            if (body.charCodeAt(c) >= 128) {
              this.failWith("bytes can only contain ASCII literal characters", this.rangeOfToken(parts[k]));
            }
          }
        }
        if (!info.isRaw) {
          const bad = findBadEscape(body, info.isBytes);
          if (bad) this.failWith(bad, this.rangeOfToken(after));
        }
        if (value !== undefined) {
          const decoded = info.isRaw ? body.replace(/\r\n?/g, "\n") : decodeEscapes(body, info.isBytes);
          value = decoded === undefined ? undefined : value + decoded;
        }
      }
      return { type: "Constant", range, kind: bytesCount > 0 ? "bytes" : "str", raw, value };
    }
    const values: (ast.Constant | ast.FormattedValue)[] = [];
    let pending = "";
    let pendingKnown = true;
    const flush = () => {
      if (pending !== "" || !pendingKnown) {
        values.push({
          type: "Constant",
          range,
          kind: "str",
          raw: pending,
          value: pendingKnown ? pending : undefined,
        });
      }
      pending = "";
      pendingKnown = true;
    };
    for (let k = 0; k < parts.length; k++) {
      const info = infos[k];
      const token = parts[k];
      if (!info.isFormat) {
        const body = token.value.slice(info.bodyStart, info.bodyEnd);
        const decoded = info.isRaw ? body : decodeEscapes(body, false);
        if (decoded === undefined) pendingKnown = false;
        else pending += decoded;
        continue;
      }
      new FStringScanner(this, token, info, range, after, 0).scan((piece) => {
        if (typeof piece === "string") pending += piece;
        else {
          flush();
          values.push(piece);
        }
      });
    }
    flush();
    return { type: "JoinedStr", range, values };
  }

  /** The current token (for the f-string scanner's inner parser). */
  peekToken(): Token {
    return this.peek();
  }
  /** Fails with CPython's generic error at the current point. */
  failHere(): never {
    return this.fail();
  }

  /** Used by the f-string scanner. */
  fstringError(message: string, at: Token): never {
    this.failWith(message, this.rangeOfToken(at));
  }
  registerRanges(ranges: SourceRange[]): void {
    for (const range of ranges) this.ranges.push(range);
  }
  makePosition(line: number, character: number): Position {
    return this.pos(line, character);
  }
  get isFString(): boolean {
    return this.fstring;
  }
}

/**
 * Splits one f-string token into literal text and replacement fields, as CPython 3.11's
 * string_parser.c; expression positions follow its fstring_find_expr_location.
 */
class FStringScanner {
  private readonly body: string;
  private k: number;
  private readonly end: number;

  constructor(
    private readonly parser: Parser,
    private readonly token: Token,
    private readonly info: ReturnType<typeof splitString>,
    private readonly range: Range,
    private readonly after: Token,
    private readonly recursion: number,
    bodyStart?: number,
    bodyEnd?: number,
  ) {
    this.body = token.value;
    this.k = bodyStart ?? info.bodyStart;
    this.end = bodyEnd ?? info.bodyEnd;
  }

  private error(message: string): never {
    this.parser.fstringError(
      message.startsWith("expression part") ? `f-string ${message}` : `f-string: ${message}`,
      this.after,
    );
  }

  /** Emits literal text (decoded) and FormattedValues; stops at a `}` ending a format spec. */
  scan(emit: (piece: string | ast.FormattedValue) => void): number {
    const body = this.body;
    let literalStart = this.k;
    const flushLiteral = (until: number) => {
      if (until > literalStart) {
        const text = body.slice(literalStart, until);
        emit(this.info.isRaw ? text : (decodeEscapes(text, false) ?? text));
      }
    };
    while (this.k < this.end) {
      const c = body[this.k];
      if (c === "\\" && !this.info.isRaw) {
        if (body[this.k + 1] === "N" && body[this.k + 2] === "{") {
          // A named escape's braces are not a replacement field.
          const close = body.indexOf("}", this.k + 3);
          this.k = close < 0 || close >= this.end ? this.end : close + 1;
          continue;
        }
        this.k += 2;
        continue;
      }
      if (c === "{") {
        if (this.recursion === 0 && body[this.k + 1] === "{") {
          flushLiteral(this.k + 1);
          this.k += 2;
          literalStart = this.k;
          continue;
        }
        flushLiteral(this.k);
        const field = this.field();
        if (field.debugText !== undefined) {
          // `{x=}`: CPython emits the expression text as literal text before the value.
          emit(field.debugText);
        }
        emit(field.node);
        literalStart = this.k;
        continue;
      }
      if (c === "}") {
        if (this.recursion > 0) {
          flushLiteral(this.k);
          return this.k;
        }
        if (body[this.k + 1] === "}") {
          flushLiteral(this.k + 1);
          this.k += 2;
          literalStart = this.k;
          continue;
        }
        this.error("single '}' is not allowed");
      }
      this.k++;
    }
    flushLiteral(this.k);
    return this.k;
  }

  /** A replacement field starting at `{`. */
  private field(): { node: ast.FormattedValue; debugText?: string } {
    const body = this.body;
    const open = this.k;
    if (this.recursion >= 2) this.error("expressions nested too deeply");
    this.k++;
    const exprStart = this.k;
    let nested = 0;
    let quote: string | null = null;
    let tripleQuote = false;
    for (; this.k < this.end; this.k++) {
      const c = body[this.k];
      if (c === "\\") this.error("expression part cannot include a backslash");
      if (quote) {
        if (tripleQuote) {
          if (c === quote && body[this.k + 1] === quote && body[this.k + 2] === quote) {
            this.k += 2;
            quote = null;
          }
        } else if (c === quote) quote = null;
        continue;
      }
      if (c === "'" || c === '"') {
        if (body[this.k + 1] === c && body[this.k + 2] === c) {
          tripleQuote = true;
          this.k += 2;
        } else tripleQuote = false;
        quote = c;
        continue;
      }
      if (c === "[" || c === "(" || c === "{") {
        nested++;
        continue;
      }
      if (c === "#") this.error("expression part cannot include '#'");
      if (nested === 0 && (c === "!" || c === ":" || c === "}" || c === "=" || c === ">" || c === "<")) {
        const d = body[this.k + 1];
        if (c === "!" && d === "=") {
          this.k++;
          continue;
        }
        if ((c === "=" || c === "<" || c === ">") && d === "=") {
          this.k++;
          continue;
        }
        if (c === "<" || c === ">") continue;
        break;
      }
      if (c === "]" || c === ")" || c === "}") {
        nested--;
      }
    }
    if (quote) this.error("unterminated string");
    if (this.k >= this.end) this.error("expecting '}'");
    const exprEnd = this.k;
    const exprText = body.slice(exprStart, exprEnd);
    if (exprText.trim() === "") this.error("empty expression not allowed");
    const value = this.compileExpression(open, exprStart, exprEnd);
    let debugText: string | null = null;
    if (body[this.k] === "=") {
      this.k++;
      while (this.k < this.end && (body[this.k] === " " || body[this.k] === "\t" || body[this.k] === "\n"))
        this.k++;
      debugText = body.slice(exprStart, this.k);
    }
    let conversion = -1;
    if (body[this.k] === "!") {
      this.k++;
      const conv = body[this.k];
      if (this.k >= this.end) this.error("expecting '}'");
      if (conv !== "s" && conv !== "r" && conv !== "a") {
        this.error("invalid conversion character: expected 's', 'r', or 'a'");
      }
      conversion = conv.charCodeAt(0);
      this.k++;
    }
    let formatSpec: ast.JoinedStr | null = null;
    if (this.k < this.end && body[this.k] === ":") {
      this.k++;
      const values: (ast.Constant | ast.FormattedValue)[] = [];
      const nestedScanner = new FStringScanner(
        this.parser,
        this.token,
        this.info,
        this.range,
        this.after,
        this.recursion + 1,
        this.k,
        this.end,
      );
      this.k = nestedScanner.scan((piece) => {
        if (typeof piece === "string") {
          values.push({ type: "Constant", range: this.range, kind: "str", raw: piece, value: piece });
        } else values.push(piece);
      });
      formatSpec = { type: "JoinedStr", range: this.range, values };
    }
    if (this.k >= this.end || body[this.k] !== "}") this.error("expecting '}'");
    this.k++;
    if (debugText !== null && conversion === -1 && formatSpec === null) conversion = 114;
    const node: ast.FormattedValue = {
      type: "FormattedValue",
      range: this.range,
      value,
      conversion,
      format_spec: formatSpec,
    };
    return debugText !== null ? { node, debugText } : { node };
  }

  /** Parses the expression text at the position CPython 3.11 gives it. */
  private compileExpression(open: number, exprStart: number, exprEnd: number): ast.Expr {
    const body = this.body;
    const token = this.token;
    // fstring_find_expr_location: column shift and line count relative to the token.
    let newlineAfterBrace = true;
    for (let s = open + 1; s < body.length && body[s] !== "}" && body[s] !== "\n"; s++) {
      if (body[s] !== " " && body[s] !== "\t" && body[s] !== "\f") {
        newlineAfterBrace = false;
        break;
      }
    }
    let cols = 0;
    if (!newlineAfterBrace) {
      let s = open;
      while (s > 0 && body[s] !== "\n") s--;
      cols = open - s;
      if (body[s] === "\n") cols -= 1;
    }
    let lines = 0;
    for (let s = 0; s < open; s++) if (body[s] === "\n") lines++;
    const line = token.line + lines;
    const colOffset = lines !== 0 ? cols : token.col + cols;
    const source = `(${body.slice(exprStart, exprEnd)})`;
    const chunk: Chunk = new Tokenizer(source, 0, line, {
      firstLineColOffset: colOffset,
      singleChunk: true,
    }).nextChunk();
    const inner = new Parser(chunk.tokens, source, { fstring: true });
    let value: ast.Expr;
    try {
      value = inner.parseFStringExpression();
      const t = inner.peekToken();
      if (t.kind !== TokenKind.Newline && t.kind !== TokenKind.EndMarker) inner.failHere();
    } catch (err) {
      if (err instanceof Failure) {
        // Report inner failures at CPython's spot for f-strings: the token after the string.
        const message = err.chunkError.error.message;
        this.parser.fstringError(
          message.startsWith("f-string: ") ? message : `f-string: ${message}`,
          this.after,
        );
      }
      throw err;
    }
    this.parser.registerRanges(inner.ranges);
    return value;
  }
}

function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Binding power of a binary operator token (0: not one); a switch is fastest here. */
function binaryPrecedence(op: string): number {
  switch (op) {
    case "|":
      return 1;
    case "^":
      return 2;
    case "&":
      return 3;
    case "<<":
    case ">>":
      return 4;
    case "+":
    case "-":
      return 5;
    case "*":
    case "/":
    case "//":
    case "%":
    case "@":
      return 6;
    default:
      return 0;
  }
}

function compareOperator(op: string): ast.CmpOp | undefined {
  switch (op) {
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return COMPARE_OPS[op];
    default:
      return undefined;
  }
}

/** CPython's _PyPegen_get_expr_name. */
export function exprName(e: ast.Expr): string {
  switch (e.type) {
    case "Attribute":
      return "attribute";
    case "Subscript":
      return "subscript";
    case "Starred":
      return "starred";
    case "Name":
      return "name";
    case "List":
      return "list";
    case "Tuple":
      return "tuple";
    case "Lambda":
      return "lambda";
    case "Call":
      return "function call";
    case "BoolOp":
    case "BinOp":
    case "UnaryOp":
      return "expression";
    case "GeneratorExp":
      return "generator expression";
    case "Yield":
    case "YieldFrom":
      return "yield expression";
    case "Await":
      return "await expression";
    case "ListComp":
      return "list comprehension";
    case "SetComp":
      return "set comprehension";
    case "DictComp":
      return "dict comprehension";
    case "Dict":
      return "dict literal";
    case "Set":
      return "set display";
    case "JoinedStr":
    case "FormattedValue":
      return "f-string expression";
    case "Constant":
      if (e.kind === "None") return "None";
      if (e.kind === "bool") return e.raw;
      if (e.kind === "Ellipsis") return "ellipsis";
      return "literal";
    case "Compare":
      return "comparison";
    case "IfExp":
      return "conditional expression";
    case "NamedExpr":
      return "named expression";
    case "Slice":
      return "slice";
  }
}
