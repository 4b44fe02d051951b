/**
 * Python 3.11 syntax tree, shaped like CPython's `ast` module (same node type names and
 * field names) so that tests can compare against `python3 -c "import ast"` directly.
 *
 * Differences from CPython, all deliberate:
 * - Positions are LSP-style: 0-based lines and UTF-16 code-unit columns (CPython uses
 *   1-based lines and UTF-8 byte columns). Every node has a `range`.
 * - Identifiers that CPython stores as bare strings also carry their own range where a
 *   language server needs it (function/class names, import aliases, keyword names,
 *   global/nonlocal names, except-handler names, match capture names).
 * - Constants keep their source text (`raw`) instead of an evaluated Python value.
 */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code-unit column. */
  character: number;
}

/**
 * Ranges in the tree are `SourceRange` objects (source-range.ts): four integer fields, with
 * `start` and `end` made on each read (so they are fresh objects, and writing to them changes
 * nothing) and the plain `{ start, end }` shape in JSON. Copy a range (`copyRange`) to keep or
 * send it as a plain object. A range object stays its node's range: the document shifts it
 * in place when lines are inserted above.
 */
export interface Range {
  start: Position;
  end: Position;
}

interface NodeBase {
  range: Range;
}

// ---------------------------------------------------------------- module

export interface Module {
  type: "Module";
  body: Stmt[];
  /**
   * Syntax problems in source order. The first one is what CPython (and so lazycon)
   * reports; later ones come from error recovery and may be consequences of the first.
   */
  errors: ParseError[];
}

export type ParseErrorKind = "SyntaxError" | "IndentationError" | "TabError";

export interface ParseError {
  kind: ParseErrorKind;
  /** CPython's wording, e.g. "'(' was never closed", "unexpected indent", "invalid syntax". */
  message: string;
  range: Range;
  /**
   * Set for errors CPython's compiler reports (`'return' outside function`, duplicate
   * arguments, ...): `compile()` rejects the code but `ast.parse` (and so lazycon) accepts it.
   * Such errors appear only when the file has no syntax error.
   */
  fromCompiler?: true;
}

// ---------------------------------------------------------------- statements

export type Stmt =
  | FunctionDef
  | AsyncFunctionDef
  | ClassDef
  | Return
  | Delete
  | Assign
  | AugAssign
  | AnnAssign
  | For
  | AsyncFor
  | While
  | If
  | With
  | AsyncWith
  | Match
  | Raise
  | Try
  | TryStar
  | Assert
  | Import
  | ImportFrom
  | Global
  | Nonlocal
  | ExprStmt
  | Pass
  | Break
  | Continue
  | ErrorStmt;

export interface FunctionDef extends NodeBase {
  type: "FunctionDef";
  name: string;
  nameRange: Range;
  args: Arguments;
  body: Stmt[];
  decorator_list: Expr[];
  returns: Expr | null;
}
export interface AsyncFunctionDef extends Omit<FunctionDef, "type"> {
  type: "AsyncFunctionDef";
}
export interface ClassDef extends NodeBase {
  type: "ClassDef";
  name: string;
  nameRange: Range;
  bases: Expr[];
  keywords: Keyword[];
  body: Stmt[];
  decorator_list: Expr[];
}
export interface Return extends NodeBase {
  type: "Return";
  value: Expr | null;
}
export interface Delete extends NodeBase {
  type: "Delete";
  targets: Expr[];
}
export interface Assign extends NodeBase {
  type: "Assign";
  /** `a = b = 1` has two targets. */
  targets: Expr[];
  value: Expr;
}
export interface AugAssign extends NodeBase {
  type: "AugAssign";
  target: Expr;
  op: Operator;
  value: Expr;
}
export interface AnnAssign extends NodeBase {
  type: "AnnAssign";
  target: Expr;
  annotation: Expr;
  value: Expr | null;
  simple: 0 | 1;
}
export interface For extends NodeBase {
  type: "For";
  target: Expr;
  iter: Expr;
  body: Stmt[];
  orelse: Stmt[];
}
export interface AsyncFor extends Omit<For, "type"> {
  type: "AsyncFor";
}
export interface While extends NodeBase {
  type: "While";
  test: Expr;
  body: Stmt[];
  orelse: Stmt[];
}
export interface If extends NodeBase {
  type: "If";
  test: Expr;
  body: Stmt[];
  orelse: Stmt[];
}
export interface With extends NodeBase {
  type: "With";
  items: WithItem[];
  body: Stmt[];
}
export interface AsyncWith extends Omit<With, "type"> {
  type: "AsyncWith";
}
export interface Match extends NodeBase {
  type: "Match";
  subject: Expr;
  cases: MatchCase[];
}
export interface Raise extends NodeBase {
  type: "Raise";
  exc: Expr | null;
  cause: Expr | null;
}
export interface Try extends NodeBase {
  type: "Try";
  body: Stmt[];
  handlers: ExceptHandler[];
  orelse: Stmt[];
  finalbody: Stmt[];
}
export interface TryStar extends Omit<Try, "type"> {
  type: "TryStar";
}
export interface Assert extends NodeBase {
  type: "Assert";
  test: Expr;
  msg: Expr | null;
}
export interface Import extends NodeBase {
  type: "Import";
  names: Alias[];
}
export interface ImportFrom extends NodeBase {
  type: "ImportFrom";
  /** Dotted module name without the leading dots; null for `from . import x`. */
  module: string | null;
  /** Range of the dotted module name (after the dots), when there is one. */
  moduleRange: Range | null;
  names: Alias[];
  /** Number of leading dots. */
  level: number;
}
export interface Global extends NodeBase {
  type: "Global";
  names: string[];
  nameRanges: Range[];
}
export interface Nonlocal extends NodeBase {
  type: "Nonlocal";
  names: string[];
  nameRanges: Range[];
}
/** CPython's `ast.Expr` (an expression statement); renamed to avoid clashing with `Expr`. */
export interface ExprStmt extends NodeBase {
  type: "Expr";
  value: Expr;
}
export interface Pass extends NodeBase {
  type: "Pass";
}
export interface Break extends NodeBase {
  type: "Break";
}
export interface Continue extends NodeBase {
  type: "Continue";
}
/**
 * A statement that did not parse (error recovery). `partial` holds whatever could be
 * recovered, e.g. the target names of a half-typed assignment, so that analysis does
 * not report them as undefined.
 */
