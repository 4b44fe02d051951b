/**
 * One config file on its own: its statements (each analysed once, see statement.ts), its
 * parent-config imports, its entries, and the problems lazycon finds in the file alone
 * (syntax, statement order, duplicates). Scope-dependent checks live in diagnostics.ts.
 */
import type * as ast from "../parser/ast";
import type { ParsedDocument } from "../parser/index";
import { comparePositions, LineIndex } from "./positions";
import { buildFails, lazyconError, type Problem } from "./problems";
import {
  analyzeStatement,
  type EntryDefinition,
  headRange,
  isCurrentAnalysis,
  type StatementAnalysis,
} from "./statement";

/** An open document's text as it keeps it (see ParsedDocument.source). */
type DocumentSource = ParsedDocument["source"];

export interface ParentImport {
  statement: ast.ImportFrom;
  /** Leading dots. */
  level: number;
  /** Dotted module path after the dots ("base", "common.base"). */
  module: string;
}

export interface FileAnalysis {
  module: ast.Module;
  lines: LineIndex;
  statements: StatementAnalysis[];
  parentImports: ParentImport[];
  /** The definition in effect for each name (the last one), in first-definition order. */
  entries: Map<string, EntryDefinition>;
  /** Problems of the file alone. */
  problems: Problem[];
  /** Every definition of each name defined more than once, in source order (see definitionsNamed). */
  repeated: Map<string, EntryDefinition[]>;
  /** Stable text of the parent imports, to tell whether the family may have changed. */
  parentSignature: string;
}

/**
 * `beforeEdit`: the analysis of the same file before an edit. When the edit only changed the
 * values of definitions or imports (same names, same roles, no problems either side, no syntax
 * errors), the previous entries, problems and imports are reused instead of rebuilt: the usual
 * keystroke in a large config then costs a pass over the statements, not a rebuild.
 * That analysis must not be used afterwards (its entries map is updated in place).
 */
export function analyzeFile(
  module: ast.Module,
  text: string | DocumentSource,
  fileName: string,
  beforeEdit?: FileAnalysis,
): FileAnalysis {
  const lines = typeof text === "string" ? new LineIndex(text) : new LineIndex(text.text, text.lineStarts);
  const body = module.body;
  const prior = beforeEdit?.statements;
  // The document reuses the statement objects an edit did not touch: before the edit they keep
  // their index, after it their index moves by the change in the statement count.
  const shift = prior ? prior.length - body.length : 0;
  const statements: StatementAnalysis[] = new Array(body.length);
  for (let index = 0; index < body.length; index++) {
    const statement = body[index];
    let candidate = prior?.[index];
    if (candidate?.statement !== statement && shift !== 0) candidate = prior?.[index + shift];
    statements[index] =
      candidate !== undefined && isCurrentAnalysis(candidate, statement)
        ? candidate
        : analyzeStatement(statement, lines);
  }
  if (beforeEdit) {
    const reused = reuseUnchangedShape(beforeEdit, module, lines, statements);
    if (reused) return reused;
  }
  const problems: Problem[] = [];
  // lazycon parses with `ast.parse`: errors only CPython's compiler finds do not stop it, they
  // surface when thunder evaluates the config.
  const firstError = module.errors.find((error) => !error.fromCompiler);
  if (firstError) {
    problems.push(
      lazyconError(
        "syntax-error",
        firstError.range,
        `${firstError.kind}: ${firstError.message}: thunder build will fail (Python cannot parse the config)`,
      ),
    );
  } else {
    for (const error of module.errors) {
      // Top-level return/yield/await are already reported as unsupported statements.
      if (/^'(return|yield|await)' outside/.test(error.message)) continue;
      problems.push(
        lazyconError(
          "compile-error",
          error.range,
          `${error.kind}: ${error.message}: thunder will fail when it evaluates this config`,
        ),
      );
    }
  }

  const parentImports: ParentImport[] = [];
  const entries = new Map<string, EntryDefinition>();
  const repeated = new Map<string, EntryDefinition[]>();
  let seenImport = false;
  let seenDefinition = false;
  // Indexed loops: for-of allocates per step until V8 optimises it (the first open is cold).
  for (let index = 0; index < statements.length; index++) {
    const analysis = statements[index];
    for (let k = 0; k < analysis.problems.length; k++) problems.push(analysis.problems[k]);
    const statement = analysis.statement;
    if (analysis.role === "parent-import" && statement.type === "ImportFrom") {
      if (seenImport || seenDefinition) {
        problems.push(
          lazyconError(
            "star-import-position",
            headRange(statement, lines),
            buildFails(
              "Parent config imports (from ... import *) must come first, before other imports and definitions",
              "Starred imports are only allowed at the top of the config.",
            ),
          ),
        );
      }
      parentImports.push({ statement, level: statement.level, module: statement.module ?? "" });
      continue;
    }
    if (analysis.role === "import") {
      if (seenDefinition) {
        problems.push(
          lazyconError(
            "import-after-definition",
            headRange(statement, lines),
            buildFails(
              "Imports must come before all definitions",
              "Imports are only allowed before definitions.",
            ),
          ),
        );
      }
      seenImport = true;
    } else if (analysis.role === "definition") {
      seenDefinition = true;
    }
    for (let k = 0; k < analysis.definitions.length; k++) {
      const definition = analysis.definitions[k];
      const previous = entries.get(definition.name);
      if (previous && (previous.statement.type !== "Error" || definition.statement.type !== "Error")) {
        problems.push({
          ...lazyconError(
            "duplicate-definition",
            definition.nameRange,
            buildFails(
              `"${definition.name}" is already defined on line ${previous.nameRange.start.line + 1} of this file`,
              `Duplicate definitions found in ${fileName}: ${definition.name}`,
            ),
          ),
          related: { range: previous.nameRange, message: `"${definition.name}" is first defined here` },
        });
      }
      if (previous) {
        const all = repeated.get(definition.name);
        if (all) all.push(definition);
        else repeated.set(definition.name, [previous, definition]);
      }
      entries.set(definition.name, definition);
    }
  }

  problems.sort((a, b) => comparePositions(a.range.start, b.range.start));
  const parentSignature = parentImports.map((parent) => `${parent.level}:${parent.module}`).join("|");
  return { module, lines, statements, parentImports, entries, problems, repeated, parentSignature };
}

