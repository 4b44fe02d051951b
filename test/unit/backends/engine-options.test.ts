import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENGINE_OPTIONS,
  normalizeSlurmTime,
  resolveRunBackend,
  validateEngineOption,
} from "../../../extension/backends/engine-options";

describe("engine options", () => {
  it("lists the documented flags, the first one being the long flag we emit", () => {
    const flags = Object.fromEntries(ENGINE_OPTIONS.slurm.map((spec) => [spec.key, spec.flags]));
    assert.deepEqual(flags.ram, ["--ram", "--mem", "-r"]);
    assert.deepEqual(flags.cpu, ["--cpu", "--cpus-per-task", "-c"]);
    assert.deepEqual(flags.gpu, ["--gpu", "--gpus-per-node", "-g"]);
    assert.deepEqual(flags.time, ["--time", "-t"]);
    assert.deepEqual(
      ENGINE_OPTIONS.cli.map((spec) => [spec.key, spec.flags[0]]),
      [["n_workers", "--n-workers"]],
    );
  });

  it("accepts ints as numbers or digit strings and rejects the rest", () => {
    assert.deepEqual(validateEngineOption("slurm", "cpu", 4), { ok: true, value: 4 });
    assert.deepEqual(validateEngineOption("slurm", "cpu", " 8 "), { ok: true, value: 8 });
    assert.deepEqual(validateEngineOption("cli", "n_workers", "3"), { ok: true, value: 3 });
    for (const bad of [4.5, "four", "4G", true, null, [1]]) {
      const result = validateEngineOption("slurm", "gpu", bad);
      assert.equal(result.ok, false, String(bad));
      if (!result.ok) assert.match(result.message, /"gpu" must be a whole number/);
    }
  });

  it("requires limit > 0", () => {
    assert.deepEqual(validateEngineOption("slurm", "limit", 2), { ok: true, value: 2 });
    const zero = validateEngineOption("slurm", "limit", 0);
    assert.equal(zero.ok, false);
    if (!zero.ok) assert.match(zero.message, /greater than 0/);
    assert.equal(validateEngineOption("slurm", "limit", "-1").ok, false);
  });

  it("accepts ram as a plain number or a number with K/M/G/T", () => {
    for (const good of ["100G", "512M", "2T", "64k", "4096", 4096]) {
      assert.equal(validateEngineOption("slurm", "ram", good).ok, true, String(good));
    }
    assert.deepEqual(validateEngineOption("slurm", "ram", 4096), { ok: true, value: "4096" });
    for (const bad of ["100GB", "1.5G", "G", "", "-1G", 1.5]) {
      const result = validateEngineOption("slurm", "ram", bad);
      assert.equal(result.ok, false, String(bad));
      if (!result.ok) assert.match(result.message, /K, M, G or T/);
    }
  });

  it("rejects unknown keys, naming the accepted ones", () => {
    const result = validateEngineOption("cli", "ram", "10G");
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.equal(result.message, 'Unknown option "ram" for the cli engine; it accepts: n_workers.');
  });

  it("keeps Slurm time forms as they are and converts human forms to D-HH:MM:SS", () => {
    const cases: [string, string][] = [
      ["1-12:00:00", "1-12:00:00"],
      ["10:30", "10:30"],
      ["10:30:15", "10:30:15"],
      ["5d", "5-00:00:00"],
      ["2h30m", "0-02:30:00"],
      ["90s", "0-00:01:30"],
      ["36h", "1-12:00:00"],
      ["1d2h3m4s", "1-02:03:04"],
      ["90m", "0-01:30:00"],
    ];
    for (const [input, expected] of cases) {
      assert.deepEqual(normalizeSlurmTime(input), { ok: true, value: expected }, input);
    }
    for (const bad of ["", "5x", "2m30h", "1:2", "tomorrow", "0s", "1-2", "10:30:15:10"]) {
      assert.equal(normalizeSlurmTime(bad).ok, false, bad);
    }
  });

  it("explains a time that YAML 1.1 read as a base-60 number", () => {
    const result = validateEngineOption("slurm", "time", 600, "10:00");
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.message, /number 600; put it in quotes: "10:00"/);
  });
});

describe("resolveRunBackend", () => {
  const gpu = { name: "gpu", engine: "slurm", options: { ram: "100G" } };
  const local = { name: "local", engine: "cli", options: { n_workers: 2 } };

  it("uses --backend first, even over a default", () => {
    const result = resolveRunBackend({ entries: [gpu, local], defaultName: "gpu" }, "local");
    assert.deepEqual(result, {
      ok: true,
      name: "local",
      engine: "cli",
      options: { n_workers: 2 },
      builtIn: false,
      reason: "explicit",
    });
  });

  it("accepts the built-in names explicitly", () => {
    const result = resolveRunBackend({ entries: [gpu] }, "slurm");
    assert.deepEqual(result, {
      ok: true,
      name: "slurm",
      engine: "slurm",
      options: {},
      builtIn: true,
      reason: "explicit",
    });
  });

  it("prefers a user entry over a built-in of the same name", () => {
    const custom = { name: "slurm", engine: "slurm", options: { cpu: 2 } };
    const result = resolveRunBackend({ entries: [custom] }, "slurm");
    assert.equal(result.ok && result.builtIn, false);
  });

  it("falls back to meta.default, then to the only entry", () => {
    const byDefault = resolveRunBackend({ entries: [gpu, local], defaultName: "local" });
    assert.equal(byDefault.ok && `${byDefault.name}/${byDefault.reason}`, "local/default");
    const only = resolveRunBackend({ entries: [gpu] });
    assert.equal(only.ok && `${only.name}/${only.reason}`, "gpu/only-entry");
  });

  it("fails like thunder with several entries and no default", () => {
    const result = resolveRunBackend({ entries: [gpu, local] });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.message, /^Missing option '--backend'/);
  });

  it("uses the built-in cli with no entries", () => {
    assert.deepEqual(resolveRunBackend({ entries: [] }), {
      ok: true,
      name: "cli",
      engine: "cli",
      options: {},
      builtIn: true,
      reason: "no-entries",
    });
  });

  it("reports unknown explicit names and dangling defaults", () => {
    const unknown = resolveRunBackend({ entries: [gpu] }, "nope");
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.match(unknown.message, /"nope" is not defined.*Known backends: gpu, cli, slurm/);
    const dangling = resolveRunBackend({ entries: [gpu, local], defaultName: "gone" });
    assert.equal(dangling.ok, false);
    if (!dangling.ok) assert.match(dangling.message, /default backend "gone" \(meta.default\)/);
  });
});
