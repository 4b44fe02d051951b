import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, parseDocument } from "yaml";
import { readBackendsModel } from "../../../extension/backends/backends-document";
import {
  applyBackendsEdit,
  type BackendsEdit,
  BackendsEditError,
  BackendsParseError,
} from "../../../extension/backends/backends-edits";

const SAMPLE = `# clusters of the lab
gpu_short:
  # the short queue
  backend: slurm
  config:
    ram: 100G # enough for ViT
    cpu: 4
    partition: short
local:
  backend: cli
  config:
    n_workers: 2 # two folds at once
meta:
  default: gpu_short # set by thunder backend set
`;

function comments(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.includes("#"))
    .map((line) => line.slice(line.indexOf("#")).trim());
}

function topKeys(text: string): string[] {
  return readBackendsModel(text).entries.map((entry) => entry.name);
}

describe("applyBackendsEdit", () => {
  it("sets an option in place, keeping comments and key order", () => {
    const next = applyBackendsEdit(SAMPLE, { kind: "set-option", name: "gpu_short", key: "cpu", value: "8" });
    assert.deepEqual(comments(next), comments(SAMPLE));
    const gpu = readBackendsModel(next).entries[0];
    assert.deepEqual(
      gpu.options.map((option) => [option.key, option.value]),
      [
        ["ram", "100G"],
        ["cpu", 8],
        ["partition", "short"],
      ],
    );
    // Only the cpu line changed.
    const before = SAMPLE.split("\n");
    const after = next.split("\n");
    assert.equal(after.length, before.length);
    assert.deepEqual(
      before
        .map((line, index) => (line === after[index] ? "" : `${line} -> ${after[index]}`))
        .filter(Boolean),
      ["    cpu: 4 ->     cpu: 8"],
    );
  });

  it("adds options (creating config when missing) and quotes values YAML 1.1 would misread", () => {
    let text = applyBackendsEdit(SAMPLE, {
      kind: "set-option",
      name: "gpu_short",
      key: "time",
      value: "10:00",
    });
    text = applyBackendsEdit(text, { kind: "set-option", name: "gpu_short", key: "nodelist", value: "yes" });
    text = applyBackendsEdit(text, { kind: "set-option", name: "gpu_short", key: "ram", value: 2048 });
    const model = readBackendsModel(text);
    assert.deepEqual(model.problems, []);
    const options = Object.fromEntries(model.entries[0].options.map((option) => [option.key, option.value]));
    assert.deepEqual(options, { ram: "2048", cpu: 4, partition: "short", time: "10:00", nodelist: "yes" });
    assert.match(text, /ram: "2048" # enough for ViT/);

    const bare = applyBackendsEdit("a:\n  backend: slurm\n", {
      kind: "set-option",
      name: "a",
      key: "gpu",
      value: 1,
    });
    assert.deepEqual(readBackendsModel(bare).entries[0].options[0].value, 1);
  });

  it("converts human time forms and refuses invalid values and unknown keys", () => {
    const text = applyBackendsEdit(SAMPLE, {
      kind: "set-option",
      name: "gpu_short",
      key: "time",
      value: "2h30m",
    });
    assert.match(text, /time: 0-02:30:00|time: "0-02:30:00"/);
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "set-option", name: "gpu_short", key: "time", value: "soon" }),
      (error: unknown) => error instanceof BackendsEditError && /"time" must look like/.test(error.message),
    );
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "set-option", name: "local", key: "cpu", value: 2 }),
      (error: unknown) =>
        error instanceof BackendsEditError && /Unknown option "cpu" for the cli engine/.test(error.message),
    );
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "set-option", name: "nope", key: "cpu", value: 2 }),
      /There is no backend named "nope"/,
    );
  });

  it("removes an option", () => {
    const text = applyBackendsEdit(SAMPLE, { kind: "remove-option", name: "gpu_short", key: "ram" });
    assert.deepEqual(
      readBackendsModel(text).entries[0].options.map((option) => option.key),
      ["cpu", "partition"],
    );
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "remove-option", name: "gpu_short", key: "gpu" }),
      BackendsEditError,
    );
  });

  it("adds an entry above meta, refusing taken names unless replacing", () => {
    const text = applyBackendsEdit(SAMPLE, {
      kind: "add-entry",
      name: "big mem; $(rm -rf ~)",
      engine: "slurm",
      options: { ram: "500G", cpu: "16", time: "1d" },
    });
    assert.deepEqual(topKeys(text), ["gpu_short", "local", "big mem; $(rm -rf ~)"]);
    assert.match(text, /\nmeta:\n {2}default: gpu_short # set by thunder backend set\n$/);
    const added = readBackendsModel(text).entries[2];
    assert.deepEqual(
      added.options.map((option) => [option.key, option.value]),
      [
        ["ram", "500G"],
        ["cpu", 16],
        ["time", "1-00:00:00"],
      ],
    );
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "add-entry", name: "local", engine: "cli", options: {} }),
      /already exists/,
    );
    const replaced = applyBackendsEdit(SAMPLE, {
      kind: "add-entry",
      name: "local",
      engine: "cli",
      options: { n_workers: 4 },
      replace: true,
    });
    assert.equal(readBackendsModel(replaced).entries[1].options[0].value, 4);
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "add-entry", name: "meta", engine: "cli", options: {} }),
      /reserved/,
    );
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "add-entry", name: " ", engine: "cli", options: {} }),
      /empty/,
    );
  });

  it("round-trips hostile names and values exactly", () => {
    const names = ['it\'s "x"', "日本 🚀", "a: b", "#hash", "- dash", "yes", "1:30", "`rm` && $(x); y"];
    let text = SAMPLE;
    for (const name of names) {
      text = applyBackendsEdit(text, {
        kind: "add-entry",
        name,
        engine: "slurm",
        options: { partition: name },
      });
    }
    const model = readBackendsModel(text);
    assert.deepEqual(model.problems, []);
    assert.deepEqual(
      model.entries.slice(2).map((entry) => entry.name),
      names,
    );
    assert.deepEqual(
      model.entries.slice(2).map((entry) => entry.options[0].value),
      names,
    );
    assert.equal(model.defaultName, "gpu_short");
  });

  it("adds the first entry to an empty or comment-only file", () => {
    assert.deepEqual(
      topKeys(applyBackendsEdit("", { kind: "add-entry", name: "a", engine: "cli", options: {} })),
      ["a"],
    );
    const commented = applyBackendsEdit("# keep me\n", {
      kind: "add-entry",
      name: "a",
      engine: "cli",
      options: {},
    });
    assert.match(commented, /# keep me/);
    assert.deepEqual(topKeys(commented), ["a"]);
  });

  it("renames an entry and follows it with the default", () => {
    const text = applyBackendsEdit(SAMPLE, { kind: "rename-entry", name: "gpu_short", newName: "gpu" });
    assert.deepEqual(topKeys(text), ["gpu", "local"]);
    assert.equal(readBackendsModel(text).defaultName, "gpu");
    assert.deepEqual(comments(text), comments(SAMPLE));
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "rename-entry", name: "gpu_short", newName: "local" }),
      /already exists/,
    );
  });

  it("duplicates an entry right after the original", () => {
    const text = applyBackendsEdit(SAMPLE, {
      kind: "duplicate-entry",
      name: "gpu_short",
      newName: "gpu_copy",
    });
    assert.deepEqual(topKeys(text), ["gpu_short", "gpu_copy", "local"]);
    const [original, copy] = readBackendsModel(text).entries;
    assert.deepEqual(
      copy.options.map((option) => [option.key, option.value]),
      original.options.map((option) => [option.key, option.value]),
    );
    // Editing the copy leaves the original alone.
    const edited = applyBackendsEdit(text, { kind: "set-option", name: "gpu_copy", key: "cpu", value: 1 });
    assert.equal(readBackendsModel(edited).entries[0].options[1].value, 4);
  });

  it("removes an entry and the default that named it", () => {
    const text = applyBackendsEdit(SAMPLE, { kind: "remove-entry", name: "gpu_short" });
    assert.deepEqual(topKeys(text), ["local"]);
    assert.equal(readBackendsModel(text).defaultName, undefined);
    assert.doesNotMatch(text, /meta:/);
    assert.match(text, /# two folds at once/);
  });

  it("sets and clears the default", () => {
    const text = applyBackendsEdit(SAMPLE, { kind: "set-default", name: "local" });
    assert.equal(readBackendsModel(text).defaultName, "local");
    const builtIn = applyBackendsEdit("a:\n  backend: cli\n", { kind: "set-default", name: "slurm" });
    assert.equal(readBackendsModel(builtIn).defaultName, "slurm");
    assert.throws(
      () => applyBackendsEdit(SAMPLE, { kind: "set-default", name: "ghost" }),
      /no backend with that name/,
    );
    const cleared = applyBackendsEdit(SAMPLE, { kind: "set-default", name: undefined });
    assert.equal(readBackendsModel(cleared).defaultName, undefined);
  });

  it("keeps the file's indentation", () => {
    const fourSpaces = "a:\n    backend: slurm\n    config:\n        cpu: 1\n";
    const text = applyBackendsEdit(fourSpaces, { kind: "set-option", name: "a", key: "gpu", value: 2 });
    assert.equal(text, "a:\n    backend: slurm\n    config:\n        cpu: 1\n        gpu: 2\n");
  });

  it("leaves the lines it does not edit exactly as the user wrote them", () => {
    const handWritten = [
      "# lab clusters",
      "gpu:",
      "  backend: slurm      # the big one",
      "  config:",
      "    cpu: 4            # per task",
      "    exclude: [node1, node2]",
      "    partition: 'short'",
      "",
      "",
      "meta:",
      "  default: gpu   # set by hand",
      "",
    ].join("\n");
    const next = applyBackendsEdit(handWritten, { kind: "set-option", name: "gpu", key: "cpu", value: 8 });
    assert.equal(next, handWritten.replace("cpu: 4            # per task", "cpu: 8            # per task"));
    const renamed = applyBackendsEdit(handWritten, { kind: "rename-entry", name: "gpu", newName: "a100" });
    assert.equal(
      renamed,
      handWritten
        .replace("gpu:", "a100:")
        .replace("default: gpu   # set by hand", "default: a100   # set by hand"),
    );
    const added = applyBackendsEdit(handWritten, { kind: "remove-option", name: "gpu", key: "partition" });
    assert.equal(added, handWritten.replace("    partition: 'short'\n", ""));
    const noNewline = applyBackendsEdit("a:\n  backend: cli   # x", { kind: "set-default", name: "a" });
    assert.equal(noNewline, "a:\n  backend: cli   # x\nmeta:\n  default: a\n");
  });

  it("means the same after every kind of edit as the fully re-rendered file", () => {
    const handWritten =
      "# lab\ngpu: # the big one\n  backend: slurm\n  config:\n    cpu: 4     # per task\n    exclude: [n1, n2]\n\n\n" +
      "local:\n  backend: cli\nmeta:\n  default: gpu   # by hand\n";
    const rendered = parseDocument(handWritten).toString({ lineWidth: 0 });
    const edits: BackendsEdit[] = [
      { kind: "add-entry", name: "new", engine: "slurm", options: { cpu: 2 } },
      { kind: "set-option", name: "local", key: "n_workers", value: 3 },
      { kind: "remove-option", name: "gpu", key: "exclude" },
      { kind: "rename-entry", name: "gpu", newName: "a100" },
      { kind: "duplicate-entry", name: "gpu", newName: "gpu2" },
      { kind: "remove-entry", name: "gpu" },
      { kind: "set-default", name: undefined },
      { kind: "set-default", name: "local" },
    ];
    for (const edit of edits) {
      const kept = applyBackendsEdit(handWritten, edit);
      assert.deepEqual(parse(kept), parse(applyBackendsEdit(rendered, edit)), JSON.stringify(edit));
      assert.ok(kept.includes("# lab\n") && kept.includes("\n\n\n"), kept);
    }
  });

  it("keeps Windows line endings", () => {
    const text = applyBackendsEdit("# c\r\na:\r\n  backend: cli\r\n", { kind: "set-default", name: "a" });
    assert.equal(text, "# c\r\na:\r\n  backend: cli\r\nmeta:\r\n  default: a\r\n");
  });

  it("refuses to edit text that does not parse or is not a mapping", () => {
    assert.throws(
      () => applyBackendsEdit("a:\n  config: [1\nb: 2\n", { kind: "set-default", name: undefined }),
      (error: unknown) =>
        error instanceof BackendsParseError && error.line >= 1 && /not valid YAML \(line/.test(error.message),
    );
    assert.throws(
      () => applyBackendsEdit("- a\n", { kind: "add-entry", name: "x", engine: "cli", options: {} }),
      (error: unknown) => error instanceof BackendsParseError && /not a mapping/.test(error.message),
    );
  });
});
