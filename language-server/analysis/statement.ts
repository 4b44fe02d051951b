/**
 * Analysis of one top-level statement, the way lazycon's static phase sees it: what the
 * statement defines, every name it reads and where that name resolves (a local scope or the
 * config's top level), and the problems that depend on this statement alone. A file's next
 * analysis keeps the result of every statement object an edit left alone (see analyzeFile).
 *
 * Diagnostics need the definitions, the top-level reads and the problems. Every other name
 * occurrence and the local scopes serve navigation and completion only: they are collected by a
 * second walk of the statement the first time one of those asks (opening a large config then
 * builds no objects for them, which was a fifth of its analysis time and garbage-collector work).
 */
import type * as ast from "../parser/ast";
import { type LineIndex, rangeFrom, startCharacterOf, startLineOf } from "./positions";
import { buildFails, lazyconCrashes, lazyconError, lazyconPosition, type Problem } from "./problems";

export const WILDCARD = "_";

export interface LocalScope {
  kind: "function" | "lambda" | "comprehension";
  /** Where the scope's names are visible (used by completion). */
  range: ast.Range;
  /** Binding occurrences per name, in source order. */
  bindings: Map<string, ast.Range[]>;
  parent: LocalScope | null;
}

export interface NameOccurrence {
  name: string;
  range: ast.Range;
  /** The local scope the name resolves to; null for a top-level entry (or a builtin / undefined name). */
  scope: LocalScope | null;
  binding: boolean;
  /** Read while the entry's value is computed, not deferred inside a function or lambda body. */
  eager: boolean;
}

export type EntryKind = "assignment" | "function" | "import";

export interface EntryDefinition {
  name: string;
  nameRange: ast.Range;
  kind: EntryKind;
  statement: ast.Stmt;
  /** Imports: the module the name comes from ("torch" for `import torch.nn`). */
  importedFrom?: string;
  alias?: ast.Alias;
  /** The analysis of the statement that makes this definition. */
  owner: StatementAnalysis;
}

export type StatementRole = "parent-import" | "import" | "definition" | "unsupported" | "broken";

export interface StatementAnalysis {
  statement: ast.Stmt;
  role: StatementRole;
  definitions: EntryDefinition[];
  /**
   * Every name read or bound, locals included, in source order (made on first read). Top-level
   * reads are the objects of `globalReads`; a definition's binding has its `nameRange`.
   */
  readonly occurrences: NameOccurrence[];
  /** Reads that resolve to the top level; checked against the config's whole scope later. */
  globalReads: NameOccurrence[];
  /** The local scopes (functions, lambdas, comprehensions), outermost first (made on first read). */
  readonly scopes: LocalScope[];
  /** Problems that depend on this statement only. */
  problems: Problem[];
  /** Top-level names read while the value is computed (each once, own names excluded). */
  eagerNames: string[];
  /** Where the statement started when analysed: the result holds copied ranges, valid only there. */
  analyzedLine: number;
  analyzedCharacter: number;
}

/** True when `analysis` (made for this statement object) still matches its position. */
export function isCurrentAnalysis(analysis: StatementAnalysis, statement: ast.Stmt): boolean {
  return (
    analysis.statement === statement &&
    analysis.analyzedLine === startLineOf(statement.range) &&
    analysis.analyzedCharacter === startCharacterOf(statement.range)
  );
}

/** A fresh analysis; analyzeFile reuses the previous one of a statement that did not change. */
export function analyzeStatement(statement: ast.Stmt, lines: LineIndex): StatementAnalysis {
  return new StatementWalker(new Analysis(statement), lines).run();
}

/** Occurrences and scopes of a statement, collected together by one walk. */
interface NameData {
  occurrences: NameOccurrence[];
  scopes: LocalScope[];
}

/**
 * Lists that stay empty share these (never modified; the walker makes its own list on the
 * first push): most statements have no problems, many no reads, and every empty array would be
 * kept for the file's lifetime.
 */
