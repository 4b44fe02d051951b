/** Document symbols, workspace symbols, folding ranges and the configEntries request. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DocumentSymbol } from "vscode-languageserver-types";
import { dedent, uriOf, workspace } from "../analysis/helpers";

const MAIN = dedent(`
  # Training config.
  # Second comment line.
  from .base import *
  import torch
  from torch import nn

  lr = 1e-3
  a, b = 1, 2
  model = nn.Sequential(
      nn.Linear(2, 3),
      nn.ReLU(),
  )


  @torch.no_grad()
  def build(width):
      hidden = width * 2
      def layer(n):
          return nn.Linear(n, hidden)
      return layer(width)
`);

function outline(symbols: DocumentSymbol[], indent = ""): string[] {
  return symbols.flatMap((symbol) => [
    `${indent}${symbol.name} (${symbol.kind}) ${symbol.range.start.line}-${symbol.range.end.line}`,
    ...outline(symbol.children ?? [], `${indent}  `),
  ]);
}

describe("symbols", () => {
  test("document symbols: parent import, imports, entries, functions with nested symbols", () => {
    const { service } = workspace({ "base.config": "x = 1\n", "main.config": MAIN });
    assert.deepEqual(outline(service.documentSymbols(uriOf("main.config"))), [
      ".base (1) 2-2",
      "torch (2) 3-3",
      "nn (2) 4-4",
      "lr (13) 6-6",
      "a (13) 7-7",
      "b (13) 7-7",
      "model (13) 8-11",
      "build (12) 14-19",
      "  hidden (13) 16-16",
      "  layer (12) 17-18",
    ]);
  });

  test("workspace symbols match a fuzzy query across all configs", () => {
    const { service } = workspace({
      "a.config": "learning_rate = 1\nbatch = 2\n",
      "sub/b.config": "def load_rate():\n    return 1\n",
      "notes.txt": "learning_rate = 3\n",
    });
    const found = service
      .workspaceSymbols("lrate")
      .map((s) => `${s.name}@${s.location.uri.split("/").pop()}`);
    assert.deepEqual(found.sort(), ["learning_rate@a.config", "load_rate@b.config"]);
    assert.equal(service.workspaceSymbols("").length, 3);
  });
});

describe("folding", () => {
  test("comment runs, the import group, brackets and blocks", () => {
    const { service } = workspace({ "base.config": "x = 1\n", "main.config": MAIN });
    const ranges = service
      .foldingRanges(uriOf("main.config"))
      .map((r) => `${r.startLine}-${r.endLine}${r.kind ? ` ${r.kind}` : ""}`);
    assert.deepEqual(ranges, ["0-1 comment", "2-4 imports", "8-10", "15-19", "17-18"]);
  });
});

describe("configEntries", () => {
  test("every entry in effect, with its file, statement range, value and kind", () => {
    const { service } = workspace({
      "base.config": dedent(`
        from thunder.placeholders import ExpName
        import torch
        lr = 1e-3
        batch = 32
      `),
      "child.config": dedent(`
        from .base import *
        lr = 3e-4 * 2
        @torch.no_grad()
        def f(x):
            return x
      `),
    });
    const result = service.configEntries(uriOf("child.config"));
    assert.equal(result.uri, uriOf("child.config"));
    const entries = result.entries.map((e) => ({
      name: e.name,
      file: e.definedIn.split("/").pop(),
      lines: `${e.range.start.line}-${e.range.end.line}`,
      value: e.value,
      kind: e.kind,
      inherited: e.inherited,
    }));
    assert.deepEqual(entries, [
      {
        name: "ExpName",
        file: "base.config",
        lines: "0-0",
        value: "from thunder.placeholders import ExpName",
        kind: "placeholder",
        inherited: true,
      },
      {
        name: "torch",
        file: "base.config",
        lines: "1-1",
        value: "import torch",
        kind: "import",
        inherited: true,
      },
      {
        name: "lr",
        file: "child.config",
        lines: "1-1",
        value: "3e-4 * 2",
        kind: "assignment",
        inherited: false,
      },
      { name: "batch", file: "base.config", lines: "3-3", value: "32", kind: "assignment", inherited: true },
      {
        name: "f",
        file: "child.config",
        lines: "2-4",
        value: "@torch.no_grad()\ndef f(x):\n    return x",
        kind: "function",
        inherited: false,
      },
    ]);
  });

  test("an unknown file has no entries", () => {
    const { service } = workspace({});
    assert.deepEqual(service.configEntries(uriOf("missing.config")), {
      uri: uriOf("missing.config"),
      entries: [],
    });
  });
});
