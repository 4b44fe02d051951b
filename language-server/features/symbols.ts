/** Document symbols (entries, functions with what they define inside) and workspace symbols. */
import type { DocumentSymbol, SymbolInformation } from "vscode-languageserver-types";
import { statementStartLine } from "../analysis/file";
import { copyRange } from "../analysis/positions";
import type { ConfigWorkspace } from "../analysis/workspace";
import type * as ast from "../parser/ast";

enum SymbolKind {
  File = 1,
  Module = 2,
  Function = 12,
  Variable = 13,
}

export function documentSymbols(workspace: ConfigWorkspace, uri: string): DocumentSymbol[] {
  const file = workspace.get(uri);
  if (!file) return [];
  const analysis = workspace.analysis(file);
  const symbols: DocumentSymbol[] = [];
  for (const statement of analysis.statements) {
    const node = statement.statement;
    const fullRange = statementRange(node);
    if (statement.role === "parent-import" && node.type === "ImportFrom") {
      const name = `${".".repeat(node.level)}${node.module ?? ""}`;
      symbols.push({
        name,
        detail: "parent config",
        kind: SymbolKind.File,
        range: fullRange,
        selectionRange: copyRange(node.moduleRange ?? node.range),
      });
      continue;
    }
    for (const definition of statement.definitions) {
      if (node.type === "FunctionDef") {
        symbols.push({
          name: definition.name,
          detail: "function",
          kind: SymbolKind.Function,
          range: fullRange,
          selectionRange: copyRange(definition.nameRange),
          children: functionChildren(node.body),
        });
      } else {
        symbols.push({
          name: definition.name,
          detail: definition.kind === "import" ? `import from ${definition.importedFrom ?? ""}` : undefined,
          kind: definition.kind === "import" ? SymbolKind.Module : SymbolKind.Variable,
          range: fullRange,
          selectionRange: copyRange(definition.nameRange),
        });
      }
    }
  }
  return symbols;
}

function statementRange(statement: ast.Stmt): ast.Range {
  const range = copyRange(statement.range);
  const startLine = statementStartLine(statement);
  if (startLine < range.start.line) range.start = { line: startLine, character: 0 };
  return range;
}

function functionChildren(body: ast.Stmt[]): DocumentSymbol[] {
  const children: DocumentSymbol[] = [];
  const visitTarget = (target: ast.Expr, statement: ast.Stmt): void => {
    if (target.type === "Name") {
      children.push({
        name: target.id,
        kind: SymbolKind.Variable,
        range: statementRange(statement),
        selectionRange: copyRange(target.range),
      });
    } else if (target.type === "Tuple" || target.type === "List") {
      for (const element of target.elts) visitTarget(element, statement);
    } else if (target.type === "Starred") {
      visitTarget(target.value, statement);
    }
  };
  for (const statement of body) {
    if (statement.type === "FunctionDef") {
      children.push({
        name: statement.name,
        kind: SymbolKind.Function,
        range: statementRange(statement),
        selectionRange: copyRange(statement.nameRange),
        children: functionChildren(statement.body),
      });
    } else if (statement.type === "Assign") {
      for (const target of statement.targets) visitTarget(target, statement);
    } else if (statement.type === "If" || statement.type === "With") {
      children.push(...functionChildren(statement.body));
      if (statement.type === "If") children.push(...functionChildren(statement.orelse));
    }
  }
  return children;
}

/** Fuzzy match: the query's characters appear in order (case-insensitive). */
export function matchesQuery(name: string, query: string): boolean {
  if (!query) return true;
  const lowerName = name.toLowerCase();
  let index = 0;
  for (const char of query.toLowerCase()) {
    index = lowerName.indexOf(char, index);
    if (index === -1) return false;
    index++;
  }
  return true;
}

const MAX_WORKSPACE_SYMBOLS = 1000;

export function workspaceSymbols(workspace: ConfigWorkspace, query: string): SymbolInformation[] {
  const result: SymbolInformation[] = [];
  for (const file of workspace.knownConfigs()) {
    const analysis = workspace.analysis(file);
    for (const [name, definition] of analysis.entries) {
      if (!matchesQuery(name, query)) continue;
      result.push({
        name,
        kind:
          definition.kind === "function"
            ? SymbolKind.Function
            : definition.kind === "import"
              ? SymbolKind.Module
              : SymbolKind.Variable,
        location: { uri: file.uri, range: copyRange(definition.nameRange) },
        containerName: file.path ?? file.uri,
      });
      if (result.length >= MAX_WORKSPACE_SYMBOLS) return result;
    }
  }
  return result;
}