const NO_DEFINITIONS: EntryDefinition[] = [];
const NO_READS: NameOccurrence[] = [];
const NO_PROBLEMS: Problem[] = [];
const NO_EAGER_NAMES: string[] = [];

/** Fields are `declare`d and set in the constructor: one per statement, no initializer calls. */
class Analysis implements StatementAnalysis {
  declare readonly statement: ast.Stmt;
  declare role: StatementRole;
  declare definitions: EntryDefinition[];
  declare globalReads: NameOccurrence[];
  declare problems: Problem[];
  declare eagerNames: string[];
  declare readonly analyzedLine: number;
  declare readonly analyzedCharacter: number;
  declare private names: NameData | undefined;

  constructor(statement: ast.Stmt) {
    this.statement = statement;
    this.role = "definition";
    this.definitions = NO_DEFINITIONS;
    this.globalReads = NO_READS;
    this.problems = NO_PROBLEMS;
    this.eagerNames = NO_EAGER_NAMES;
    this.analyzedLine = startLineOf(statement.range);
    this.analyzedCharacter = startCharacterOf(statement.range);
    this.names = undefined;
  }

  get occurrences(): NameOccurrence[] {
    this.names ??= new StatementWalker(this, undefined).collectNames();
    return this.names.occurrences;
  }

  get scopes(): LocalScope[] {
    this.names ??= new StatementWalker(this, undefined).collectNames();
    return this.names.scopes;
  }
}

/** A copy without the spare capacity push leaves (room for 17); an empty array has none. */
function exact<T>(items: T[]): T[] {
  return items.length === 0 ? items : items.slice();
}

enum State {
  Undefined = 0,
  Defining = 1,
  Defined = 2,
}

interface ScopeFrame {
  /** Null while only diagnostics are collected (no scope objects then). */
  scope: LocalScope | null;
  states: Map<string, State>;
}

/** Statements lazycon accepts inside a function body (its analyser has a visitor for them). */
const FUNCTION_BODY_STATEMENTS = new Set(["Assign", "FunctionDef", "Return", "With", "Assert", "If", "Expr"]);

/** First line of a node, for problems about a whole (maybe long) statement. */
export function headRange(node: { range: ast.Range }, lines: LineIndex): ast.Range {
  const { start, end } = node.range;
  if (start.line === end.line) return node.range;
  const lineLength = lines.lineText(start.line).length;
  return { start, end: { line: start.line, character: Math.max(lineLength, start.character) } };
}

const NO_NAMES: readonly string[] = [];

/**
 * Names the statement reads eagerly and does not define itself, in order of first read. Plain
 * arrays for the usual handful of names: this runs for every statement of a file when it opens.
 */
function eagerNamesOf(result: StatementAnalysis): string[] {
  const reads = result.globalReads;
  const definitions = result.definitions;
  if (reads.length === 0) return NO_EAGER_NAMES;
  if (reads.length > 64) {
    const own = new Set(definitions.map((definition) => definition.name));
    const eager = new Set<string>();
    for (const read of reads) if (read.eager && !own.has(read.name)) eager.add(read.name);
    return [...eager];
  }
  let eager = NO_EAGER_NAMES;
  for (let index = 0; index < reads.length; index++) {
    const read = reads[index];
    if (!read.eager || eager.includes(read.name)) continue;
    let own = false;
    for (let k = 0; k < definitions.length && !own; k++) own = definitions[k].name === read.name;
    if (own) continue;
    if (eager === NO_EAGER_NAMES) eager = [];
    eager.push(read.name);
  }
  return eager;
}

/**
 * Walks one statement the way lazycon's analyser does. Without `lines` it walks a second time
 * for the names only (`collectNames`): the analysis it completes already has the definitions,
 * top-level reads and problems, met again in the same order, so those objects are reused.
 */
