/** What thunder expects of an experiment config (see "Config entries thunder reads"). */
import type { FileAnalysis } from "./file";
import type { EntryDefinition } from "./statement";

export const PLACEHOLDERS_MODULE = "thunder.placeholders";
export const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set(["ExpName", "GroupName"]);

/** Modules whose import makes a config a thunder experiment. */
const THUNDER_MODULE_ROOTS = ["thunder", "lightning", "pytorch_lightning"];

export const PLACEHOLDER_DOCS: Record<string, string> = {
  ExpName:
    "thunder placeholder: `None` in this file; `thunder build` replaces it with the experiment folder's name " +
    "(for split layouts, each fold gets `EXP(i)`).",
  GroupName:
    "thunder placeholder: `None` in this file; `thunder build` replaces it with the experiment folder's name " +
    "(the same for every fold), e.g. for `WandbLogger(group=GroupName)`.",
};

export const THUNDER_ENTRIES: Record<string, string> = {
  trainer: "the Lightning `Trainer` thunder runs (required)",
  module: "the `LightningModule` to train (required)",
  train_data: "the training DataLoader (required unless `datamodule` is given)",
  val_data: "validation DataLoader(s) (optional)",
  test_data: "test DataLoader(s) (optional)",
  predict_data: "prediction DataLoader(s) (optional)",
  datamodule: "a `LightningDataModule`, instead of train_data/val_data/test_data (optional)",
  layout: "how build splits the experiment: `Single()`, `SingleSplit(...)`, `Split(...)` (optional)",
  CALLBACKS: "callables run before training (optional)",
};

export function importsThunder(file: FileAnalysis): boolean {
  for (const analysis of file.statements) {
    const statement = analysis.statement;
    let modules: string[] = [];
    if (statement.type === "Import") modules = statement.names.map((alias) => alias.name);
    else if (statement.type === "ImportFrom" && statement.level === 0 && statement.module)
      modules = [statement.module];
    for (const module of modules) {
      const root = module.split(".")[0];
      if (THUNDER_MODULE_ROOTS.includes(root)) return true;
    }
  }
  return false;
}

export function isPlaceholderImport(definition: EntryDefinition): boolean {
  return (
    definition.kind === "import" &&
    definition.importedFrom === PLACEHOLDERS_MODULE &&
    definition.alias?.name === definition.name
  );
}

/** Required entries missing from a scope (names present in it). */
export function missingRequiredEntries(has: (name: string) => boolean): string[] {
  const missing: string[] = [];
  if (!has("trainer")) missing.push("trainer");
  if (!has("module")) missing.push("module");
  if (!has("train_data") && !has("datamodule")) missing.push("train_data");
  return missing;
}
