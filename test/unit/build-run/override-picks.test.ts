import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeOverrideValue, overridePicks } from "../../../extension/build-run/override-picks";
import type { ConfigEntry } from "../../../language-server/protocol";

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
const entry = (name: string, value: string, kind: ConfigEntry["kind"], inherited: boolean): ConfigEntry => ({
  name,
  value,
  kind,
  inherited,
  range,
  definedIn: inherited ? "file:///ws/base.config" : "file:///ws/child.config",
});

describe("overridePicks", () => {
  it("lists assignments and functions with their values and marks inherited ones", () => {
    const picks = overridePicks(
      [
        entry("torch", "import torch", "import", true),
        entry("ExpName", "from thunder.placeholders import ExpName", "placeholder", false),
        entry("lr", "1e-2", "assignment", false),
        entry("batch_size", "32", "assignment", true),
        entry(
          "trainer",
          "Trainer(\n    max_epochs=max_epochs,\n    logger=WandbLogger(name=ExpName, group=GroupName, project='cifar'),\n)",
          "assignment",
          false,
        ),
      ],
      ["lr=0.5", "nonsense"],
    );
    assert.deepEqual(
      picks.map((pick) => pick.name),
      ["lr", "batch_size", "trainer"],
    );
    assert.deepEqual(picks[0], {
      name: "lr",
      currentValue: "1e-2",
      origin: "",
      inherited: false,
      remembered: "0.5",
    });
    assert.equal(picks[1].origin, "inherited from base.config");
    assert.ok(!picks[2].currentValue.includes("\n"));
    assert.ok(picks[2].currentValue.length <= 60 && picks[2].currentValue.endsWith("…"));
  });
});

describe("describeOverrideValue", () => {
  it("shows the PyYAML 1.1 type and warns on traps", () => {
    assert.deepEqual(describeOverrideValue("0.001"), {
      ok: true,
      summary: "thunder reads this as float 0.001",
      warnings: [],
    });
    const exponent = describeOverrideValue("1e-3");
    assert.equal(exponent.summary, "thunder reads this as str 1e-3");
    assert.equal(exponent.warnings.length, 1);
    assert.match(describeOverrideValue("no").summary, /bool False/);
    assert.ok(describeOverrideValue("no").warnings.length > 0);
    assert.match(describeOverrideValue("012").summary, /int 10/);
  });
  it("reports values PyYAML would refuse", () => {
    assert.equal(describeOverrideValue("[1, 2").ok, false);
  });
});
