/**
 * Writes a W&B sweep YAML for a thunder experiment config: `program` names the config (thunder's
 * agent builds each run from it), and `parameters` are seeded from the config's literal values.
 *
 * `wandb sweep` reads the file with PyYAML (YAML 1.1), so the text is written for YAML 1.1: strings
 * such as `yes` or `1:30` are quoted, and floats always carry a dot and a signed exponent
 * (`1.0e-05`; PyYAML reads `1e-5` as a string).
 */
import { Document, type Pair, type Scalar, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";
import type { ConfigEntry } from "../../language-server/protocol";
import { shQuote } from "../remote/posix-quote";
import { type PythonLiteral, recognizeLiteral } from "./python-literal";

export type SweepMethod = "grid" | "random" | "bayes";
export const SWEEP_METHODS: readonly SweepMethod[] = ["grid", "random", "bayes"];

export interface SweepYamlInput {
  /** The experiment config, written into `program` (relative to where `wandb sweep` runs). */
  programPath: string;
  method: SweepMethod;
  /** The config's entries (own and inherited), e.g. from the `thunder/configEntries` request. */
  entries: readonly (Pick<ConfigEntry, "name" | "value"> & Partial<Pick<ConfigEntry, "kind">>)[];
  /** Name of the YAML file, for the `wandb sweep FILE` hint; default `sweep.yaml`. */
  fileName?: string;
}

export interface SkippedEntry {
  name: string;
  reason: string;
}

export interface SweepYamlResult {
  text: string;
  /** Entries that became sweep parameters, in config order. */
  parameters: string[];
  /** Assignments left out, with the reason also written into the YAML as a comment. */
  skipped: SkippedEntry[];
}

/** Entries thunder itself consumes: objects, never hyperparameters. */
const THUNDER_ENTRIES = new Set([
  "module",
  "trainer",
  "train_data",
  "val_data",
  "test_data",
  "predict_data",
  "datamodule",
  "layout",
  "CALLBACKS",
  "ExpName",
  "GroupName",
]);

/** A number that must be written as a YAML float even when it is whole (`1.0`, not `1`). */
class FloatValue {
  constructor(readonly value: number) {}
}

/** Float spelling PyYAML's YAML 1.1 resolver accepts: a dot always, a signed exponent. */
export function pyYamlFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value < 0 ? "-.inf" : ".inf";
  const [mantissa, exponent] = String(value).split("e");
  const withDot = mantissa!.includes(".") ? mantissa! : `${mantissa}.0`;
  if (exponent === undefined) return withDot;
  return `${withDot}e${exponent.startsWith("-") || exponent.startsWith("+") ? exponent : `+${exponent}`}`;
}

const floatTag: ScalarTag = {
  identify: (value) => value instanceof FloatValue,
  tag: "tag:thunder-vscode,2026:float",
  default: true,
  resolve: (text) => Number(text),
  stringify: (item) => pyYamlFloat((item.value as FloatValue).value),
};

