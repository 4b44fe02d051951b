/** Shared helpers for the parser tests: running the CPython oracle and walking our tree. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Module, Range } from "../../../language-server/parser/index";

export const ORACLE = join(__dirname, "cpython_oracle.py");

/** A tree range as a plain `{ start, end }` object (tree ranges compute `start`/`end` on read). */
export function plainRange(range: Range | null | undefined): Range | null | undefined {
  return range && { start: range.start, end: range.end };
}

export function hasPython(): boolean {
  const result = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return result.status === 0;
}

export function runOracle(args: string[], input?: string): unknown {
  const result = spawnSync("python3", [ORACLE, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

type Entry = [string, string, string, number, number, number, number];

/** Same canonical list as cpython_oracle.py's `entries`: names, defs, args, aliases. */
export function entriesOf(module: Module): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const node = value as Record<string, unknown>;
    const range = node.range as {
      start: { line: number; character: number };
      end: { line: number; character: number };
    };
    const pos = (): [number, number, number, number] => [
      range.start.line,
      range.start.character,
      range.end.line,
      range.end.character,
    ];
    switch (node.type) {
      case "Name":
        out.push(["Name", node.id as string, node.ctx as string, ...pos()]);
        break;
      case "FunctionDef":
      case "AsyncFunctionDef":
      case "ClassDef":
        out.push([node.type, node.name as string, "", ...pos()]);
        break;
      case "arg":
        out.push(["arg", node.arg as string, "", ...pos()]);
        break;
      case "alias":
        out.push(["alias", node.name as string, (node.asname as string | null) ?? "", ...pos()]);
        break;
    }
    for (const key in node) {
      if (key === "range" || key.endsWith("Range") || key.endsWith("Ranges")) continue;
      visit(node[key]);
    }
  };
  visit(module.body);
  out.sort(compareEntries);
  return out;
}

/** Python's list ordering for these tuples (strings by code point, then numbers). */
export function compareEntries(a: Entry, b: Entry): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return comparePythonStrings(String(x), String(y));
  }
  return 0;
}

function comparePythonStrings(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i].codePointAt(0)! - cb[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
