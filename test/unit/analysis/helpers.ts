/**
 * Test helpers: an in-memory file system, a service over it, and caret-marked fixtures:
 * `<|>` marks a caret, `«text»` marks an expected range (markers are removed from the text).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic, Position, Range } from "vscode-languageserver-types";
import type { FileSystemHost, LanguageService, ServiceSettings } from "../../../language-server/service";
import { createLanguageService } from "../../../language-server/service";

export const ROOT = path.resolve("/thunder-test-workspace");

export interface Marked {
  text: string;
  carets: Position[];
  ranges: Range[];
}

export function marked(source: string): Marked {
  const carets: Position[] = [];
  const ranges: Range[] = [];
  const open: Position[] = [];
  let text = "";
  let line = 0;
  let character = 0;
  for (let i = 0; i < source.length; ) {
    if (source.startsWith("<|>", i)) {
      carets.push({ line, character });
      i += 3;
    } else if (source[i] === "«") {
      open.push({ line, character });
      i += 1;
    } else if (source[i] === "»") {
      ranges.push({ start: open.pop()!, end: { line, character } });
      i += 1;
    } else {
      const char = source[i++];
      text += char;
      if (char === "\n") {
        line++;
        character = 0;
      } else {
        character++;
      }
    }
  }
  ranges.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
  return { text, carets, ranges };
}

/** Removes the common indentation of a template literal and a leading newline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").split("\n");
  const indents = lines.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join("\n");
}

export class MemoryHost implements FileSystemHost {
  readonly files = new Map<string, string>();
  reads = 0;

  write(relative: string, text: string): string {
    const full = path.join(ROOT, relative);
    this.files.set(full, text);
    return full;
  }

  remove(relative: string): void {
    this.files.delete(path.join(ROOT, relative));
  }

  readFile(filePath: string): string | undefined {
    this.reads++;
    return this.files.get(path.resolve(filePath));
  }

  stat(filePath: string): "file" | "directory" | undefined {
    const full = path.resolve(filePath);
    if (this.files.has(full)) return "file";
    const prefix = full.endsWith(path.sep) ? full : full + path.sep;
    for (const key of this.files.keys()) if (key.startsWith(prefix)) return "directory";
    return undefined;
  }

  readDirectory(filePath: string): string[] {
    const full = path.resolve(filePath);
    const prefix = full.endsWith(path.sep) ? full : full + path.sep;
    const names = new Set<string>();
    for (const key of this.files.keys()) {
      if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split(path.sep)[0]);
    }
    return [...names];
  }
}

export function uriOf(relative: string): string {
  return pathToFileURL(path.join(ROOT, relative)).href;
}

export interface Workspace {
  host: MemoryHost;
  service: LanguageService;
}

/** Files on "disk" (relative paths); none is open unless `open` is called. */
export function workspace(files: Record<string, string>, settings: Partial<ServiceSettings> = {}): Workspace {
  const host = new MemoryHost();
  for (const [relative, text] of Object.entries(files)) host.write(relative, dedent(text));
  const service = createLanguageService(host, { workspaceFolders: [ROOT], ...settings });
  return { host, service };
}

/** Diagnostics of one config given as text (opened as `main.config`), plus optional other files. */
export function diagnose(text: string, others: Record<string, string> = {}): Diagnostic[] {
  const { service } = workspace(others);
  const uri = uriOf("main.config");
  service.openDocument(uri, dedent(text), 1);
  return service.diagnostics(uri);
}

export function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => String(diagnostic.code));
}

/** "line:col-line:col code" per diagnostic, for compact assertions. */
export function summary(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)}`,
  );
}

/** The real file system, for fixture trees on disk. */
export class DiskHost implements FileSystemHost {
  readFile(filePath: string): string | undefined {
    try {
      return readFileSync(filePath, "utf8");
    } catch {
      return undefined;
    }
  }

  stat(filePath: string): "file" | "directory" | undefined {
    try {
      const stats = statSync(filePath);
      return stats.isDirectory() ? "directory" : stats.isFile() ? "file" : undefined;
    } catch {
      return undefined;
    }
  }

  readDirectory(filePath: string): string[] {
    try {
      return readdirSync(filePath);
    } catch {
      return [];
    }
  }
}

export const FIXTURES = path.join(__dirname, "fixtures");

/** Applies non-overlapping LSP text edits to a text. */
export function applyEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const lines = text.split("\n");
  const offset = (position: Position): number => {
    let result = 0;
    for (let line = 0; line < position.line; line++) result += lines[line].length + 1;
    return result + position.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) {
    result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  }
  return result;
}

/** Opens `relative` with the marked text (markers removed) and returns the fixture. */
export function openMarked(ws: Workspace, relative: string, source: string): Marked & { uri: string } {
  const fixture = marked(dedent(source));
  const uri = uriOf(relative);
  ws.host.write(relative, fixture.text);
  ws.service.openDocument(uri, fixture.text, 1);
  return { ...fixture, uri };
}

/** A diagnostic's message as plain text (LSP 3.18 also allows markup). */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value;
}
