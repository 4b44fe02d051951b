/**
 * Everything wrong with a config, as lazycon (and thunder) would see it: the file's own
 * problems plus the checks that need the whole family (undefined names against own +
 * inherited names, problems of parents, cycles across entries, thunder's required entries).
 */

import * as path from "node:path";
import type { Diagnostic } from "vscode-languageserver-types";
import type * as ast from "../parser/ast";
import { isResolvedWithoutDefinition } from "./builtins";
import { definitionsNamed } from "./file";
import { comparePositions, copyRange } from "./positions";
import { buildFails, lazyconError, type Problem } from "./problems";
import type { EntryDefinition, StatementAnalysis } from "./statement";
import {
  importsThunder,
  isPlaceholderImport,
  missingRequiredEntries,
  PLACEHOLDER_NAMES,
  PLACEHOLDERS_MODULE,
  THUNDER_ENTRIES,
} from "./thunder";
import type { ConfigWorkspace, Scope, SourceFile } from "./workspace";

export function fileProblems(workspace: ConfigWorkspace, file: SourceFile): Problem[] {
  const analysis = workspace.analysis(file);
  const problems: Problem[] = [...analysis.problems];
  const inherited = workspace.inheritedScope(file);
  const has = (name: string): boolean => analysis.entries.has(name) || inherited.has(name);

  // Indexed loops: for-of allocates per step until V8 optimises it (the first open is cold).
  const undefinedPerStatement = undefinedNames(file, analysis.statements, analysis.entries, inherited, has);
  for (let index = 0; index < undefinedPerStatement.length; index++) {
    const found = undefinedPerStatement[index];
    for (let k = 0; k < found.length; k++) problems.push(found[k]);
  }

  const view = new EffectiveScope(inherited, file, analysis.entries);
  for (const resolved of workspace.parents(file)) {
    if (resolved.problem) {
      problems.push(resolved.problem);
      continue;
    }
    if (!resolved.file) continue;
    const found = firstProblemInParent(workspace, resolved.file, view, new Set([file.key]));
    if (found) {
      const name = path.basename(resolved.file.path ?? resolved.file.uri);
      const where =
        found.file === resolved.file
          ? `line ${found.problem.range.start.line + 1}`
          : `${path.basename(found.file.path ?? found.file.uri)} line ${found.problem.range.start.line + 1}`;
      const cause = found.problem.message.split(": thunder build will fail")[0];
      problems.push({
        ...lazyconError(
          "parent-has-errors",
          resolved.parent.statement.range,
          `Parent config "${name}" has errors: thunder build will fail (${where}: ${cause})`,
        ),
        related: { uri: found.file.uri, range: found.problem.range, message: found.problem.message },
      });
    }
  }

  problems.push(...cycleProblems(file, view, analysis.statements));
  problems.push(...thunderProblems(workspace, file, has));
  return problems.sort((a, b) => comparePositions(a.range.start, b.range.start));
}

/** Undefined-name problems per statement, kept while the names in scope stay the same. */
interface UndefinedNamesState {
  entries: Map<string, EntryDefinition>;
  entryCount: number;
  inherited: Scope;
  statements: StatementAnalysis[];
  found: Problem[][];
}

const undefinedNamesStates = new WeakMap<SourceFile, UndefinedNamesState>();
const NONE: Problem[] = [];

/**
 * The undefined names of each statement. An edit that keeps the set of names (analyzeFile then
 * updates the same entries map, see file.ts) leaves the result of untouched statements as it was.
 */
