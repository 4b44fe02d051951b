import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backendChoices, readBackendsModel } from "../../../extension/backends/backends-document";
import { resolveRunBackend } from "../../../extension/backends/engine-options";

const SAMPLE = `# my clusters
gpu_short:              # any name
  backend: slurm
  config:
    ram: 100G
    cpu: 4
    gpu: 1
    partition: short
local:
  config:
    n_workers: 2
meta:
  default: gpu_short
`;

describe("readBackendsModel", () => {
  it("reads entries, engines, options and the default with positions", () => {
    const model = readBackendsModel(SAMPLE);
    assert.deepEqual(model.problems, []);
    assert.equal(model.editable, true);
    assert.equal(model.defaultName, "gpu_short");
    assert.deepEqual(model.defaultRange?.start, { line: 12, character: 11 });
    assert.deepEqual(
      model.entries.map((entry) => [entry.name, entry.engine, entry.nameRange.start.line]),
      [
        ["gpu_short", "slurm", 1],
        ["local", "cli", 8],
      ],
    );
    const gpu = model.entries[0];
    assert.deepEqual(
      gpu.options.map((option) => [option.key, option.value, option.range.start.line]),
      [
        ["ram", "100G", 4],
        ["cpu", 4, 5],
        ["gpu", 1, 6],
        ["partition", "short", 7],
      ],
    );
  });

  it("feeds resolveRunBackend", () => {
    const choices = backendChoices(readBackendsModel(SAMPLE));
    assert.deepEqual(resolveRunBackend(choices), {
      ok: true,
      name: "gpu_short",
      engine: "slurm",
      options: { ram: "100G", cpu: 4, gpu: 1, partition: "short" },
      builtIn: false,
      reason: "default",
    });
    const noDefault = backendChoices(readBackendsModel(SAMPLE.replace(/meta:[\s\S]*$/, "")));
    const missing = resolveRunBackend(noDefault);
    assert.equal(missing.ok, false);
    const explicit = resolveRunBackend(noDefault, "local");
    assert.equal(explicit.ok && explicit.engine, "cli");
  });

  it("treats an empty or comment-only file as no entries, editable", () => {
    for (const text of ["", "\n", "# nothing yet\n"]) {
      const model = readBackendsModel(text);
      assert.deepEqual(model, { entries: [], problems: [], editable: true }, JSON.stringify(text));
    }
  });

  it("reports YAML syntax errors with their position and is not editable", () => {
    const model = readBackendsModel("gpu:\n  backend: slurm\n  config: [1, 2\n");
    assert.equal(model.editable, false);
    assert.equal(model.problems.length > 0, true);
    assert.match(model.problems[0].message, /^YAML syntax error/);
    assert.equal(model.problems[0].severity, "error");
  });

  it("rejects a non-mapping root", () => {
    for (const text of ["- a\n- b\n", "just text\n", "42\n"]) {
      const model = readBackendsModel(text);
      assert.equal(model.editable, false, text);
      assert.match(model.problems[0].message, /must be a mapping of backend names/);
    }
  });

  it("reports entries that are not mappings, unknown keys and engines, invalid values", () => {
    const text = [
      "broken: 5", //                0
      "weird:", //                   1
      "  backend: kubernetes", //    2
      "other:", //                   3
      "  backend: slurm", //         4
      "  extra: 1", //               5
      "  config:", //                6
      "    cpu: many", //            7
      "    time: 10:00", //          8
      "    colour: red", //          9
      "    limit: 0", //            10
      "meta:", //                   11
      "  default: missing", //      12
      "  colour: 1", //             13
      "",
    ].join("\n");
    const problems = readBackendsModel(text).problems.map((problem) => [
      problem.range.start.line,
      problem.message,
    ]);
    const byLine = new Map(problems.map(([line, message]) => [line, message]));
    assert.match(String(byLine.get(0)), /Backend "broken" must be a mapping/);
    assert.match(String(byLine.get(2)), /Unknown engine "kubernetes"/);
    assert.match(String(byLine.get(5)), /Unknown key "extra" in backend "other"/);
    assert.match(String(byLine.get(7)), /"cpu" must be a whole number/);
    assert.match(String(byLine.get(8)), /number 600; put it in quotes/);
    assert.match(String(byLine.get(9)), /Unknown option "colour" for the slurm engine/);
    assert.match(String(byLine.get(10)), /greater than 0/);
    assert.match(String(byLine.get(12)), /default backend "missing" is not defined/);
    assert.match(String(byLine.get(13)), /Unknown key "colour" in "meta"/);
    assert.equal(problems.length, 9);
  });

  it("reads values the YAML 1.1 way thunder's PyYAML does", () => {
    const model = readBackendsModel(
      'a:\n  backend: slurm\n  config:\n    partition: yes\n    time: "10:00"\n',
    );
    assert.equal(model.entries[0].options[0].value, true);
    assert.match(model.problems[0].message, /"partition" must be a non-empty text, not true/);
    assert.equal(model.entries[0].options[1].value, "10:00");
    assert.equal(model.problems.length, 1);
  });
});
