/** Thunder-aware checks: required entries and placeholders. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { codes, dedent, diagnose, marked, messageOf, uriOf, workspace } from "./helpers";

describe("required entries", () => {
  test("a thunder config without trainer, module and train_data", () => {
    const diagnostics = diagnose("from lightning import Trainer\nlr = 1\n");
    assert.deepEqual(
      diagnostics.map((d) => [
        d.code,
        d.source,
        d.severity,
        d.range.start.line,
        (d.data as { name: string }).name,
      ]),
      [
        ["missing-entry", "thunder", 2, 0, "trainer"],
        ["missing-entry", "thunder", 2, 0, "module"],
        ["missing-entry", "thunder", 2, 0, "train_data"],
      ],
    );
    assert.match(messageOf(diagnostics[0]), /no "trainer" entry/);
  });

  test("datamodule replaces train_data; inherited entries count", () => {
    const { service } = workspace({
      "base.config": "import pytorch_lightning as pl\ntrainer = pl.Trainer()\n",
      "child.config": "from .base import *\nmodule = 1\ndatamodule = 2\n",
    });
    assert.deepEqual(service.diagnostics(uriOf("child.config")), []);
  });

  test("the thunder import may come from a parent", () => {
    const { service } = workspace({
      "base.config": "from thunder import ThunderModule\n",
      "child.config": "from .base import *\nx = 1\n",
      "unrelated.config": "import torch\nx = 1\n",
    });
    assert.deepEqual(codes(service.diagnostics(uriOf("child.config"))), [
      "missing-entry",
      "missing-entry",
      "missing-entry",
    ]);
    assert.deepEqual(
      service.diagnostics(uriOf("unrelated.config")),
      [],
      "not a thunder config: nothing required",
    );
    assert.deepEqual(service.diagnostics(uriOf("base.config")), [], "a config with children is a template");
  });
});

describe("placeholders", () => {
  test("ExpName used without its import is an error with thunder's explanation", () => {
    const fixture = marked(
      dedent(`
        from lightning.pytorch.loggers import WandbLogger
        logger = WandbLogger(name=«ExpName», group=«GroupName»)
      `),
    );
    const diagnostics = diagnose(fixture.text).filter((d) => d.code !== "missing-entry");
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.source, d.severity, d.range]),
      fixture.ranges.map((range) => ["placeholder-not-imported", "thunder", 1, range]),
    );
    assert.match(messageOf(diagnostics[0]), /from thunder\.placeholders import ExpName/);
    assert.match(messageOf(diagnostics[0]), /thunder build will fail/);
  });

  test("imported placeholders are fine, also from a parent", () => {
    const { service } = workspace({
      "base.config": "from thunder.placeholders import ExpName, GroupName\n",
      "child.config": "from .base import *\nname = ExpName\ngroup = GroupName\n",
    });
    const diagnostics = service.diagnostics(uriOf("child.config")).filter((d) => d.code !== "missing-entry");
    assert.deepEqual(diagnostics, []);
  });

  test("a placeholder defined by hand", () => {
    const fixture = marked("«ExpName» = 'my-run'\nname = ExpName\n");
    const diagnostics = diagnose(fixture.text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity, d.range]),
      [["placeholder-redefined", 2, fixture.ranges[0]]],
    );
  });
});
