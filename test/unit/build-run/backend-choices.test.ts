import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readBackendsModel } from "../../../extension/backends/backends-document";
import { backendChoices, parseEngineOverrides } from "../../../extension/build-run/backend-choices";

const file = `# my backends
local:
  backend: cli
  config:
    n_workers: 2
gpu:            # the big one
  backend: slurm
  config:
    ram: 100G
    time: "2:00:00"
meta:
  default: gpu
`;

describe("backendChoices", () => {
  it("offers the default first, then the other entries in file order, then the built-ins", () => {
    const choices = backendChoices(readBackendsModel(file));
    assert.deepEqual(
      choices.map((choice) => [choice.name, choice.engine, choice.isDefault, choice.builtIn]),
      [
        ["gpu", "slurm", true, false],
        ["local", "cli", false, false],
        ["cli", "cli", false, true],
        ["slurm", "slurm", false, true],
      ],
    );
    assert.equal(choices[0].summary, 'ram=100G time="2:00:00"');
  });

  it("without a file offers the built-ins; a built-in can be the default", () => {
    assert.deepEqual(
      backendChoices(readBackendsModel("")).map((choice) => choice.name),
      ["cli", "slurm"],
    );
    const model = readBackendsModel("meta:\n  default: slurm\n");
    assert.deepEqual(
      backendChoices(model).map((choice) => choice.name),
      ["slurm", "cli"],
    );
  });
});

describe("parseEngineOverrides", () => {
  it("validates each key=value as thunder does and normalises it", () => {
    assert.deepEqual(parseEngineOverrides("slurm", " cpu=4  time=2h30m "), {
      ok: true,
      options: { cpu: 4, time: "0-02:30:00" },
    });
    assert.deepEqual(parseEngineOverrides("cli", ""), { ok: true, options: {} });
  });
  it("rejects unknown keys, bad values and words without '='", () => {
    const unknown = parseEngineOverrides("cli", "cpu=4");
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? "" : unknown.message, /Unknown option "cpu" for the cli engine/);
    assert.equal(parseEngineOverrides("slurm", "limit=0").ok, false);
    assert.equal(parseEngineOverrides("slurm", "time=soon").ok, false);
    const bare = parseEngineOverrides("slurm", "cpu");
    assert.match(bare.ok ? "" : bare.message, /key=value/);
    assert.equal(parseEngineOverrides("pbs", "x=1").ok, false);
  });
});
