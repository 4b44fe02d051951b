/** Hover, go to definition, references and rename across a config family. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Location, WorkspaceEdit } from "vscode-languageserver-types";
import { applyEdits, dedent, marked, openMarked, uriOf, workspace } from "../analysis/helpers";

const BASE = dedent(`
  from thunder.placeholders import ExpName
  lr = 1e-3
  scale = lr * 2
`);

function family() {
  return workspace({
    "configs/base.config": BASE,
    "configs/exp/child.config": "from ..base import *\nlr = lr_override = 3e-4\nrate = lr\n",
    "configs/exp/sibling.config": "from ..base import *\nsteps = lr * 10\n",
    "configs/unrelated.config": "lr = 5\nx = lr\n",
  });
}

function hoverText(value: unknown): string {
  return (value as { contents: { value: string } }).contents.value;
}

function where(locations: Location[]): string[] {
  return locations
    .map((l) => `${l.uri.split("/configs/")[1]}:${l.range.start.line}:${l.range.start.character}`)
    .sort();
}

describe("hover", () => {
  test("an inherited entry: where it is defined, its source, who overrides it", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/sibling.config",
      "from ..base import *\nsteps = l<|>r * 10\n",
    );
    const text = hoverText(ws.service.hover(uri, carets[0]));
    assert.match(text, /\*\*lr\*\*: assignment entry, defined in `base\.config line 2`, inherited/);
    assert.match(text, /```python\nlr = 1e-3\n```/);
    assert.match(text, /Overridden in `child\.config line 2`/);
  });

  test("an override says which parent value it replaces", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/child.config",
      "from ..base import *\n<|>lr = lr_override = 3e-4\n",
    );
    const text = hoverText(ws.service.hover(uri, carets[0]));
    assert.match(text, /Overrides the value from `base\.config line 2`/);
  });

  test("placeholders, locals and builtins", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/other.config",
      "from ..base import *\nname = Exp<|>Name\nf = lambda v<|>alue: le<|>n(value)\n",
    );
    assert.match(hoverText(ws.service.hover(uri, carets[0])), /experiment folder's name.*EXP\(i\)/s);
    assert.match(hoverText(ws.service.hover(uri, carets[1])), /local variable of a lambda/);
    assert.match(hoverText(ws.service.hover(uri, carets[2])), /Python builtin/);
  });

  test("a placeholder that is not imported yet explains itself and its import", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(ws, "main.config", "group = Group<|>Name\n");
    const text = hoverText(ws.service.hover(uri, carets[0]));
    assert.match(text, /folder's name/);
    assert.match(text, /from thunder\.placeholders import GroupName/);
  });

  test("a parent import line shows the parent's path", () => {
    const ws = family();
    const { uri } = openMarked(ws, "configs/exp/child.config", "from ..base import *\n");
    assert.match(hoverText(ws.service.hover(uri, { line: 0, character: 8 })), /configs[/\\]base\.config/);
  });
});

describe("go to definition", () => {
  test("into the parent config, to the import's file, and to locals", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/sibling.config",
      "from ..ba<|>se import *\nsteps = l<|>r * 10\ndef f(alpha):\n    return al<|>pha\n",
    );
    assert.deepEqual(where(ws.service.definition(uri, carets[0])), ["base.config:0:0"]);
    assert.deepEqual(where(ws.service.definition(uri, carets[1])), ["base.config:1:0"]);
    const [local] = ws.service.definition(uri, carets[2]);
    assert.deepEqual(local.range.start, { line: 2, character: 6 });
  });

  test("the override in effect wins", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/child.config",
      "from ..base import *\nlr = 3e-4\nrate = l<|>r\n",
    );
    assert.deepEqual(where(ws.service.definition(uri, carets[0])), ["exp/child.config:1:0"]);
  });
});

describe("references", () => {
  test("across parent, overriding child and sibling, but not an unrelated config", () => {
    const ws = family();
    const { uri, carets } = openMarked(ws, "configs/base.config", BASE.replace("lr = ", "l<|>r = "));
    assert.deepEqual(where(ws.service.references(uri, carets[0], true)), [
      "base.config:1:0",
      "base.config:2:8",
      "exp/child.config:1:0",
      "exp/child.config:2:7",
      "exp/sibling.config:1:8",
    ]);
    assert.deepEqual(where(ws.service.references(uri, carets[0], false)), [
      "base.config:2:8",
      "exp/child.config:2:7",
      "exp/sibling.config:1:8",
    ]);
  });

  test("locals stay in their scope", () => {
    const ws = workspace({});
    const fixture = openMarked(ws, "main.config", "x = 1\ndef f(x):\n    return <|>x + 1\ny = x\n");
    assert.deepEqual(
      ws.service.references(fixture.uri, fixture.carets[0], true).map((l) => l.range.start),
      [
        { line: 1, character: 6 },
        { line: 2, character: 11 },
      ],
    );
  });
});

function applyWorkspaceEdit(
  edit: WorkspaceEdit | null,
  texts: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = { ...texts };
  for (const [uri, edits] of Object.entries(edit?.changes ?? {}))
    result[uri] = applyEdits(result[uri], edits);
  return result;
}

describe("rename", () => {
  test("the entry in the parent, every use and every override in children", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/sibling.config",
      "from ..base import *\nsteps = l<|>r * 10\n",
    );
    assert.deepEqual(ws.service.prepareRename(uri, carets[0]), {
      range: { start: { line: 1, character: 8 }, end: { line: 1, character: 10 } },
      placeholder: "lr",
    });
    const files = [
      "configs/base.config",
      "configs/exp/child.config",
      "configs/exp/sibling.config",
      "configs/unrelated.config",
    ];
    const before = Object.fromEntries(
      files.map((f) => [uriOf(f), ws.host.files.get(uriOf(f).slice(7)) ?? ""]),
    );
    const after = applyWorkspaceEdit(ws.service.rename(uri, carets[0], "learning_rate"), before);
    assert.equal(
      after[uriOf("configs/base.config")],
      BASE.replace("lr = 1e-3", "learning_rate = 1e-3").replace("lr * 2", "learning_rate * 2"),
    );
    assert.equal(
      after[uriOf("configs/exp/child.config")],
      "from ..base import *\nlearning_rate = lr_override = 3e-4\nrate = learning_rate\n",
    );
    assert.equal(
      after[uriOf("configs/exp/sibling.config")],
      "from ..base import *\nsteps = learning_rate * 10\n",
    );
    assert.equal(after[uriOf("configs/unrelated.config")], "lr = 5\nx = lr\n");
  });

  test("invalid names are refused with a message", () => {
    const ws = workspace({});
    const { uri, carets } = openMarked(ws, "main.config", "l<|>r = 1\n");
    assert.throws(() => ws.service.rename(uri, carets[0], "2fast"), /not a valid Python identifier/);
    assert.throws(() => ws.service.rename(uri, carets[0], "lambda"), /keyword/);
    assert.throws(() => ws.service.rename(uri, carets[0], "__lr"), /read-only/);
    assert.throws(() => ws.service.rename(uri, carets[0], "_"), /wildcard/);
  });

  test("a name that is already taken is refused, in the family and in a function", () => {
    const ws = family();
    const { uri, carets } = openMarked(
      ws,
      "configs/exp/sibling.config",
      "from ..base import *\nsteps = l<|>r * 10\ndef f(a, b):\n    return <|>a + b\n",
    );
    assert.throws(
      () => ws.service.rename(uri, carets[0], "scale"),
      /already has an entry with that name \(defined in base\.config line 3\)/,
    );
    assert.throws(() => ws.service.rename(uri, carets[0], "steps"), /sibling\.config already has an entry/);
    assert.throws(() => ws.service.rename(uri, carets[1], "b"), /already used in this function/);
  });

  test("imported names get an alias; placeholders and builtins cannot be renamed", () => {
    const ws = workspace({});
    const fixture = marked(
      "import tor<|>ch\nfrom thunder.placeholders import ExpName\nx = torch.ones(1)\ny = Exp<|>Name\nz = l<|>en([])\n",
    );
    ws.service.openDocument(uriOf("main.config"), fixture.text, 1);
    const uri = uriOf("main.config");
    const after = applyWorkspaceEdit(ws.service.rename(uri, fixture.carets[0], "th"), {
      [uri]: fixture.text,
    })[uri];
    assert.equal(
      after,
      "import torch as th\nfrom thunder.placeholders import ExpName\nx = th.ones(1)\ny = ExpName\nz = len([])\n",
    );
    assert.equal(ws.service.prepareRename(uri, fixture.carets[1]), null);
    assert.throws(() => ws.service.rename(uri, fixture.carets[1], "Name"), /placeholder/);
    assert.equal(ws.service.prepareRename(uri, fixture.carets[2]), null);
  });

  test("a local renames only within its function", () => {
    const ws = workspace({});
    const fixture = marked("x = 1\ndef f(x):\n    y = <|>x * 2\n    return y + x\nz = x\n");
    const uri = uriOf("main.config");
    ws.service.openDocument(uri, fixture.text, 1);
    const after = applyWorkspaceEdit(ws.service.rename(uri, fixture.carets[0], "value"), {
      [uri]: fixture.text,
    })[uri];
    assert.equal(after, "x = 1\ndef f(value):\n    y = value * 2\n    return y + value\nz = x\n");
  });
});
