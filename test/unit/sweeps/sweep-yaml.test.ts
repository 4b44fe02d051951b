import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { parse } from "yaml";
import {
  generateSweepYaml,
  pyYamlFloat,
  SWEEP_METHODS,
  type SweepMethod,
} from "../../../extension/sweeps/sweep-yaml";

const ENTRIES = [
  { name: "torch", value: "import torch", kind: "import" as const },
  { name: "ExpName", value: "from thunder.placeholders import ExpName", kind: "placeholder" as const },
  { name: "lr", value: "1e-3", kind: "assignment" as const },
  { name: "batch_size", value: "32", kind: "assignment" as const },
  { name: "epochs", value: "1", kind: "assignment" as const },
  { name: "weight_decay", value: "0.0", kind: "assignment" as const },
  { name: "shift", value: "-2.5", kind: "assignment" as const },
  { name: "offset", value: "-4", kind: "assignment" as const },
  { name: "tiny", value: "1E-7", kind: "assignment" as const },
  { name: "amp", value: "True", kind: "assignment" as const },
  { name: "optimizer", value: "'adam'", kind: "assignment" as const },
  { name: "answer", value: '"yes"', kind: "assignment" as const },
  { name: "note", value: "'it\\'s: 1:30\\n\u00fcn\u00ef 🚀'", kind: "assignment" as const },
  { name: "seed", value: "None", kind: "assignment" as const },
  { name: "model", value: "Net(width=64)", kind: "assignment" as const },
  { name: "base_lr", value: "lr", kind: "assignment" as const },
  { name: "sizes", value: "[1, 2]", kind: "assignment" as const },
  { name: "scaled", value: "lr * 2", kind: "assignment" as const },
  { name: "trainer", value: "Trainer(max_epochs=epochs)", kind: "assignment" as const },
  { name: "build", value: "def build():\n    return 1", kind: "function" as const },
];

const SWEPT = [
  "lr",
  "batch_size",
  "epochs",
  "weight_decay",
  "shift",
  "offset",
  "tiny",
  "amp",
  "optimizer",
  "answer",
  "note",
];
const SKIPPED = ["seed", "model", "base_lr", "sizes", "scaled", "trainer"];