class StatementWalker {
  declare private readonly result: Analysis;
  declare private readonly lines: LineIndex | undefined;
  declare private readonly frames: ScopeFrame[];
  /** Top-level names of the statement while its value is being computed (lazycon's "Defining"). */
  declare private defining: readonly string[];
  declare private lazyDepth: number;
  declare private readonly statement: ast.Stmt;
  /** Set while collecting names: every occurrence and local scope. */
  declare private readonly names: NameData | null;
  declare private definitionsSeen: number;
  declare private globalReadsSeen: number;

  constructor(result: Analysis, lines: LineIndex | undefined) {
    this.result = result;
    this.lines = lines;
    this.frames = [];
    this.defining = NO_NAMES;
    this.lazyDepth = 0;
    this.statement = result.statement;
    this.names = lines === undefined ? { occurrences: [], scopes: [] } : null;
    this.definitionsSeen = 0;
    this.globalReadsSeen = 0;
  }

  collectNames(): NameData {
    this.walk();
    const names = this.names!;
    // Kept while the statement lives: drop the spare capacity push leaves (17 slots per array).
    names.occurrences = exact(names.occurrences);
    names.scopes = exact(names.scopes);
    for (let k = 0; k < names.scopes.length; k++) {
      const bindings = names.scopes[k].bindings;
      for (const [name, ranges] of bindings) bindings.set(name, exact(ranges));
    }
    return names;
  }

  run(): StatementAnalysis {
    this.walk();
    const result = this.result;
    result.eagerNames = eagerNamesOf(result);
    // Kept for the file's lifetime: drop the spare capacity push leaves (17 slots per array).
    result.definitions = exact(result.definitions);
    result.globalReads = exact(result.globalReads);
    result.problems = exact(result.problems);
    result.eagerNames = exact(result.eagerNames);
    return result;
  }

  /** The statement's first line as a range, for problems about a whole statement. */
  private head(node: { range: ast.Range }): ast.Range {
    // Without lines no problem is recorded (see problem()).
    return this.lines ? headRange(node, this.lines) : node.range;
  }

  private walk(): void {
    const statement = this.statement;
    switch (statement.type) {
      case "Import":
        this.result.role = "import";
        this.importStatement(statement);
        break;
      case "ImportFrom":
        this.importFrom(statement);
        break;
      case "Assign":
        this.topLevelAssign(statement);
        break;
      case "FunctionDef":
        this.topLevelFunction(statement);
        break;
      case "Error":
        this.result.role = "broken";
        this.brokenStatement(statement);
        break;
      default:
        this.result.role = "unsupported";
        this.problem(
          "unsupported-statement",
          this.head(statement),
          buildFails(
            `${describeStatement(statement)} is not allowed at the top level of a config (only imports, assignments and functions)`,
            "This syntactic structure is not supported.",
          ),
        );
    }
  }

  // ------------------------------------------------------------ top level

  private importStatement(statement: ast.Import): void {
    for (const alias of statement.names) {
      const name = alias.asname ?? alias.name.split(".")[0];
      const nameRange = alias.asnameRange ?? rangeFrom(alias.range.start, name.length);
      this.define({ name, nameRange, kind: "import", statement, importedFrom: alias.name, alias });
    }
  }

  private importFrom(statement: ast.ImportFrom): void {
    if (statement.module === null) {
      this.result.role = "import";
      this.problem(
        "relative-import-without-module",
        this.head(statement),
        lazyconCrashes(
          '"from . import ..." is not supported; import parent configs with "from .name import *"',
        ),
      );
      return;
    }
    if (statement.names.length === 1 && statement.names[0].name === "*") {
      this.result.role = "parent-import";
      return;
    }
    this.result.role = "import";
    if (statement.level > 0) {
      this.problem(
        "relative-import",
        this.head(statement),
        buildFails(
          "Relative imports can only import parent configs (from .base import *)",
          "Relative imports are only supported for config files.",
        ),
      );
      return;
    }
    for (const alias of statement.names) {
      const name = alias.asname ?? alias.name;
      const nameRange = alias.asnameRange ?? rangeFrom(alias.range.start, alias.name.length);
      this.define({ name, nameRange, kind: "import", statement, importedFrom: statement.module, alias });
    }
  }

