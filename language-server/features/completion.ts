/**
 * Completion: entries (own and inherited, with where they come from), locals of the
 * enclosing functions/lambdas/comprehensions, builtins, keywords, thunder placeholders (with
 * their import), thunder's entry names at the top level, and parent config paths after `from .`.
 */
import * as path from "node:path";
import type { CompletionItem, Position } from "vscode-languageserver-types";
import { PYTHON_BUILTINS, PYTHON_KEYWORDS } from "../analysis/builtins";
import { statementAtLine } from "../analysis/file";
import { rangeContains } from "../analysis/positions";
import type { EntryDefinition } from "../analysis/statement";
import { PLACEHOLDER_DOCS, PLACEHOLDER_NAMES, THUNDER_ENTRIES } from "../analysis/thunder";
import { CONFIG_EXTENSION, type ConfigWorkspace, type SourceFile } from "../analysis/workspace";
import { displayName } from "./hover";
import { placeholderImportEdit } from "./imports";
import { effectiveScope } from "./locate";

enum Kind {
  Function = 3,
  Variable = 6,
  Class = 7,
  Module = 9,
  Keyword = 14,
  Snippet = 15,
  File = 17,
  Folder = 19,
  Constant = 21,
}

let staticItems: CompletionItem[] | undefined;

/** Builtins and keywords never change: built once. */
function builtinItems(): CompletionItem[] {
  if (!staticItems) {
    staticItems = [];
    for (const name of PYTHON_BUILTINS) {
      if (name.startsWith("__") && name !== "__name__") continue;
      const kind = /^[A-Z]/.test(name)
        ? ["True", "False", "None", "Ellipsis", "NotImplemented"].includes(name)
          ? Kind.Constant
          : Kind.Class
        : Kind.Function;
      staticItems.push({ label: name, kind, detail: "builtin", sortText: `3_${name}` });
    }
    staticItems.push({
      label: "__file__",
      kind: Kind.Variable,
      detail: "path of this config",
      sortText: "3___file__",
    });
    for (const keyword of PYTHON_KEYWORDS) {
      if (PYTHON_BUILTINS.has(keyword)) continue;
      staticItems.push({ label: keyword, kind: Kind.Keyword, sortText: `4_${keyword}` });
    }
  }
  return staticItems;
}

export function completion(workspace: ConfigWorkspace, uri: string, position: Position): CompletionItem[] {
  const file = workspace.get(uri);
  if (!file) return [];
  const analysis = workspace.analysis(file);
  const lineText = analysis.lines.lineText(position.line);
  const before = lineText.slice(0, position.character);

  const parentPath = /^\s*from\s+(\.+)([\w.]*)$/.exec(before);
  if (parentPath) return parentConfigItems(workspace, file, parentPath[1].length, parentPath[2]);
  const absolutePath = /^\s*from\s+([A-Za-z_][\w.]*)?$/.exec(before);
  if (absolutePath) return shortcutItems(workspace, absolutePath[1] ?? "");
  if (/^\s*(import|from)\s/.test(before)) return [];
  if (isInCommentOrString(before)) return [];
  if (/[\w)\]]\s*\.\s*\w*$/.test(before) || /\d\.\w*$/.test(before)) return [];

  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (item: CompletionItem): void => {
    if (seen.has(item.label)) return;
    seen.add(item.label);
    items.push(item);
  };

  // Locals of the enclosing scopes, innermost first.
  const statement = statementAtLine(analysis, position.line);
  if (statement) {
    const scopes = statement.scopes.filter(
      (scope) =>
        rangeContains(scope.range, position) ||
        // The caret after the last token of a function body line is still in the body.
        (scope.kind === "function" &&
          position.line > scope.range.start.line &&
          position.line <= scope.range.end.line),
    );
    for (let i = scopes.length - 1; i >= 0; i--) {
      for (const name of scopes[i].bindings.keys()) {
        add({ label: name, kind: Kind.Variable, detail: `local (${scopes[i].kind})`, sortText: `0_${name}` });
      }
    }
  }

  const scope = effectiveScope(workspace, file);
  const atTopLevelStart = /^[A-Za-z_]*$/.test(before);
  if (atTopLevelStart) {
    for (const [name, description] of Object.entries(THUNDER_ENTRIES)) {
      if (scope.has(name)) continue;
      add({
        label: name,
        kind: Kind.Snippet,
        detail: "thunder entry",
        documentation: { kind: "markdown", value: description },
        insertText: `${name} = \${1}`,
        insertTextFormat: 2,
        sortText: `0_${name}`,
      });
    }
  }

  for (const definition of analysis.entries.values()) add(entryItem(definition, "entry"));
  for (const entry of scope.inherited.values()) {
    add(entryItem(entry.definition, `inherited from ${displayName(entry.file)}`));
  }

  for (const name of PLACEHOLDER_NAMES) {
    if (scope.has(name)) continue;
    add({
      label: name,
      kind: Kind.Constant,
      detail: "thunder placeholder (adds the import)",
      documentation: { kind: "markdown", value: PLACEHOLDER_DOCS[name] },
      additionalTextEdits: [placeholderImportEdit(analysis, name)],
      sortText: `2_${name}`,
    });
  }

  for (const item of builtinItems()) add(item);
  return items;
}