/** Loads YAML with PyYAML (what `wandb sweep` uses), tagging each float so its type survives JSON. */
function loadWithPyYaml(text: string): unknown {
  const script = [
    "import json, sys, yaml",
    "def tag(v):",
    "    if isinstance(v, bool): return v",
    "    if isinstance(v, float): return {'float': v}",
    "    if isinstance(v, int): return {'int': v}",
    "    if isinstance(v, dict): return {k: tag(x) for k, x in v.items()}",
    "    if isinstance(v, list): return [tag(x) for x in v]",
    "    return v",
    "print(json.dumps(tag(yaml.safe_load(sys.stdin.read()))))",
  ].join("\n");
  const run = spawnSync("python3", ["-c", script], { input: text, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function generate(method: SweepMethod) {
  return generateSweepYaml({
    programPath: "configs/my exp: v1.config",
    method,
    entries: ENTRIES,
    fileName: "sweeps/lr sweep.yaml",
  });
}

describe("sweep YAML", () => {
  for (const method of SWEEP_METHODS) {
    test(`${method}: program, method, metric and which entries are swept`, () => {
      const result = generate(method);
      const doc = parse(result.text);
      assert.equal(doc.program, "configs/my exp: v1.config");
      assert.equal(doc.method, method);
      assert.deepEqual(doc.metric, { name: "val_loss", goal: "minimize" });
      assert.deepEqual(Object.keys(doc.parameters), SWEPT);
      assert.deepEqual(result.parameters, SWEPT);
      assert.deepEqual(
        result.skipped.map((entry) => entry.name),
        SKIPPED,
      );
      assert.deepEqual(doc.parameters.amp, { values: [true, false] });
      assert.deepEqual(doc.parameters.optimizer, { values: ["adam"] });
      assert.deepEqual(doc.parameters.answer, { values: ["yes"] });
      assert.deepEqual(doc.parameters.note, { values: ["it's: 1:30\n\u00fcn\u00ef 🚀"] });
    });
  }

  test("grid seeds values lists around the current value", () => {
    const doc = parse(generate("grid").text);
    assert.deepEqual(doc.parameters.lr, { values: [0.0001, 0.001, 0.01] });
    assert.deepEqual(doc.parameters.batch_size, { values: [16, 32, 64] });
    assert.deepEqual(doc.parameters.epochs, { values: [1, 2] });
    assert.deepEqual(doc.parameters.weight_decay, { values: [0, 0.1] });
    assert.deepEqual(doc.parameters.shift, { values: [-0.25, -2.5, -25] });
    assert.deepEqual(doc.parameters.offset, { values: [-8, -4, -2] });
    assert.deepEqual(doc.parameters.tiny, { values: [1e-8, 1e-7, 1e-6] });
  });

  for (const method of ["random", "bayes"] as const) {
    test(`${method} seeds ranges: log scale for positive floats, halving/doubling for ints`, () => {
      const doc = parse(generate(method).text);
      assert.deepEqual(doc.parameters.lr, { distribution: "log_uniform_values", min: 0.0001, max: 0.01 });
      assert.deepEqual(doc.parameters.batch_size, { distribution: "int_uniform", min: 16, max: 64 });
      assert.deepEqual(doc.parameters.epochs, { distribution: "int_uniform", min: 1, max: 2 });
      assert.deepEqual(doc.parameters.weight_decay, { distribution: "uniform", min: 0, max: 1 });
      assert.deepEqual(doc.parameters.shift, { distribution: "uniform", min: -25, max: -0.25 });
      assert.deepEqual(doc.parameters.offset, { distribution: "int_uniform", min: -8, max: -2 });
      assert.deepEqual(doc.parameters.tiny, { distribution: "log_uniform_values", min: 1e-8, max: 1e-6 });
    });
  }

  test("PyYAML (what wandb reads the file with) sees floats as floats, ints as ints, strings as strings", () => {
    for (const method of SWEEP_METHODS) {
      const loaded = loadWithPyYaml(generate(method).text) as {
        program: string;
        parameters: Record<string, unknown>;
      };
      assert.equal(loaded.program, "configs/my exp: v1.config");
      const p = loaded.parameters;
      if (method === "grid") {
        assert.deepEqual(p.lr, { values: [{ float: 0.0001 }, { float: 0.001 }, { float: 0.01 }] });
        assert.deepEqual(p.tiny, { values: [{ float: 1e-8 }, { float: 1e-7 }, { float: 1e-6 }] });
        assert.deepEqual(p.weight_decay, { values: [{ float: 0 }, { float: 0.1 }] });
        assert.deepEqual(p.batch_size, { values: [{ int: 16 }, { int: 32 }, { int: 64 }] });
      } else {
        assert.deepEqual(p.tiny, {
          distribution: "log_uniform_values",
          min: { float: 1e-8 },
          max: { float: 1e-6 },
        });
        assert.deepEqual(p.weight_decay, { distribution: "uniform", min: { float: 0 }, max: { float: 1 } });
        assert.deepEqual(p.offset, { distribution: "int_uniform", min: { int: -8 }, max: { int: -2 } });
      }
      assert.deepEqual(p.answer, { values: ["yes"] }, "YAML 1.1 would read a bare yes as true");
      assert.deepEqual(p.note, { values: ["it's: 1:30\n\u00fcn\u00ef 🚀"] });
      assert.deepEqual(p.amp, { values: [true, false] });
    }
  });

  test("comments: how to create the sweep, what to adjust, why entries were skipped", () => {
    const { text } = generate("bayes");
    assert.match(text, /^# .*\n# Create the sweep: {2}wandb sweep 'sweeps\/lr sweep\.yaml'\n/);
    assert.match(
      text,
      /thunder wandb agent ENTITY\/PROJECT\/SWEEP_ID 'configs\/my exp: v1\.config' ROOT_FOLDER/,
    );
    assert.match(text, /# Adjust: .*\n\s+name: val_loss/);
    assert.match(text, /# seed: not swept, its value is None/);
    assert.match(text, /# model: not swept, its value is a call/);
    assert.match(text, /# base_lr: not swept, its value refers to another name/);
    assert.match(text, /# sizes: not swept, its value is a list/);
    assert.match(text, /# scaled: not swept, its value is an expression/);
    assert.match(text, /# trainer: not swept, thunder uses this entry itself/);
    assert.doesNotMatch(
      text,
      /(\n\s*|# )(torch|ExpName|build):/,
      "imports, placeholders and functions are left out silently",
    );
  });

  test("a config without literals still gives valid YAML, with a note", () => {
    const result = generateSweepYaml({
      programPath: "exp.config",
      method: "random",
      entries: [{ name: "model", value: "Net()" }],
    });
    assert.deepEqual(parse(result.text).parameters, {});
    assert.match(result.text, /No literal values/);
    assert.match(result.text, /wandb sweep sweep\.yaml/);
  });

  test("a program path with a newline cannot break out of the header comment", () => {
    const result = generateSweepYaml({ programPath: "a\nmethod: evil", method: "grid", entries: [] });
    const doc = parse(result.text);
    assert.equal(doc.program, "a\nmethod: evil");
    assert.equal(doc.method, "grid");
  });

  test("PyYAML float spelling", () => {
    assert.equal(pyYamlFloat(1), "1.0");
    assert.equal(pyYamlFloat(0.5), "0.5");
    assert.equal(pyYamlFloat(1e-7), "1.0e-7");
    assert.equal(pyYamlFloat(2.5e21), "2.5e+21");
    assert.equal(pyYamlFloat(-3), "-3.0");
  });
});