/** Most definitions a value-only edit may touch before a full rebuild is simpler. */
const MAX_REUSE_CHANGES = 64;

function reuseUnchangedShape(
  previous: FileAnalysis,
  module: ast.Module,
  lines: LineIndex,
  statements: StatementAnalysis[],
): FileAnalysis | undefined {
  const before = previous.statements;
  if (before.length !== statements.length) return undefined;
  if (module.errors.length > 0 || previous.module.errors.length > 0) return undefined;
  const changed: number[] = [];
  for (let index = 0; index < statements.length; index++) {
    if (statements[index] === before[index]) continue;
    if (changed.length >= MAX_REUSE_CHANGES) return undefined;
    const old = before[index];
    const now = statements[index];
    // Parent imports are kept in parentImports (with their statements): those need a rebuild.
    if (old.role !== now.role || (now.role !== "definition" && now.role !== "import")) return undefined;
    if (old.problems.length > 0 || now.problems.length > 0) return undefined;
    if (old.definitions.length !== now.definitions.length) return undefined;
    for (let k = 0; k < now.definitions.length; k++) {
      const name = now.definitions[k].name;
      // A repeated name brings "already defined on line N" problems that may move.
      if (name !== old.definitions[k].name || previous.repeated.has(name)) return undefined;
    }
    changed.push(index);
  }
  const entries = previous.entries;
  for (const index of changed) {
    for (const definition of statements[index].definitions) entries.set(definition.name, definition);
  }
  return { ...previous, module, lines, statements, entries };
}

/** Every definition of `name` in the file, in source order (duplicates included). */
export function definitionsNamed(file: FileAnalysis, name: string): EntryDefinition[] {
  const only = file.entries.get(name);
  if (!only) return [];
  return file.repeated.get(name)?.slice() ?? [only];
}

/** The top-level statement whose lines contain `line` (binary search; statements are in order). */
export function statementAtLine(file: FileAnalysis, line: number): StatementAnalysis | undefined {
  const statements = file.statements;
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const statement = statements[middle].statement;
    if (line < statementStartLine(statement)) high = middle - 1;
    else if (line > statement.range.end.line) low = middle + 1;
    else return statements[middle];
  }
  return undefined;
}

/** The first line of a statement: a decorated function starts at its first decorator. */
export function statementStartLine(statement: ast.Stmt): number {
  if (
    statement.type === "FunctionDef" ||
    statement.type === "AsyncFunctionDef" ||
    statement.type === "ClassDef"
  ) {
    const first = statement.decorator_list[0];
    if (first) return Math.min(first.range.start.line, statement.range.start.line);
  }
  return statement.range.start.line;
}
