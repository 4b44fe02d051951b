import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CompletionItem } from "vscode-languageserver-types";
import { applyEdits, openMarked, ROOT, workspace } from "../analysis/helpers";

function labels(items: CompletionItem[]): string[] {
  return items.map((item) => item.label);
}

function item(items: CompletionItem[], label: string): CompletionItem {
  const found = items.find((candidate) => candidate.label === label);
  assert.ok(found, `no completion "${label}" in ${labels(items).slice(0, 30).join(", ")}`);
  return found;
}

describe("completion", () => {
  test("own and inherited entries say where they come from; builtins and keywords are there", () => {
    const ws = workspace({ "base.config": "import torch\nlr = 1\ndef make():\n    return 1\n" });
    const { uri, carets } = openMarked(ws, "child.config", "from .base import *\nbatch = 2\nx = <|>\n");
    const items = ws.service.completion(uri, carets[0]);
    assert.equal(item(items, "lr").detail, "inherited from base.config");
    assert.equal(item(items, "torch").detail, "inherited from base.config");
    assert.equal(item(items, "make").kind, 3);
    assert.equal(item(items, "batch").detail, "entry");
    assert.equal(item(items, "sorted").detail, "builtin");
    assert.equal(item(items, "lambda").kind, 14);
    assert.equal(labels(items).filter((label) => label === "lr").length, 1);
  });

  test("locals of enclosing functions, lambdas and comprehensions, only where visible", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(
      ws,
      "main.config",
      `
      def outer(alpha, *rest, beta=1):
          gamma = 2
          def inner(delta):
              return <|>
          return inner
      f = lambda epsilon: [zeta for zeta in range(epsilon) if <|>zeta > 1]
      y = <|>
      `,
    );
    const inInner = labels(ws.service.completion(uri, carets[0]));
    for (const name of ["alpha", "rest", "beta", "gamma", "inner", "delta"])
      assert.ok(inInner.includes(name), name);
    const inComprehension = labels(ws.service.completion(uri, carets[1]));
    for (const name of ["epsilon", "zeta"]) assert.ok(inComprehension.includes(name), name);
    assert.ok(!inComprehension.includes("alpha"));
    const atTop = labels(ws.service.completion(uri, carets[2]));
    for (const name of ["alpha", "gamma", "epsilon", "zeta"]) assert.ok(!atTop.includes(name), name);
  });

  test("placeholders come with their import", () => {
    const ws = workspace({});
    const { uri, carets, text } = openMarked(
      ws,
      "main.config",
      "from lightning.pytorch.loggers import WandbLogger\n\nlogger = WandbLogger(name=<|>)\n",
    );
    const placeholder = item(ws.service.completion(uri, carets[0]), "ExpName");
    const edited = applyEdits(text, placeholder.additionalTextEdits ?? []);
    assert.equal(
      edited,
      "from lightning.pytorch.loggers import WandbLogger\nfrom thunder.placeholders import ExpName\n\nlogger = WandbLogger(name=)\n",
    );
  });

  test("a placeholder already imported is a plain entry", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(
      ws,
      "main.config",
      "from thunder.placeholders import ExpName\nx = <|>\n",
    );
    const items = ws.service.completion(uri, carets[0]);
    assert.equal(item(items, "ExpName").additionalTextEdits, undefined);
    assert.ok(item(items, "GroupName").additionalTextEdits?.length);
  });

  test("thunder entries as snippets at the top level when missing", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(ws, "main.config", "trainer = 1\ntr<|>\nx = f(<|>)\n");
    const top = ws.service.completion(uri, carets[0]);
    const snippet = item(top, "train_data");
    assert.equal(snippet.insertTextFormat, 2);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an LSP snippet tab stop, not a template
    assert.equal(snippet.insertText, "train_data = ${1}");
    assert.equal(item(top, "trainer").detail, "entry", "defined: no snippet");
    assert.ok(
      !labels(ws.service.completion(uri, carets[1])).includes("train_data"),
      "not inside an expression",
    );
  });

  test("parent config paths after from . and from ..", () => {
    const ws = workspace({
      "configs/common/base.config": "",
      "configs/exp/sibling.config": "",
      "configs/exp/nested/deep.config": "",
      "configs/exp/notes.txt": "",
    });
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/main.config",
      "from .<|>\nfrom ..<|>\nfrom ..common.<|>\n",
    );
    assert.deepEqual(labels(ws.service.completion(uri, carets[0])).sort(), ["nested", "sibling"]);
    assert.deepEqual(labels(ws.service.completion(uri, carets[1])).sort(), ["common", "exp"]);
    assert.deepEqual(labels(ws.service.completion(uri, carets[2])), ["base"]);
  });

  test("lazycon shortcuts after from, and their folders", () => {
    const ws = workspace(
      { "shared/configs/base.config": "", "shared/configs/more/deep.config": "" },
      { shortcuts: { shared: `${ROOT}/shared` } },
    );
    const { uri, carets } = openMarked(
      ws,
      "main.config",
      "from sh<|>\nfrom shared.configs.<|>\nfrom torch.<|>\n",
    );
    assert.deepEqual(labels(ws.service.completion(uri, carets[0])), ["shared"]);
    assert.deepEqual(labels(ws.service.completion(uri, carets[1])).sort(), ["base", "more"]);
    assert.deepEqual(ws.service.completion(uri, carets[2]), []);
  });

  test("nothing after a dot, in comments or in strings", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(
      ws,
      "main.config",
      "import torch\nx = torch.<|>\n# lr<|>\ny = 'a<|>'\n",
    );
    for (const caret of carets) assert.deepEqual(ws.service.completion(uri, caret), []);
  });
});
