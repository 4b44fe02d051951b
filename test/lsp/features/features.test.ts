// The language features over the wire, on one config family (one server for all of them).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  WorkspaceEdit,
} from "vscode-languageserver-protocol";
import { type LspClient, makeWorkspace, parseMarkers, startServer, type Workspace } from "../harness";

const child = parseMarkers(
  [
    "from .base import *",
    "",
    "logger = dict(name=[[ExpName]])",
    "rate = l|r * 2",
    "def build(width):",
    "    return |",
    "",
  ].join("\n"),
);

let workspace: Workspace;
let client: LspClient;
let uri: string;

describe("features over stdio", () => {
  before(async () => {
    workspace = makeWorkspace({
      "base.config": "import torch\nlr = 1e-3\n",
      "child.config": child.text,
      "other/sibling.config": "from ..base import *\nsteps = lr * 10\n",
    });
    client = await startServer({ workspace: workspace.root });
    uri = client.open(workspace.uri("child.config"), child.text);
  });

  after(async () => {
    await client.shutdown();
    workspace.cleanup();
  });

  test("completion lists inherited entries and function locals", async () => {
    const result = await client.request<CompletionItem[] | CompletionList>("textDocument/completion", {
      textDocument: { uri },
      position: child.cursors[1],
    });
    const items = Array.isArray(result) ? result : result.items;
    const byLabel = new Map(items.map((item) => [item.label, item]));
    assert.equal(byLabel.get("lr")?.detail, "inherited from base.config");
    assert.equal(byLabel.get("width")?.detail, "local (function)");
  });

  test("completion sends only what can match the typed word, marked incomplete", async () => {
    const result = await client.request<CompletionList>("textDocument/completion", {
      textDocument: { uri },
      position: child.cursors[0],
    });
    assert.equal(result.isIncomplete, true);
    const labels = result.items.map((item) => item.label);
    assert.ok(labels.includes("lr"));
    assert.ok(labels.includes("logger"));
    assert.ok(!labels.includes("rate"), "no 'l' in rate");
    assert.ok(labels.every((label) => label.toLowerCase().includes("l")));
  });

  test("hover and definition go into the parent", async () => {
    const position = child.cursors[0];
    const hover = await client.request<Hover>("textDocument/hover", { textDocument: { uri }, position });
    assert.match((hover.contents as { value: string }).value, /defined in `base\.config line 2`/);
    const definition = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri },
      position,
    });
    assert.deepEqual(
      definition.map((l) => [l.uri, l.range.start.line]),
      [[workspace.uri("base.config"), 1]],
    );
  });

  test("references and rename cover the whole family", async () => {
    const position = child.cursors[0];
    const references = await client.request<Location[]>("textDocument/references", {
      textDocument: { uri },
      position,
      context: { includeDeclaration: true },
    });
    assert.deepEqual(references.map((l) => l.uri.split("/").pop()).sort(), [
      "base.config",
      "child.config",
      "sibling.config",
    ]);
    const edit = await client.request<WorkspaceEdit>("textDocument/rename", {
      textDocument: { uri },
      position,
      newName: "rate0",
    });
    const files = Object.keys(edit.changes ?? {})
      .map((u) => u.split("/").pop())
      .sort();
    assert.deepEqual(files, ["base.config", "child.config", "sibling.config"]);
  });

  test("a quick fix imports the placeholder", async () => {
    const diagnostics = await client.waitForDiagnostics(uri, (d) =>
      d.some((x) => x.code === "placeholder-not-imported"),
    );
    const placeholder = diagnostics.filter((d) => d.code === "placeholder-not-imported");
    assert.deepEqual(placeholder[0].range, child.ranges[0]);
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: placeholder[0].range,
      context: { diagnostics: placeholder },
    });
    assert.equal(actions[0].title, "Import ExpName from thunder.placeholders");
  });

  test("symbols and folding", async () => {
    const symbols = await client.request<DocumentSymbol[]>("textDocument/documentSymbol", {
      textDocument: { uri },
    });
    assert.deepEqual(
      symbols.map((s) => s.name),
      [".base", "logger", "rate", "build"],
    );
    const folding = await client.request<FoldingRange[]>("textDocument/foldingRange", {
      textDocument: { uri },
    });
    assert.ok(folding.some((range) => range.startLine === 4 && range.endLine === 5));
  });
});