  private topLevelAssign(statement: ast.Assign): void {
    const names: string[] = [];
    for (const target of statement.targets) {
      const targetNames: { name: string; range: ast.Range }[] = [];
      this.collectTargets(target, targetNames);
      if (targetNames.length > 0 && targetNames.every((entry) => entry.name === WILDCARD)) {
        this.problem(
          "wildcard-target",
          target.range,
          buildFails(
            'An assignment target cannot be only "_"',
            "The assignment target cannot completely consist of the `_` wildcard",
          ),
        );
      }
      for (const entry of targetNames) {
        if (entry.name === WILDCARD) continue;
        names.push(entry.name);
        this.define({ name: entry.name, nameRange: entry.range, kind: "assignment", statement });
      }
    }
    this.defining = names;
    this.expression(statement.value);
    this.defining = NO_NAMES;
  }

  private topLevelFunction(statement: ast.FunctionDef): void {
    this.define({ name: statement.name, nameRange: statement.nameRange, kind: "function", statement });
    this.checkDecoratorSyntax(statement);
    this.defining = [statement.name];
    this.argumentDefaults(statement.args);
    for (const decorator of statement.decorator_list) this.expression(decorator);
    this.defining = NO_NAMES;
    this.functionBody(statement);
  }

  private brokenStatement(statement: ast.ErrorStmt): void {
    // The parser reports the syntax error; here we only keep the names it most likely defines,
    // so that the rest of the file does not light up with undefined names.
    if (this.names) return;
    for (const defined of statement.definedNames) {
      this.ownDefinitions().push({
        name: defined.name,
        nameRange: defined.range,
        kind: "assignment",
        statement,
        owner: this.result,
      });
    }
  }

  /** lazycon finds the decorator's `@` by looking at the token before the expression; `@(deco)` breaks that. */
  private checkDecoratorSyntax(statement: ast.FunctionDef): void {
    const first = statement.decorator_list[0];
    if (!first || !this.lines) return;
    const before = this.lines
      .lineText(first.range.start.line)
      .slice(0, first.range.start.character)
      .trimEnd();
    if (!before.endsWith("@")) {
      this.problem(
        "parenthesized-decorator",
        first.range,
        lazyconCrashes("A decorator in parentheses is not supported; write it without the outer parentheses"),
      );
    }
  }

  private define(partial: Omit<EntryDefinition, "owner">): void {
    if (this.names) {
      // The same definition as the first walk made (same order), so that its binding has its range.
      const known = this.result.definitions[this.definitionsSeen++];
      this.names.occurrences.push({
        name: known.name,
        range: known.nameRange,
        scope: null,
        binding: true,
        eager: true,
      });
      return;
    }
    // Written out rather than spread: a spread copy keeps its fields out of the object (one
    // more allocation per definition, for the file's lifetime).
    const definition: EntryDefinition = {
      name: partial.name,
      nameRange: partial.nameRange,
      kind: partial.kind,
      statement: partial.statement,
      owner: this.result,
    };
    if (partial.importedFrom !== undefined) definition.importedFrom = partial.importedFrom;
    if (partial.alias !== undefined) definition.alias = partial.alias;
    this.ownDefinitions().push(definition);
    if (definition.name.startsWith("__")) {
      this.problem(
        "dunder-definition",
        definition.nameRange,
        buildFails(
          `"${definition.name}" cannot be defined: names starting with "__" are read-only`,
          `Dunder names are read-only: "${definition.name}" at ${lazyconPosition(definition.nameRange)}`,
        ),
      );
    }
  }

  // ------------------------------------------------------------ targets