export interface ErrorStmt extends NodeBase {
  type: "Error";
  partial: Stmt | null;
  /** Names this statement most likely defines (best effort from the tokens). */
  definedNames: { name: string; range: Range }[];
}

// ---------------------------------------------------------------- expressions

export type ExprContext = "Load" | "Store" | "Del";

export type Expr =
  | BoolOp
  | NamedExpr
  | BinOp
  | UnaryOp
  | Lambda
  | IfExp
  | Dict
  | SetExpr
  | ListComp
  | SetComp
  | DictComp
  | GeneratorExp
  | Await
  | Yield
  | YieldFrom
  | Compare
  | Call
  | FormattedValue
  | JoinedStr
  | Constant
  | Attribute
  | Subscript
  | Starred
  | Name
  | List
  | Tuple
  | Slice;

export interface BoolOp extends NodeBase {
  type: "BoolOp";
  op: "And" | "Or";
  values: Expr[];
}
export interface NamedExpr extends NodeBase {
  type: "NamedExpr";
  target: Name;
  value: Expr;
}
export type Operator =
  | "Add"
  | "Sub"
  | "Mult"
  | "MatMult"
  | "Div"
  | "Mod"
  | "Pow"
  | "LShift"
  | "RShift"
  | "BitOr"
  | "BitXor"
  | "BitAnd"
  | "FloorDiv";
export interface BinOp extends NodeBase {
  type: "BinOp";
  left: Expr;
  op: Operator;
  right: Expr;
}
export interface UnaryOp extends NodeBase {
  type: "UnaryOp";
  op: "Invert" | "Not" | "UAdd" | "USub";
  operand: Expr;
}
export interface Lambda extends NodeBase {
  type: "Lambda";
  args: Arguments;
  body: Expr;
}
export interface IfExp extends NodeBase {
  type: "IfExp";
  test: Expr;
  body: Expr;
  orelse: Expr;
}
export interface Dict extends NodeBase {
  type: "Dict";
  /** null for a `**mapping` entry, as in CPython. */
  keys: (Expr | null)[];
  values: Expr[];
}
/** CPython's `ast.Set`; renamed to avoid clashing with the JS global. */
export interface SetExpr extends NodeBase {
  type: "Set";
  elts: Expr[];
}
export interface ListComp extends NodeBase {
  type: "ListComp";
  elt: Expr;
  generators: Comprehension[];
}
export interface SetComp extends NodeBase {
  type: "SetComp";
  elt: Expr;
  generators: Comprehension[];
}
export interface DictComp extends NodeBase {
  type: "DictComp";
  key: Expr;
  value: Expr;
  generators: Comprehension[];
}
export interface GeneratorExp extends NodeBase {
  type: "GeneratorExp";
  elt: Expr;
  generators: Comprehension[];
}
export interface Await extends NodeBase {
  type: "Await";
  value: Expr;
}
export interface Yield extends NodeBase {
  type: "Yield";
  value: Expr | null;
}
export interface YieldFrom extends NodeBase {
  type: "YieldFrom";
  value: Expr;
}
export type CmpOp = "Eq" | "NotEq" | "Lt" | "LtE" | "Gt" | "GtE" | "Is" | "IsNot" | "In" | "NotIn";
export interface Compare extends NodeBase {
  type: "Compare";
  left: Expr;
  ops: CmpOp[];
  comparators: Expr[];
}
export interface Call extends NodeBase {
  type: "Call";
  func: Expr;
  args: Expr[];
  keywords: Keyword[];
}
export interface FormattedValue extends NodeBase {
  type: "FormattedValue";
  value: Expr;
  /** -1 none, 115 's', 114 'r', 97 'a' (as CPython). */
  conversion: number;
  format_spec: JoinedStr | null;
}
export interface JoinedStr extends NodeBase {
  type: "JoinedStr";
  values: (Constant | FormattedValue)[];
}
export type ConstantKind = "int" | "float" | "complex" | "str" | "bytes" | "bool" | "None" | "Ellipsis";
export interface Constant extends NodeBase {
  type: "Constant";
  kind: ConstantKind;
  /** Source text (for implicitly concatenated strings: the whole span). */
  raw: string;
  /** Decoded value for str/bytes (escape sequences applied) when cheap to know; else undefined. */
  value?: string | number | boolean | null;
}
export interface Attribute extends NodeBase {
  type: "Attribute";
  value: Expr;
  attr: string;
  attrRange: Range;
  ctx: ExprContext;
}
export interface Subscript extends NodeBase {
  type: "Subscript";
  value: Expr;
  slice: Expr;
  ctx: ExprContext;
}
export interface Starred extends NodeBase {
  type: "Starred";
  value: Expr;
  ctx: ExprContext;
}
export interface Name extends NodeBase {
  type: "Name";
  id: string;
  ctx: ExprContext;
}
export interface List extends NodeBase {
  type: "List";
  elts: Expr[];
  ctx: ExprContext;
}
export interface Tuple extends NodeBase {
  type: "Tuple";
  elts: Expr[];
  ctx: ExprContext;
}
export interface Slice extends NodeBase {
  type: "Slice";
  lower: Expr | null;
  upper: Expr | null;
  step: Expr | null;
}

