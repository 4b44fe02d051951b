import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { assignedValue, BASE_CONFIG, exists, pythonSyntaxError, run, Sandbox } from "./stand-in-harness";

let sandbox: Sandbox;

before(async () => {
  sandbox = await Sandbox.create();
});
after(async () => {
  await sandbox.dispose();
});

async function isValidPython(file: string): Promise<boolean> {
  const result = await run(
    "python3",
    ["-c", "import ast, sys; ast.parse(open(sys.argv[1], encoding='utf-8').read())", file],
    sandbox.env,
    sandbox.work,
  );
  return result.status === 0;
}

describe("thunder build: single experiments", () => {
  it("writes EXP/experiment.config with ExpName and GroupName set to the folder name", async () => {
    const config = await sandbox.write("single/train.config", BASE_CONFIG);
    const result = await sandbox.thunder(["build", config, "runs/exp-single"]);
    assert.equal(result.status, 0, result.stderr);
    const written = await sandbox.read("runs/exp-single/experiment.config");
    assert.equal(assignedValue(written, "ExpName"), "'exp-single'");
    assert.equal(assignedValue(written, "GroupName"), "'exp-single'");
    assert.equal(assignedValue(written, "lr"), "0.01");
    assert.match(written, /^from lightning import Trainer$/m);
    assert.doesNotMatch(written, /import ExpName/, "the placeholder import is replaced by the value");
    assert.doesNotMatch(written, /# learning rate/, "lazycon's dump drops comments");
    assert.equal(await exists(path.join(sandbox.work, "runs/exp-single/nodes.json")), false);
    assert.ok(await isValidPython(path.join(sandbox.work, "runs/exp-single/experiment.config")));
  });

  it("flattens parents: the child overrides, the later parent wins, ../ climbs one folder per dot", async () => {
    await sandbox.write("tree/base.config", `${BASE_CONFIG}dropout = 0.1\nwidth = 'base'\n`);
    await sandbox.write("tree/common/wide.config", "width = 'wide'\nheads = 4\n");
    await sandbox.write("tree/exps/local.config", "from ..common.wide import *\nseed = 7\n");
    const child = await sandbox.write(
      "tree/exps/child.config",
      "from ..base import *\nfrom .local import *\nimport torch.nn as nn\n\nlr = 0.5\n\n@nn.no_grad\ndef head(x):\n    return x * lr\n",
    );
    const result = await sandbox.thunder(["build", child, "exp-tree"]);
    assert.equal(result.status, 0, result.stderr);
    const written = await sandbox.read("exp-tree/experiment.config");
    assert.equal(assignedValue(written, "lr"), "0.5");
    assert.equal(written.match(/^lr = /gm)?.length, 1, "an overridden entry is written once");
    assert.equal(assignedValue(written, "width"), "'wide'");
    assert.equal(assignedValue(written, "dropout"), "0.1");
    assert.equal(assignedValue(written, "heads"), "4");
    assert.equal(assignedValue(written, "seed"), "7");
    assert.match(written, /^import torch\.nn as nn$/m);
    assert.match(written, /^@nn\.no_grad\ndef head\(x\):\n {4}return x \* lr$/m);
    assert.ok(await isValidPython(path.join(sandbox.work, "exp-tree/experiment.config")));
  });

  it("types -u values with YAML 1.1 and writes them back as Python literals", async () => {
    // Expected literals follow PyYAML 6 safe_load (thunder-facts.md), then Python's repr.
    const cases: [string, string][] = [
      ["2", "2"],
      ["0.001", "0.001"],
      ["1e-3", "'1e-3'"],
      ["1.0e-3", "0.001"],
      ["1.0e3", "'1.0e3'"],
      ["1.5E+2", "150.0"],
      [".5", "0.5"],
      ["yes", "True"],
      ["No", "False"],
      ["on", "True"],
      ["off", "False"],
      ["true", "True"],
      ["null", "None"],
      ["~", "None"],
      ["012", "10"],
      ["0x1F", "31"],
      ["1_000", "1000"],
      ["0o17", "'0o17'"],
      ["1:30", "90"],
      ['"1"', "'1'"],
      ["[1, 2]", "[1, 2]"],
      ["{a: 1}", "{'a': 1}"],
      ["foo", "'foo'"],
      ["a=b", "'a=b'"],
      ["", "None"],
    ];
    const names = cases.map((_, index) => `v${index}`);
    const config = await sandbox.write("typing/typing.config", names.map((name) => `${name} = 0\n`).join(""));
    const args = ["build", config, "exp-typing"];
    for (const [index, [value]] of cases.entries()) args.push("-u", `${names[index]}=${value}`);
    const result = await sandbox.thunder(args);
    assert.equal(result.status, 0, result.stderr);
    const written = await sandbox.read("exp-typing/experiment.config");
    cases.forEach(([value, literal], index) => {
      assert.equal(assignedValue(written, names[index]), literal, `-u ${names[index]}=${value}`);
    });
  });

  it("fails on a name the config does not define, and leaves no folder", async () => {
    const config = await sandbox.write("missing/m.config", "a = 1\nb = 2\n");
    const result = await sandbox.thunder(["build", config, "exp-missing", "-u", "a=3", "-u", "c=1"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^ValueError: The names \{'c'\} are missing from the config$/m);
    assert.equal(await exists(path.join(sandbox.work, "exp-missing")), false);
  });

  it("refuses an existing folder with thunder's message and keeps it; -o replaces it", async () => {
    const config = await sandbox.write("existing/e.config", "a = 1\n");
    await sandbox.write("exp-existing/checkpoints/last.ckpt", "precious");
    const refused = await sandbox.thunder(["build", config, "exp-existing"]);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stdout,
      'Cannot create an experiment in the folder "exp-existing", it already exists. ' +
        "If you want to overwrite it, use --overwrite / -o flag.\n",
    );
    assert.equal(await sandbox.read("exp-existing/checkpoints/last.ckpt"), "precious");

    const replaced = await sandbox.thunder(["build", config, "exp-existing", "--overwrite", "-u", "a=2"]);
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.equal(await exists(path.join(sandbox.work, "exp-existing/checkpoints")), false);
    assert.equal(assignedValue(await sandbox.read("exp-existing/experiment.config"), "a"), "2");
  });

  it("reports Python syntax errors with CPython's message, exit 1, no folder", async () => {
    for (const [index, source] of [
      "lr = (0.1,\nbatch = 2\n",
      "a = 1\n  b = 2\n",
      "def f(:\n  pass\n",
    ].entries()) {
      const config = await sandbox.write(`syntax/bad${index}.config`, source);
      const result = await sandbox.thunder(["build", config, `exp-syntax-${index}`]);
      assert.equal(result.status, 1);
      const expected = await pythonSyntaxError(source);
      assert.ok(expected.length > 0);
      assert.ok(result.stderr.includes(expected), `${result.stderr} should include ${expected}`);
      assert.ok(result.stderr.includes(config), "the traceback names the file");
      assert.equal(await exists(path.join(sandbox.work, `exp-syntax-${index}`)), false);
    }
  });

  it("rejects lazycon's unsupported top-level statements and broken parents", async () => {
    const statement = await sandbox.write("rules/statement.config", "a = 1\nif a:\n    b = 2\n");
    const unsupported = await sandbox.thunder(["build", statement, "exp-rule-1"]);
    assert.equal(unsupported.status, 1);
    assert.match(unsupported.stderr, /This syntactic structure is not supported\. at 2:0/);

    const orphan = await sandbox.write("rules/orphan.config", "from .nowhere import *\na = 1\n");
    const missingParent = await sandbox.thunder(["build", orphan, "exp-rule-2"]);
    assert.equal(missingParent.status, 1);
    assert.ok(missingParent.stderr.includes(path.join(path.dirname(orphan), "nowhere.config")));

    const lateImport = await sandbox.write("rules/late.config", "a = 1\nimport torch\n");
    const late = await sandbox.thunder(["build", lateImport, "exp-rule-3"]);
    assert.equal(late.status, 1);
    assert.match(late.stderr, /Imports are only allowed before definitions\./);

    const notConfig = await sandbox.write("rules/star.config", "from torch.nn import *\n");
    const star = await sandbox.thunder(["build", notConfig, "exp-rule-4"]);
    assert.equal(star.status, 1);
    assert.ok(star.stderr.includes(`Parent config "torch.nn" not found while parsing "${notConfig}"`));
    for (const index of [1, 2, 3, 4]) {
      assert.equal(await exists(path.join(sandbox.work, `exp-rule-${index}`)), false);
    }
  });

  it("fails on a date value (no Python literal) and removes the half-built folder", async () => {
    const config = await sandbox.write("date/d.config", "day = None\n");
    const result = await sandbox.thunder(["build", config, "exp-date", "-u", "day=2024-01-05"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /ValueError: Cannot write the value datetime\.date\(2024, 1, 5\) of 'day'/);
    assert.equal(await exists(path.join(sandbox.work, "exp-date")), false);
  });
});

describe("thunder build: layouts", () => {
  it("Split(KFold(3), ...) writes nodes.json and fold_<i> with ExpName EXP(i), GroupName EXP", async () => {
    const config = await sandbox.write(
      "folds/cv.config",
      "from thunder.layout import Split\nfrom sklearn.model_selection import KFold\n" +
        `${BASE_CONFIG}ids = [1, 2, 3, 4, 5, 6, 7]\nlayout = Split(KFold(3), ids, names=['train', 'val'])\n`,
    );
    const result = await sandbox.thunder(["build", config, "exp-cv"]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(await sandbox.read("exp-cv/nodes.json"), '[{"name": "0"}, {"name": "1"}, {"name": "2"}]');
    const validation: number[] = [];
    for (const fold of [0, 1, 2]) {
      const foldConfig = await sandbox.read(`exp-cv/fold_${fold}/experiment.config`);
      assert.equal(assignedValue(foldConfig, "ExpName"), `'exp-cv(${fold})'`);
      assert.equal(assignedValue(foldConfig, "GroupName"), "'exp-cv'");
      const split = JSON.parse(await sandbox.read(`exp-cv/fold_${fold}/split.json`)) as Record<
        string,
        number[]
      >;
      assert.equal(split.train.length + split.val.length, 7);
      validation.push(...split.val);
    }
    assert.deepEqual(validation.sort(), [1, 2, 3, 4, 5, 6, 7], "each id validates in exactly one fold");
    assert.equal(await exists(path.join(sandbox.work, "exp-cv/fold_3")), false);
    assert.ok(await exists(path.join(sandbox.work, "exp-cv/experiment.config")));
  });

  it("finds the fold count through n_splits=N in another entry, FixedSplit lists and names=[...]", async () => {
    const layouts: [string, number][] = [
      ["cv = StratifiedKFold(n_splits=4, shuffle=True)\nlayout = Split(cv, ids)\n", 4],
      ["layout = FixedSplit([[[1], [2]], [[2], [1]]], 'train', 'val')\n", 2],
      ["layout = Split(splitter, ids, names=['a', 'b', 'c', 'd', 'e'])\n", 5],
    ];
    for (const [index, [layout, folds]] of layouts.entries()) {
      const config = await sandbox.write(
        `folds/n${index}.config`,
        "from thunder.layout import Split, FixedSplit\nfrom sklearn.model_selection import StratifiedKFold\n" +
          `splitter = None\nids = list(range(10))\n${layout}`,
      );
      const result = await sandbox.thunder(["build", config, `exp-n${index}`]);
      assert.equal(result.status, 0, result.stderr);
      const nodes = JSON.parse(await sandbox.read(`exp-n${index}/nodes.json`)) as { name: string }[];
      assert.deepEqual(
        nodes.map((node) => node.name),
        Array.from({ length: folds }, (_, fold) => String(fold)),
      );
      assert.ok(await exists(path.join(sandbox.work, `exp-n${index}/fold_${folds - 1}/split.json`)));
    }
  });

  it("SingleSplit writes split.json beside one experiment.config; an unknown fold count fails cleanly", async () => {
    const single = await sandbox.write(
      "split/single.config",
      "from thunder.layout import SingleSplit\nids = list(range(10))\nlayout = SingleSplit(ids, train=0.7, val=0.3)\n",
    );
    const built = await sandbox.thunder(["build", single, "exp-single-split"]);
    assert.equal(built.status, 0, built.stderr);
    const split = JSON.parse(await sandbox.read("exp-single-split/split.json")) as Record<string, number[]>;
    assert.deepEqual(split, { train: [0, 1, 2, 3, 4, 5, 6], val: [7, 8, 9] });
    assert.equal(
      assignedValue(await sandbox.read("exp-single-split/experiment.config"), "ExpName"),
      "'exp-single-split'",
    );
    assert.equal(await exists(path.join(sandbox.work, "exp-single-split/nodes.json")), false);

    const opaque = await sandbox.write(
      "split/opaque.config",
      "from thunder.layout import Split\nfrom my_project import make_cv, load_ids\nids = load_ids()\nlayout = Split(make_cv(), ids)\n",
    );
    const failed = await sandbox.thunder(["build", opaque, "exp-opaque"]);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /cannot find the number of folds/);
    assert.equal(await exists(path.join(sandbox.work, "exp-opaque")), false);
  });
});