  /** lazycon's extract_assign_targets: names, starred, tuples/lists; anything else is an error. */
  private collectTargets(target: ast.Expr, out: { name: string; range: ast.Range }[]): void {
    switch (target.type) {
      case "Name":
        out.push({ name: target.id, range: target.range });
        return;
      case "Starred":
        this.collectTargets(target.value, out);
        return;
      case "Tuple":
      case "List":
        for (const element of target.elts) this.collectTargets(element, out);
        return;
      default:
        this.problem(
          "unsupported-assignment",
          target.range,
          buildFails(
            `Assigning to ${target.type === "Attribute" ? "an attribute" : target.type === "Subscript" ? "an item" : "this target"} is not supported in configs`,
            "This assignment syntax is not supported",
          ),
        );
        // Names inside `x.a = ...` are still read; keep them for undefined-name checks.
        this.expression(target);
    }
  }

  // ------------------------------------------------------------ function bodies

  private functionBody(node: ast.FunctionDef | ast.AsyncFunctionDef): void {
    const scope = this.pushScope("function", node, node);
    const frame = this.frames[this.frames.length - 1];
    for (const name of gatherLocals(node.body)) {
      if (!frame.states.has(name)) frame.states.set(name, State.Undefined);
    }
    for (const arg of allArguments(node.args)) {
      frame.states.set(arg.arg, State.Defined);
      if (scope) this.bindLocal(scope, arg.arg, rangeFrom(arg.range.start, arg.arg.length));
    }
    this.lazyDepth++;
    for (const statement of node.body) this.localStatement(statement);
    this.lazyDepth--;
    this.frames.pop();
  }

  private localStatement(statement: ast.Stmt): void {
    if (!FUNCTION_BODY_STATEMENTS.has(statement.type)) {
      if (statement.type === "Error") return;
      this.problem(
        "unsupported-syntax",
        this.head(statement),
        buildFails(
          `${describeStatement(statement)} is not supported inside a config function`,
          `This syntactic structure is not supported: ${statement.type} at ${lazyconPosition(statement.range)}`,
        ),
      );
      return;
    }
    switch (statement.type) {
      case "Assign": {
        const targets: { name: string; range: ast.Range }[] = [];
        for (const target of statement.targets) this.collectTargets(target, targets);
        for (const target of targets) this.enterLocal(target.name, target.range);
        this.expression(statement.value);
        for (const target of targets) this.leaveLocal(target.name);
        return;
      }
      case "FunctionDef": {
        this.checkDecoratorSyntax(statement);
        this.enterLocal(statement.name, statement.nameRange);
        this.argumentDefaults(statement.args);
        for (const decorator of statement.decorator_list) this.expression(decorator);
        this.leaveLocal(statement.name);
        this.functionBody(statement);
        return;
      }
      case "Return":
        if (statement.value) this.expression(statement.value);
        return;
      case "With":
        for (const item of statement.items) {
          this.expression(item.context_expr);
          if (item.optional_vars) {
            const targets: { name: string; range: ast.Range }[] = [];
            this.collectTargets(item.optional_vars, targets);
            for (const target of targets) {
              this.enterLocal(target.name, target.range);
              this.leaveLocal(target.name);
            }
          }
        }
        for (const inner of statement.body) this.localStatement(inner);
        return;
      case "Assert":
        this.expression(statement.test);
        if (statement.msg) this.expression(statement.msg);
        return;
      case "If":
        this.expression(statement.test);
        for (const inner of statement.body) this.localStatement(inner);
        for (const inner of statement.orelse) this.localStatement(inner);
        return;
      case "Expr":
        this.expression(statement.value);
        return;
    }
  }