/** Removes binary noise from scaled decimals: 0.001 * 10 is 0.010000000000000002. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

function float(value: number): FloatValue {
  return new FloatValue(tidy(value));
}

type ParameterSpec = Record<string, unknown>;

function floatParameter(value: number, method: SweepMethod): ParameterSpec {
  if (method === "grid") {
    return {
      values: value === 0 ? [float(0), float(0.1)] : [float(value / 10), float(value), float(value * 10)],
    };
  }
  // Positive floats (learning rates, weight decay) span orders of magnitude: sample on a log scale.
  if (value > 0)
    return { distribution: "log_uniform_values", min: float(value / 10), max: float(value * 10) };
  if (value < 0) return { distribution: "uniform", min: float(value * 10), max: float(value / 10) };
  return { distribution: "uniform", min: float(0), max: float(1) };
}

function intParameter(value: number, method: SweepMethod): ParameterSpec {
  // Halving and doubling suits batch sizes, widths and epoch counts alike.
  const [low, high] =
    value > 0
      ? [Math.max(1, Math.floor(value / 2)), value * 2]
      : value < 0
        ? [value * 2, Math.ceil(value / 2)]
        : [0, 2];
  if (method === "grid") return { values: [...new Set([low, value, high])].sort((a, b) => a - b) };
  return { distribution: "int_uniform", min: low, max: high };
}

function parameterFor(literal: PythonLiteral, method: SweepMethod): ParameterSpec | string {
  switch (literal.kind) {
    case "float":
      return floatParameter(literal.value, method);
    case "int":
      return intParameter(literal.value, method);
    case "bool":
      return { values: [literal.value, !literal.value] };
    case "string":
      return { values: [literal.value] };
    case "none":
      return "its value is None, which gives no range; add `values:` by hand to sweep it";
  }
}

/** Why a value that is not a literal cannot seed a parameter, in a few words. */
function nonLiteralReason(valueText: string): string {
  const text = valueText.trim();
  if (/^[A-Za-z_][\w.]*\s*\(/.test(text)) return "its value is a call, not a literal";
  if (/^[A-Za-z_][\w.]*$/.test(text)) return "its value refers to another name, not a literal";
  if (text.startsWith("[")) return "its value is a list; W&B sweeps single values";
  if (text.startsWith("{")) return "its value is a dict or set; W&B sweeps single values";
  if (text.startsWith("(")) return "its value is a tuple or parenthesised expression, not a literal";
  if (text.startsWith("lambda")) return "its value is a lambda";
  return "its value is an expression, not a literal";
}

function setFlowValues(node: unknown): void {
  const values = (node as YAMLMap).get("values", true) as YAMLSeq | undefined;
  if (values) values.flow = true;
}

/** The sweep YAML for one config; pure (no file access). */
export function generateSweepYaml(input: SweepYamlInput): SweepYamlResult {
  const fileName = input.fileName ?? "sweep.yaml";
  const doc = new Document(
    {
      program: input.programPath,
      method: input.method,
      metric: { name: "val_loss", goal: "minimize" },
      parameters: {},
    },
    { version: "1.1", customTags: [floatTag] },
  );
  doc.commentBefore = [
    ` W&B sweep over ${input.programPath}, written by Thunder for VS Code.`,
    ` Create the sweep:  wandb sweep ${shQuote(fileName)}`,
    ` Then run agents with "Thunder: Launch Sweep Agents", or in a shell:`,
    `   thunder wandb agent ENTITY/PROJECT/SWEEP_ID ${shQuote(input.programPath)} ROOT_FOLDER`,
    ` thunder builds each run from the config in "program" (not a train.py) into ROOT_FOLDER/<run id>.`,
  ].join("\n");

  const metric = doc.get("metric") as YAMLMap;
  (metric.items[0]!.key as Scalar).commentBefore =
    " Adjust: a metric your LightningModule logs with self.log, and whether lower or higher is better.";

  const parameters = doc.get("parameters") as YAMLMap;
  const parameterNames: string[] = [];
  const skipped: SkippedEntry[] = [];
  let pendingComments: string[] = [];
  for (const entry of input.entries) {
    if (entry.kind !== undefined && entry.kind !== "assignment") continue;
    let reason: string | undefined;
    let spec: ParameterSpec | undefined;
    if (THUNDER_ENTRIES.has(entry.name)) {
      reason = "thunder uses this entry itself; it is not a hyperparameter";
    } else {
      const literal = recognizeLiteral(entry.value);
      const result = literal ? parameterFor(literal, input.method) : nonLiteralReason(entry.value);
      if (typeof result === "string") reason = result;
      else spec = result;
    }
    if (spec === undefined) {
      skipped.push({ name: entry.name, reason: reason! });
      pendingComments.push(` ${entry.name}: not swept, ${reason}.`);
      continue;
    }
    const pair = doc.createPair(entry.name, spec) as Pair<Scalar, YAMLMap>;
    setFlowValues(pair.value);
    if (pendingComments.length > 0) pair.key.commentBefore = pendingComments.join("\n");
    pendingComments = [];
    parameters.items.push(pair);
    parameterNames.push(entry.name);
  }
  if (pendingComments.length > 0) parameters.comment = pendingComments.join("\n");
  if (parameterNames.length === 0) {
    const note = " No literal values to seed parameters from: add them by hand (name: {values: [...]}).";
    parameters.comment = parameters.comment ? `${note}\n${parameters.comment}` : note;
  }
  return { text: doc.toString({ lineWidth: 0 }), parameters: parameterNames, skipped };
}
