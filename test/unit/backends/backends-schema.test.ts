import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { readBackendsModel } from "../../../extension/backends/backends-document";
import { ENGINE_OPTIONS } from "../../../extension/backends/engine-options";

type Schema = Record<string, unknown>;
const schema = JSON.parse(
  readFileSync(path.join(__dirname, "../../../extension/backends/backends.schema.json"), "utf8"),
) as Schema;

/** The subset of JSON schema draft-07 our schema uses; returns the problems found. */
function check(value: unknown, node: Schema, where = "$"): string[] {
  if (typeof node.$ref === "string") {
    const target = node.$ref.replace("#/definitions/", "");
    return check(value, (schema.definitions as Record<string, Schema>)[target], where);
  }
  const problems: string[] = [];
  const typeOf = (item: unknown) =>
    item === null ? "null" : Array.isArray(item) ? "array" : Number.isInteger(item) ? "integer" : typeof item;
  if (node.type !== undefined) {
    const allowed = ([] as string[]).concat(node.type as string);
    if (!allowed.includes(typeOf(value))) return [`${where}: type ${typeOf(value)} not in ${allowed}`];
  }
  if ("const" in node && value !== node.const) problems.push(`${where}: not ${String(node.const)}`);
  if (typeof value === "string") {
    if (typeof node.pattern === "string" && !new RegExp(node.pattern).test(value))
      problems.push(`${where}: pattern`);
    if (typeof node.minLength === "number" && value.length < node.minLength)
      problems.push(`${where}: too short`);
  }
  if (
    typeof value === "number" &&
    typeof node.exclusiveMinimum === "number" &&
    value <= node.exclusiveMinimum
  ) {
    problems.push(`${where}: too small`);
  }
  if (Array.isArray(node.oneOf)) {
    const passing = (node.oneOf as Schema[]).filter((branch) => check(value, branch, where).length === 0);
    if (passing.length !== 1) problems.push(`${where}: matches ${passing.length} of oneOf`);
  }
  if (typeOf(value) === "object") {
    const record = value as Record<string, unknown>;
    const properties = (node.properties ?? {}) as Record<string, Schema>;
    for (const required of (node.required ?? []) as string[]) {
      if (!(required in record)) problems.push(`${where}: missing ${required}`);
    }
    for (const [key, item] of Object.entries(record)) {
      if (key in properties) problems.push(...check(item, properties[key], `${where}.${key}`));
      else if (node.additionalProperties === false) problems.push(`${where}: unknown ${key}`);
      else if (typeof node.additionalProperties === "object") {
        problems.push(...check(item, node.additionalProperties as Schema, `${where}.${key}`));
      }
    }
  }
  return problems;
}

const validate = (text: string) => check(parse(text, { version: "1.1" }) ?? {}, schema);

describe("backends.schema.json", () => {
  it("knows exactly the engine options of engine-options.ts", () => {
    const definitions = schema.definitions as Record<
      string,
      { properties: { config: { properties: object } } }
    >;
    assert.deepEqual(
      Object.keys(definitions.cliBackend.properties.config.properties),
      ENGINE_OPTIONS.cli.map((spec) => spec.key),
    );
    assert.deepEqual(
      Object.keys(definitions.slurmBackend.properties.config.properties),
      ENGINE_OPTIONS.slurm.map((spec) => spec.key),
    );
  });

  const samples: [string, string][] = [
    [
      "thunder's example",
      "gpu_short:\n  backend: slurm\n  config:\n    ram: 100G\n    cpu: 4\n    gpu: 1\n    partition: short\nmeta:\n  default: gpu_short\n",
    ],
    ["cli without engine key", "local:\n  config:\n    n_workers: 3\n"],
    [
      "slurm time forms",
      'a:\n  backend: slurm\n  config:\n    time: "1-00:00:00"\nb:\n  backend: slurm\n  config:\n    time: 2h30m\n    limit: 4\n    ram: 2048\n',
    ],
    ["entry without config", "a:\n  backend: slurm\n"],
    ["empty", ""],
  ];
  for (const [label, text] of samples) {
    it(`accepts a valid file: ${label}`, () => {
      assert.deepEqual(validate(text), []);
      assert.deepEqual(readBackendsModel(text).problems, [], "the model agrees");
    });
  }

  const invalid: [string, string][] = [
    ["unknown engine", "a:\n  backend: k8s\n"],
    ["cli option on slurm", "a:\n  backend: slurm\n  config:\n    n_workers: 2\n"],
    ["unknown key", "a:\n  backend: cli\n  colour: red\n"],
    ["limit 0", "a:\n  backend: slurm\n  config:\n    limit: 0\n"],
    ["unquoted base-60 time", "a:\n  backend: slurm\n  config:\n    time: 10:00\n"],
    ["bad ram", "a:\n  backend: slurm\n  config:\n    ram: lots\n"],
    ["entry not a mapping", "a: 5\n"],
    ["meta with extra keys", "meta:\n  default: a\n  other: 1\n"],
  ];
  for (const [label, text] of invalid) {
    it(`rejects an invalid file: ${label}`, () => {
      assert.notDeepEqual(validate(text), []);
      assert.notDeepEqual(readBackendsModel(text).problems, [], "the model agrees");
    });
  }
});
