/** Quick fixes: applying them must make the diagnostic go away. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CodeAction } from "vscode-languageserver-types";
import { applyEdits, dedent, uriOf, workspace } from "../analysis/helpers";

/** Opens `text`, runs the quick fixes for diagnostics with `code`, returns the fixed text and its diagnostics. */
function fix(text: string, code: string, pick = 0, others: Record<string, string> = {}) {
  const ws = workspace(others);
  const uri = uriOf("main.config");
  ws.service.openDocument(uri, text, 1);
  const diagnostics = ws.service.diagnostics(uri).filter((d) => d.code === code);
  assert.ok(diagnostics.length > 0, `no ${code} diagnostic`);
  const actions: CodeAction[] = ws.service.codeActions(uri, diagnostics[0].range, [diagnostics[0]]);
  const action = actions[pick];
  assert.ok(action, "no quick fix");
  const fixed = applyEdits(text, action.edit?.changes?.[uri] ?? []);
  ws.service.changeDocument(uri, [{ text: fixed }], 2);
  return { fixed, title: action.title, after: ws.service.diagnostics(uri), actions };
}

describe("quick fixes", () => {
  test("import a placeholder after the config imports and existing imports", () => {
    const text = dedent(`
      from .base import *
      import torch

      logger = dict(name=ExpName)
    `);
    const { fixed, title, after } = fix(text, "placeholder-not-imported", 0, { "base.config": "x = 1\n" });
    assert.equal(title, "Import ExpName from thunder.placeholders");
    assert.equal(
      fixed,
      "from .base import *\nimport torch\nfrom thunder.placeholders import ExpName\n\nlogger = dict(name=ExpName)\n",
    );
    assert.deepEqual(
      after.filter((d) => d.code !== "missing-entry").map((d) => d.code),
      [],
    );
  });

  test("extend an existing placeholder import", () => {
    const text = "from thunder.placeholders import ExpName\nlogger = dict(name=ExpName, group=GroupName)\n";
    const { fixed } = fix(text, "placeholder-not-imported");
    assert.equal(
      fixed,
      "from thunder.placeholders import ExpName, GroupName\nlogger = dict(name=ExpName, group=GroupName)\n",
    );
  });

  test("a file without imports gets the import at the top", () => {
    const { fixed } = fix("# comment\nx = GroupName", "placeholder-not-imported");
    assert.equal(fixed, "# comment\nfrom thunder.placeholders import GroupName\nx = GroupName");
  });

  test("replace a hand-made placeholder with the import", () => {
    const text = "import os\nExpName = 'run'\nname = ExpName\n";
    const { fixed, after } = fix(text, "placeholder-redefined");
    assert.equal(fixed, "import os\nfrom thunder.placeholders import ExpName\nname = ExpName\n");
    assert.deepEqual(
      after.filter((d) => d.code !== "missing-entry").map((d) => d.code),
      [],
    );
  });

  test("add a missing thunder entry", () => {
    const text = "from lightning import Trainer\ntrainer = Trainer()\nmodule = 1";
    const { fixed, after } = fix(text, "missing-entry");
    assert.match(fixed, /\ntrain_data = \.\.\. {2}# TODO: the training DataLoader/);
    assert.deepEqual(after, []);
  });

  test("move an import that comes after a definition", () => {
    const text = "from .base import *\nimport os\n\nx = 1\nimport numpy as np\ny = np.ones(x)\n";
    const { fixed, title, after } = fix(text, "import-after-definition", 0, { "base.config": "z = 1\n" });
    assert.equal(title, "Move the import up");
    assert.equal(fixed, "from .base import *\nimport os\nimport numpy as np\n\nx = 1\ny = np.ones(x)\n");
    assert.deepEqual(after, []);
  });

  test("move a parent import to the top, also from the last line", () => {
    const text = "import os\nx = 1\nfrom .base import *";
    const { fixed, after } = fix(text, "star-import-position", 0, { "base.config": "z = 1\n" });
    assert.equal(fixed, "from .base import *\nimport os\nx = 1");
    assert.deepEqual(after, []);
  });

  test("suggest close entry names for an undefined name", () => {
    const text = "learning_rate = 1\nbatch = 2\nx = learning_rat * 2\n";
    const { fixed, title, after } = fix(text, "undefined-name");
    assert.equal(title, 'Change to "learning_rate"');
    assert.equal(fixed, "learning_rate = 1\nbatch = 2\nx = learning_rate * 2\n");
    assert.deepEqual(after, []);
  });

  test("no fix for diagnostics without one", () => {
    const ws = workspace({});
    const uri = uriOf("main.config");
    ws.service.openDocument(uri, "x.a = 1\n", 1);
    const diagnostics = ws.service.diagnostics(uri).filter((d) => d.code === "unsupported-assignment");
    assert.deepEqual(ws.service.codeActions(uri, diagnostics[0].range, diagnostics), []);
  });
});