/**
 * Items per definition object: unchanged statements keep their definitions across edits, so a
 * keystroke rebuilds only the items of the statement it touched.
 */
const entryItems = new WeakMap<EntryDefinition, CompletionItem>();

function entryItem(definition: EntryDefinition, detail: string): CompletionItem {
  const cached = entryItems.get(definition);
  if (cached && cached.detail === detail) return cached;
  const item: CompletionItem = {
    label: definition.name,
    kind: entryKind(definition.kind),
    detail,
    sortText: `1_${definition.name}`,
  };
  entryItems.set(definition, item);
  return item;
}

function entryKind(kind: "assignment" | "function" | "import"): Kind {
  return kind === "function" ? Kind.Function : kind === "import" ? Kind.Module : Kind.Variable;
}

/** A quick scan of the line: after a `#` outside strings, or inside an open string literal. */
function isInCommentOrString(before: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const char = before[i];
    if (quote) {
      if (char === "\\") i++;
      else if (char === quote) quote = undefined;
    } else if (char === "#") {
      return true;
    } else if (char === '"' || char === "'") {
      quote = char;
    }
  }
  return quote !== undefined;
}

/** After `from .` / `from ..common.`: folders and `.config` files (without the extension). */
function parentConfigItems(
  workspace: ConfigWorkspace,
  file: SourceFile,
  dots: number,
  typed: string,
): CompletionItem[] {
  if (!file.path) return [];
  const segments = typed.split(".");
  segments.pop();
  const folder = path.resolve(
    path.dirname(file.path),
    ...new Array<string>(dots - 1).fill(".."),
    ...segments,
  );
  return folderItems(workspace, folder, file.path);
}

/** After `from `: lazycon shortcuts; after `from shortcut.sub.`: what is in that folder. */
function shortcutItems(workspace: ConfigWorkspace, typed: string): CompletionItem[] {
  const shortcuts = workspace.settings.shortcuts;
  const segments = typed.split(".");
  if (segments.length === 1) {
    return Object.keys(shortcuts).map((name) => ({
      label: name,
      kind: Kind.Folder,
      detail: `lazycon shortcut: ${shortcuts[name]}`,
      sortText: `0_${name}`,
    }));
  }
  const root = shortcuts[segments[0]];
  if (root === undefined) return [];
  return folderItems(workspace, path.resolve(root, ...segments.slice(1, -1)), undefined);
}

/** Folders and `.config` files (without the extension) that can follow in a dotted config path. */
function folderItems(workspace: ConfigWorkspace, folder: string, self: string | undefined): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const name of workspace.host.readDirectory(folder).sort()) {
    if (name.startsWith(".")) continue;
    const full = path.join(folder, name);
    const kind = workspace.host.stat(full);
    if (kind === "directory") {
      if (!/^[A-Za-z_]\w*$/.test(name)) continue;
      items.push({ label: name, kind: Kind.Folder, detail: "folder", sortText: `1_${name}` });
    } else if (kind === "file" && name.endsWith(CONFIG_EXTENSION) && full !== self) {
      const moduleName = name.slice(0, -CONFIG_EXTENSION.length);
      if (!/^[A-Za-z_]\w*$/.test(moduleName)) continue;
      items.push({
        label: moduleName,
        kind: Kind.File,
        detail: "parent config",
        sortText: `0_${moduleName}`,
      });
    }
  }
  return items;
}