  /** lazycon's `enter` for a local binding; a name it did not gather first makes it crash. */
  private enterLocal(name: string, range: ast.Range): void {
    if (name === WILDCARD) return;
    const frame = this.frames[this.frames.length - 1];
    const state = frame.states.get(name);
    if (state === undefined) {
      this.problem(
        "assignment-in-if",
        range,
        lazyconCrashes(
          `Defining "${name}" inside an "if" block of a function is not supported; define it before the "if"`,
        ),
      );
      frame.states.set(name, State.Defined);
    } else if (state === State.Undefined) {
      frame.states.set(name, State.Defining);
    }
    if (frame.scope) this.bindLocal(frame.scope, name, range);
  }

  private leaveLocal(name: string): void {
    if (name === WILDCARD) return;
    const frame = this.frames[this.frames.length - 1];
    frame.states.set(name, State.Defined);
  }

  private argumentDefaults(args: ast.Arguments): void {
    for (const value of args.defaults) this.expression(value);
    for (const value of args.kw_defaults) if (value) this.expression(value);
  }

  // ------------------------------------------------------------ expressions

  /** Indexed loop: for-of allocates per step until V8 optimises it (the first open is cold). */
  private expressions(nodes: readonly (ast.Expr | null)[]): void {
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k];
      if (node) this.expression(node);
    }
  }

  private expression(node: ast.Expr): void {
    switch (node.type) {
      case "Name":
        if (node.ctx === "Load") this.read(node.id, node.range);
        return;
      case "Constant":
        return;
      case "JoinedStr":
        this.expressions(node.values);
        return;
      case "FormattedValue":
        if (node.format_spec) {
          this.problem(
            "format-spec",
            node.format_spec.range,
            lazyconCrashes(
              "Format specs in f-strings (like {lr:.0e}) are not supported; use format(lr, '.0e')",
            ),
          );
        }
        this.expression(node.value);
        return;
      case "List":
      case "Tuple":
      case "Set":
        this.expressions(node.elts);
        return;
      case "Dict":
        this.expressions(node.keys);
        this.expressions(node.values);
        return;
      case "Starred":
        this.expression(node.value);
        return;
      case "UnaryOp":
        this.expression(node.operand);
        return;
      case "BinOp": {
        // `a + a + ... + a` nests to the left as deep as it is long: walk that spine in a loop
        // (a 1 MB line of it would overflow the stack), reading in source order.
        const spine: ast.BinOp[] = [node];
        let left = node.left;
        while (left.type === "BinOp") {
          spine.push(left);
          left = left.left;
        }
        this.expression(left);
        for (let k = spine.length - 1; k >= 0; k--) this.expression(spine[k].right);
        return;
      }
      case "BoolOp":
        this.expressions(node.values);
        return;
      case "Compare":
        this.expression(node.left);
        this.expressions(node.comparators);
        return;
      case "Call": {
        this.expression(node.func);
        this.expressions(node.args);
        const keywords = node.keywords;
        for (let k = 0; k < keywords.length; k++) this.expression(keywords[k].value);
        return;
      }
      case "IfExp":
        this.expression(node.test);
        this.expression(node.body);
        this.expression(node.orelse);
        return;
      case "Attribute":
        this.expression(node.value);
        return;
      case "Subscript":
        this.expression(node.value);
        this.expression(node.slice);
        return;
      case "Slice":
        if (node.lower) this.expression(node.lower);
        if (node.upper) this.expression(node.upper);
        if (node.step) this.expression(node.step);
        return;
      case "Lambda": {
        this.argumentDefaults(node.args);
        const scope = this.pushScope("lambda", node, node);
        const frame = this.frames[this.frames.length - 1];
        for (const arg of allArguments(node.args)) {
          frame.states.set(arg.arg, State.Defined);
          if (scope) this.bindLocal(scope, arg.arg, rangeFrom(arg.range.start, arg.arg.length));
        }
        this.lazyDepth++;
        this.expression(node.body);
        this.lazyDepth--;
        this.frames.pop();
        return;
      }
      case "ListComp":
      case "SetComp":
      case "GeneratorExp":
        this.comprehension(node, node.generators, [node.elt]);
        return;
      case "DictComp":
        this.comprehension(node, node.generators, [node.key, node.value]);
        return;
      default:
        this.problem(
          "unsupported-syntax",
          this.head(node),
          buildFails(
            `${describeExpression(node)} is not supported in configs`,
            `This syntactic structure is not supported: ${node.type} at ${lazyconPosition(node.range)}`,
          ),
        );
    }
  }

  private comprehension(node: ast.Expr, generators: ast.Comprehension[], results: ast.Expr[]): void {
    let pushed = 0;
    const lazyBefore = this.lazyDepth;
    generators.forEach((generator, index) => {
      if (generator.is_async) {
        this.problem(
          "async-comprehension",
          generator.range,
          buildFails("Async comprehensions are not supported", "Async comprehensions are not supported"),
        );
      }
      this.expression(generator.iter);
      // A generator expression runs lazily after its first iterable.
      if (index === 0 && node.type === "GeneratorExp") this.lazyDepth++;
      const targets: { name: string; range: ast.Range }[] = [];
      this.collectTargets(generator.target, targets);
      const scope = this.pushScope("comprehension", generator, node);
      const frame = this.frames[this.frames.length - 1];
      for (const target of targets) {
        frame.states.set(target.name, State.Defined);
        if (scope) this.bindLocal(scope, target.name, target.range);
      }
      pushed++;
      for (const condition of generator.ifs) this.expression(condition);
    });
    for (const result of results) this.expression(result);
    for (let i = 0; i < pushed; i++) this.frames.pop();
    this.lazyDepth = lazyBefore;
  }

  // ------------------------------------------------------------ names

  private read(name: string, range: ast.Range): void {
    if (name === WILDCARD) {
      this.problem(
        "wildcard-read",
        range,
        buildFails(
          '"_" is a wildcard and cannot be read',
          `The name "_" can only be used as wildcard during unpacking: at ${lazyconPosition(range)}`,
        ),
      );
      return;
    }
    for (let level = 0; level < this.frames.length; level++) {
      const frame = this.frames[this.frames.length - 1 - level];
      const state = frame.states.get(name);
      if (state === undefined) continue;
      // Only the innermost scope counts: a nested function may read a local defined later (late binding).
      if (level === 0 && state !== State.Defined) {
        this.problem(
          "local-before-definition",
          range,
          buildFails(
            `Local variable "${name}" is used before it is defined`,
            `Local variables referenced before being defined: "${name}" at ${lazyconPosition(range)}`,
          ),
        );
      }
      this.names?.occurrences.push({
        name,
        range,
        scope: frame.scope,
        binding: false,
        eager: this.lazyDepth === 0,
      });
      return;
    }
    if (this.names) {
      // The first walk's object for this read (same order), so both lists share it.
      this.names.occurrences.push(this.result.globalReads[this.globalReadsSeen++]);
      return;
    }
    if (this.result.globalReads === NO_READS) this.result.globalReads = [];
    this.result.globalReads.push({
      name,
      range,
      scope: null,
      binding: false,
      eager: this.lazyDepth === 0,
    });
    if (this.defining.includes(name)) {
      this.problem(
        "self-reference",
        range,
        buildFails(
          `"${name}" refers to itself while it is being defined`,
          `Values are referenced before being completely defined (cyclic dependency): "${name}" at ${lazyconPosition(range)}`,
        ),
      );
    }
  }

  /**
   * A new innermost scope from the start of `from` to the end of `to`; its LocalScope only while
   * collecting names (null otherwise).
   */
  private pushScope(
    kind: LocalScope["kind"],
    from: { range: ast.Range },
    to: { range: ast.Range },
  ): LocalScope | null {
    if (!this.names) {
      this.frames.push({ scope: null, states: new Map() });
      return null;
    }
    const parent = this.frames.length > 0 ? this.frames[this.frames.length - 1].scope : null;
    const range = from === to ? from.range : { start: from.range.start, end: to.range.end };
    const scope: LocalScope = { kind, range, bindings: new Map(), parent };
    this.frames.push({ scope, states: new Map() });
    this.names.scopes.push(scope);
    return scope;
  }

  private bindLocal(scope: LocalScope, name: string, range: ast.Range): void {
    let ranges = scope.bindings.get(name);
    if (!ranges) scope.bindings.set(name, (ranges = []));
    ranges.push(range);
    this.names!.occurrences.push({ name, range, scope, binding: true, eager: this.lazyDepth === 0 });
  }

  /** Problems are the first walk's; the walk for names drops them. */
  private problem(code: Problem["code"], range: ast.Range, message: string): void {
    if (this.names) return;
    if (this.result.problems === NO_PROBLEMS) this.result.problems = [];
    this.result.problems.push(lazyconError(code, range, message));
  }

  private ownDefinitions(): EntryDefinition[] {
    if (this.result.definitions === NO_DEFINITIONS) this.result.definitions = [];
    return this.result.definitions;
  }
}