function undefinedNames(
  file: SourceFile,
  statements: StatementAnalysis[],
  entries: Map<string, EntryDefinition>,
  inherited: Scope,
  has: (name: string) => boolean,
): Problem[][] {
  const previous = undefinedNamesStates.get(file);
  const reusable =
    previous !== undefined &&
    previous.entries === entries &&
    previous.entryCount === entries.size &&
    previous.inherited === inherited;
  const found: Problem[][] = new Array(statements.length);
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index];
    if (reusable && previous.statements[index] === statement) {
      found[index] = previous.found[index];
      continue;
    }
    let problems = NONE;
    const reads = statement.globalReads;
    for (let k = 0; k < reads.length; k++) {
      const read = reads[k];
      if (has(read.name) || isResolvedWithoutDefinition(read.name)) continue;
      if (problems === NONE) problems = [];
      problems.push(undefinedNameProblem(read.name, read.range));
    }
    found[index] = problems;
  }
  undefinedNamesStates.set(file, { entries, entryCount: entries.size, inherited, statements, found });
  return found;
}

export function undefinedNameProblem(name: string, range: ast.Range): Problem {
  if (PLACEHOLDER_NAMES.has(name)) {
    return {
      code: "placeholder-not-imported",
      range,
      severity: "error",
      source: "thunder",
      message: buildFails(
        `"${name}" is a thunder placeholder: import it with "from ${PLACEHOLDERS_MODULE} import ${name}"`,
        `Undefined names found: ${name}`,
      ),
      data: { name },
    };
  }
  return lazyconError(
    "undefined-name",
    range,
    buildFails(`Undefined name "${name}"`, "Undefined names found"),
    {
      name,
    },
  );
}

/** The names in effect for one file: its own entries over the inherited ones. */
export class EffectiveScope {
  constructor(
    readonly inherited: Scope,
    readonly file: SourceFile,
    readonly own: Map<string, EntryDefinition>,
  ) {}

  lookup(name: string): { file: SourceFile; definition: EntryDefinition } | undefined {
    const own = this.own.get(name);
    if (own) return { file: this.file, definition: own };
    return this.inherited.get(name);
  }

  has(name: string): boolean {
    return this.own.has(name) || this.inherited.has(name);
  }

  /** The statement defining `name` (like lookup, without allocating: the cycle search calls it a lot). */
  ownerOf(name: string): StatementAnalysis | undefined {
    return (this.own.get(name) ?? this.inherited.get(name)?.definition)?.owner;
  }

  /** False when every name the statement defines is overridden (lazycon then skips it). */
  inEffect(file: SourceFile, statement: StatementAnalysis): boolean {
    if (statement.definitions.length === 0) return true;
    return statement.definitions.some((definition) => {
      const entry = this.lookup(definition.name);
      return entry !== undefined && entry.file === file && entry.definition === definition;
    });
  }
}

/** The first problem a parent (or its parents) has when loaded as part of this file's family. */
function firstProblemInParent(
  workspace: ConfigWorkspace,
  parent: SourceFile,
  view: EffectiveScope,
  visited: Set<string>,
): { file: SourceFile; problem: Problem } | undefined {
  if (visited.has(parent.key)) return undefined;
  visited.add(parent.key);
  const analysis = workspace.analysis(parent);
  for (const problem of analysis.problems) {
    if (problem.severity === "error") return { file: parent, problem };
  }
  for (const statement of analysis.statements) {
    if (!view.inEffect(parent, statement)) continue;
    for (const read of statement.globalReads) {
      if (view.has(read.name) || isResolvedWithoutDefinition(read.name)) continue;
      return { file: parent, problem: undefinedNameProblem(read.name, read.range) };
    }
  }
  for (const resolved of workspace.parents(parent)) {
    if (resolved.problem) return { file: parent, problem: resolved.problem };
    if (!resolved.file) continue;
    const found = firstProblemInParent(workspace, resolved.file, view, visited);
    if (found) return found;
  }
  return undefined;
}

/**
 * Entries that need each other to be computed (`a = b`, `b = a`): lazycon does not see this,
 * evaluation never finishes. Tarjan's algorithm over the statements in effect; edges are the
 * names a value reads eagerly.
 *
 * Incremental: a cycle that appears after an edit must pass through a statement the edit
 * changed, or one that reads a name a changed statement (re)defines. So only those statements
 * are searched from; cycles found before and untouched by the search are kept.
 */
interface CycleState {
  inherited: Scope;
  statements: StatementAnalysis[];
  components: StatementAnalysis[][];
}