// ---------------------------------------------------------------- helpers

export interface Comprehension extends NodeBase {
  type: "comprehension";
  target: Expr;
  iter: Expr;
  ifs: Expr[];
  is_async: 0 | 1;
}
export interface ExceptHandler extends NodeBase {
  type: "ExceptHandler";
  exc_type: Expr | null;
  name: string | null;
  nameRange: Range | null;
  body: Stmt[];
}
export interface Arguments {
  type: "arguments";
  posonlyargs: Arg[];
  args: Arg[];
  vararg: Arg | null;
  kwonlyargs: Arg[];
  /** Same length as kwonlyargs; null where there is no default. */
  kw_defaults: (Expr | null)[];
  kwarg: Arg | null;
  /** Defaults of the last positional parameters (posonlyargs + args). */
  defaults: Expr[];
}
export interface Arg extends NodeBase {
  type: "arg";
  arg: string;
  annotation: Expr | null;
}
export interface Keyword extends NodeBase {
  type: "keyword";
  /** null for `**kwargs`. */
  arg: string | null;
  argRange: Range | null;
  value: Expr;
}
export interface Alias extends NodeBase {
  type: "alias";
  /** Dotted name for `import a.b`, plain name (or "*") for `from x import y`. */
  name: string;
  asname: string | null;
  asnameRange: Range | null;
}
export interface WithItem {
  type: "withitem";
  context_expr: Expr;
  optional_vars: Expr | null;
}
export interface MatchCase {
  type: "match_case";
  pattern: Pattern;
  guard: Expr | null;
  body: Stmt[];
}

export type Pattern =
  | MatchValue
  | MatchSingleton
  | MatchSequence
  | MatchMapping
  | MatchClass
  | MatchStar
  | MatchAs
  | MatchOr;

export interface MatchValue extends NodeBase {
  type: "MatchValue";
  value: Expr;
}
export interface MatchSingleton extends NodeBase {
  type: "MatchSingleton";
  value: "True" | "False" | "None";
}
export interface MatchSequence extends NodeBase {
  type: "MatchSequence";
  patterns: Pattern[];
}
export interface MatchMapping extends NodeBase {
  type: "MatchMapping";
  keys: Expr[];
  patterns: Pattern[];
  rest: string | null;
  restRange: Range | null;
}
export interface MatchClass extends NodeBase {
  type: "MatchClass";
  cls: Expr;
  patterns: Pattern[];
  kwd_attrs: string[];
  kwd_patterns: Pattern[];
}
export interface MatchStar extends NodeBase {
  type: "MatchStar";
  name: string | null;
  nameRange: Range | null;
}
export interface MatchAs extends NodeBase {
  type: "MatchAs";
  pattern: Pattern | null;
  name: string | null;
  nameRange: Range | null;
}
export interface MatchOr extends NodeBase {
  type: "MatchOr";
  patterns: Pattern[];
}

export type AnyNode =
  | Module
  | Stmt
  | Expr
  | Pattern
  | Comprehension
  | ExceptHandler
  | Arguments
  | Arg
  | Keyword
  | Alias
  | WithItem
  | MatchCase;
