import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import {
  defaultPickedNames,
  sweepableEntries,
  sweepConfigPath,
  wandbSweepCommand,
} from "../../../extension/sweep-commands/sweep-config-file";
import { generateSweepYaml } from "../../../extension/sweeps/sweep-yaml";

describe("where the sweep YAML goes", () => {
  test("next to the config, never over an existing file", () => {
    const taken = new Set(["/ws/cfg/train.sweep.yaml", "/ws/cfg/train.sweep-2.yaml"]);
    assert.equal(
      sweepConfigPath("/ws/cfg/train.config", () => false),
      "/ws/cfg/train.sweep.yaml",
    );
    assert.equal(
      sweepConfigPath("/ws/cfg/train.config", (candidate) => taken.has(candidate)),
      "/ws/cfg/train.sweep-3.yaml",
    );
  });

  test("`wandb sweep FILE` runs in the YAML's folder, with the name quoted for sh", () => {
    assert.deepEqual(wandbSweepCommand("/ws/my cfg/it's.sweep.yaml"), {
      argv: ["wandb", "sweep", "it's.sweep.yaml"],
      cwd: "/ws/my cfg",
      text: "wandb sweep 'it'\\''s.sweep.yaml'",
    });
  });
});

describe("which entries the picker offers and pre-selects", () => {
  const entries = [
    { name: "torch", value: "import torch", kind: "import" as const },
    { name: "lr", value: "1e-3", kind: "assignment" as const },
    { name: "batch_size", value: "64", kind: "assignment" as const },
    { name: "use_amp", value: "True", kind: "assignment" as const },
    { name: "optimizer", value: '"adam"', kind: "assignment" as const },
    { name: "architecture", value: "make(hidden)", kind: "assignment" as const },
    { name: "trainer", value: "Trainer(max_epochs=3)", kind: "assignment" as const },
    { name: "make", value: "def make(x):\n    return x", kind: "function" as const },
    { name: "ExpName", value: "from thunder.placeholders import ExpName", kind: "placeholder" as const },
  ];

  test("assignments are offered; literals that can seed a parameter are picked", () => {
    assert.deepEqual(
      sweepableEntries(entries).map((entry) => entry.name),
      ["lr", "batch_size", "use_amp", "optimizer", "architecture", "trainer"],
    );
    assert.deepEqual([...defaultPickedNames(sweepableEntries(entries))].sort(), [
      "batch_size",
      "lr",
      "optimizer",
      "use_amp",
    ]);
  });

  test("the YAML from the picked entries reads back (PyYAML) with program = the config", () => {
    const picked = sweepableEntries(entries).filter((entry) => defaultPickedNames(entries).has(entry.name));
    const { text } = generateSweepYaml({
      programPath: "train.config",
      method: "random",
      entries: picked,
      fileName: "train.sweep.yaml",
    });
    const read = spawnSync(
      "python3",
      ["-c", "import sys, yaml, json; print(json.dumps(yaml.safe_load(sys.stdin)))"],
      {
        input: text,
        encoding: "utf8",
      },
    );
    assert.equal(read.status, 0, read.stderr);
    const sweep = JSON.parse(read.stdout);
    assert.equal(sweep.program, "train.config");
    assert.equal(sweep.method, "random");
    assert.deepEqual(Object.keys(sweep.parameters), ["lr", "batch_size", "use_amp", "optimizer"]);
    assert.deepEqual(sweep.parameters.lr, { distribution: "log_uniform_values", min: 0.0001, max: 0.01 });
    assert.deepEqual(sweep.parameters.use_amp, { values: [true, false] });
  });
});