const cycleStates = new WeakMap<SourceFile, CycleState>();
const MAX_INCREMENTAL_CHANGES = 64;

/** Statements of `now` missing from `before` and the other way round, or undefined past `limit`. */
function statementChanges(
  before: StatementAnalysis[],
  now: StatementAnalysis[],
  limit: number,
): { added: StatementAnalysis[]; removed: StatementAnalysis[] } | undefined {
  const added: StatementAnalysis[] = [];
  const removed: StatementAnalysis[] = [];
  if (before.length === now.length) {
    // The usual edit keeps the statement count: compare position by position, no sets needed.
    for (let index = 0; index < now.length; index++) {
      if (now[index] === before[index]) continue;
      added.push(now[index]);
      removed.push(before[index]);
      if (added.length + removed.length > limit) return undefined;
    }
    if (added.length === 0) return { added, removed };
    // A statement may only have moved: keep the exact set semantics for those.
    const nowSet = new Set(added);
    const beforeSet = new Set(removed);
    return {
      added: added.filter((statement) => !beforeSet.has(statement)),
      removed: removed.filter((statement) => !nowSet.has(statement)),
    };
  }
  const beforeSet = new Set(before);
  const nowSet = new Set(now);
  for (const statement of now) if (!beforeSet.has(statement)) added.push(statement);
  for (const statement of before) if (!nowSet.has(statement)) removed.push(statement);
  return added.length + removed.length <= limit ? { added, removed } : undefined;
}

function cycleProblems(file: SourceFile, view: EffectiveScope, statements: StatementAnalysis[]): Problem[] {
  const previous = cycleStates.get(file);
  let roots: StatementAnalysis[] = statements;
  let kept: StatementAnalysis[][] = [];
  if (previous && previous.inherited === view.inherited) {
    const changes = statementChanges(previous.statements, statements, MAX_INCREMENTAL_CHANGES);
    if (changes) {
      const redefined = new Set<string>();
      for (const statement of changes.added) {
        for (const definition of statement.definitions) redefined.add(definition.name);
      }
      for (const statement of changes.removed) {
        for (const definition of statement.definitions) redefined.add(definition.name);
      }
      roots = changes.added;
      if (redefined.size > 0) {
        // Plain loops: this runs over every statement on every keystroke.
        const added = new Set(changes.added);
        roots = [];
        for (const statement of statements) {
          if (added.has(statement)) {
            roots.push(statement);
            continue;
          }
          const names = statement.eagerNames;
          for (let k = 0; k < names.length; k++) {
            if (redefined.has(names[k])) {
              roots.push(statement);
              break;
            }
          }
        }
      }
      kept = previous.components;
    }
  }
  const { components, visited } = stronglyConnected(view, roots);
  // Only needed when there are cycles, which is rare: no set of every statement per keystroke.
  let currentSet: Set<StatementAnalysis> | undefined;
  const current = (): Set<StatementAnalysis> => {
    currentSet ??= new Set(statements);
    return currentSet;
  };
  for (const component of kept) {
    if (component.every((member) => current().has(member) && !visited.has(member)))
      components.push(component);
  }
  cycleStates.set(file, { inherited: view.inherited, statements, components });

  const problems: Problem[] = [];
  for (const component of components) {
    const members = new Set(component);
    const names = component.flatMap((node) => node.definitions.map((definition) => definition.name)).sort();
    for (const node of component) {
      if (!current().has(node)) continue;
      for (const read of node.globalReads) {
        if (!read.eager) continue;
        const target = view.lookup(read.name)?.definition.owner;
        if (!target || !members.has(target) || target === node) continue;
        problems.push(
          lazyconError(
            "cyclic-dependency",
            read.range,
            `Entries ${names.map((name) => `"${name}"`).join(", ")} depend on each other in a cycle: ` +
              "computing them never finishes, so thunder will hang (lazycon does not detect this cycle)",
          ),
        );
      }
    }
  }
  return problems;
}