/** lazycon's LocalsGatherer: names bound by assignments, defs and `with ... as` (not inside `if`). */
function gatherLocals(body: ast.Stmt[]): string[] {
  const names: string[] = [];
  const collect = (target: ast.Expr): void => {
    if (target.type === "Name") names.push(target.id);
    else if (target.type === "Starred") collect(target.value);
    else if (target.type === "Tuple" || target.type === "List") target.elts.forEach(collect);
  };
  for (const statement of body) {
    if (statement.type === "Assign") statement.targets.forEach(collect);
    else if (statement.type === "FunctionDef") names.push(statement.name);
    else if (statement.type === "With") {
      for (const item of statement.items) if (item.optional_vars) collect(item.optional_vars);
      names.push(...gatherLocals(statement.body));
    }
  }
  return names;
}

export function allArguments(args: ast.Arguments): ast.Arg[] {
  const result = [...args.posonlyargs, ...args.args, ...args.kwonlyargs];
  if (args.vararg) result.push(args.vararg);
  if (args.kwarg) result.push(args.kwarg);
  return result;
}

const STATEMENT_WORDS: Partial<Record<ast.Stmt["type"], string>> = {
  Expr: "An expression statement",
  Pass: '"pass"',
  If: 'An "if" statement',
  For: 'A "for" loop',
  AsyncFor: 'An "async for" loop',
  While: 'A "while" loop',
  ClassDef: "A class definition",
  AugAssign: "An augmented assignment (like x += 1)",
  AnnAssign: "An annotated assignment",
  Try: 'A "try" statement',
  TryStar: 'A "try" statement',
  With: 'A "with" statement',
  AsyncWith: 'An "async with" statement',
  Global: 'A "global" statement',
  Nonlocal: 'A "nonlocal" statement',
  Import: "An import",
  ImportFrom: "An import",
  Delete: 'A "del" statement',
  Raise: 'A "raise" statement',
  Return: 'A "return" statement',
  Match: 'A "match" statement',
  Break: '"break"',
  Continue: '"continue"',
  AsyncFunctionDef: "An async function",
  Assert: 'An "assert" statement',
};

function describeStatement(statement: ast.Stmt): string {
  if (statement.type === "Expr" && statement.value.type === "Constant" && statement.value.kind === "str") {
    return "A docstring";
  }
  return STATEMENT_WORDS[statement.type] ?? `"${statement.type}"`;
}

const EXPRESSION_WORDS: Partial<Record<ast.Expr["type"], string>> = {
  NamedExpr: "The walrus operator (:=)",
  Await: '"await"',
  Yield: '"yield"',
  YieldFrom: '"yield from"',
};

function describeExpression(node: ast.Expr): string {
  return EXPRESSION_WORDS[node.type] ?? `"${node.type}"`;
}