/** Tarjan's algorithm (iterative) from `roots`; returns the cycles (size > 1) and every statement it saw. */
function stronglyConnected(
  view: EffectiveScope,
  roots: StatementAnalysis[],
): { components: StatementAnalysis[][]; visited: Map<StatementAnalysis, number> } {
  const index = new Map<StatementAnalysis, number>();
  const lowLink: number[] = [];
  const onStack: boolean[] = [];
  const nodes: StatementAnalysis[] = [];
  const stack: number[] = [];
  const components: StatementAnalysis[][] = [];
  const work: { node: number; edge: number }[] = [];
  const open = (statement: StatementAnalysis): void => {
    const id = nodes.length;
    nodes.push(statement);
    index.set(statement, id);
    lowLink.push(id);
    onStack.push(true);
    stack.push(id);
    work.push({ node: id, edge: 0 });
  };
  for (const root of roots) {
    if (root.eagerNames.length === 0 || index.has(root)) continue;
    open(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const names = nodes[frame.node].eagerNames;
      if (frame.edge < names.length) {
        const target = view.ownerOf(names[frame.edge++]);
        if (!target || target === nodes[frame.node]) continue;
        const known = index.get(target);
        if (known === undefined) open(target);
        else if (onStack[known]) lowLink[frame.node] = Math.min(lowLink[frame.node], known);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        lowLink[parent] = Math.min(lowLink[parent], lowLink[frame.node]);
      }
      if (lowLink[frame.node] === frame.node) {
        const component: StatementAnalysis[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component.push(nodes[member]);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return { components, visited: index };
}

function thunderProblems(
  workspace: ConfigWorkspace,
  file: SourceFile,
  has: (name: string) => boolean,
): Problem[] {
  const analysis = workspace.analysis(file);
  const problems: Problem[] = [];
  for (const name of PLACEHOLDER_NAMES) {
    for (const definition of definitionsNamed(analysis, name)) {
      if (isPlaceholderImport(definition)) continue;
      problems.push({
        code: "placeholder-redefined",
        range: definition.nameRange,
        severity: "warning",
        source: "thunder",
        message: `"${name}" is a thunder placeholder: thunder build replaces its value, so this definition is lost. Import it with "from ${PLACEHOLDERS_MODULE} import ${name}" instead`,
        data: { name },
      });
    }
  }

  const isExperiment =
    importsThunder(analysis) || workspace.ancestors(file).some((a) => importsThunder(workspace.analysis(a)));
  if (!isExperiment || analysis.module.errors.some((error) => !error.fromCompiler)) return problems;
  // A config that other configs extend is a template, not something to build: no nagging.
  if (workspace.children(file).length > 0) return problems;
  const firstLine: ast.Range = {
    start: { line: 0, character: 0 },
    end: { line: 0, character: analysis.lines.lineText(0).length },
  };
  for (const name of missingRequiredEntries(has)) {
    const alternative = name === "train_data" ? ' (or "datamodule")' : "";
    problems.push({
      code: "missing-entry",
      range: firstLine,
      severity: "warning",
      source: "thunder",
      message: `This thunder config has no "${name}" entry${alternative}: ${THUNDER_ENTRIES[name]}. thunder run will fail without it`,
      data: { name },
    });
  }
  return problems;
}

/** `uri`: the file the diagnostic belongs to (for related locations in the same file). */
export function toDiagnostic(problem: Problem, uri?: string): Diagnostic {
  return {
    range: {
      start: { line: problem.range.start.line, character: problem.range.start.character },
      end: { line: problem.range.end.line, character: problem.range.end.character },
    },
    severity: problem.severity === "error" ? 1 : 2,
    source: problem.source,
    code: problem.code,
    message: problem.message,
    ...(problem.data ? { data: problem.data } : {}),
    ...(problem.related && uri
      ? {
          relatedInformation: [
            {
              location: { uri: problem.related.uri ?? uri, range: copyRange(problem.related.range) },
              message: problem.related.message,
            },
          ],
        }
      : {}),
  };
}
