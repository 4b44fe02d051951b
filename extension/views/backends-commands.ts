/**
 * Backend commands: add (name, engine, then each option validated as thunder does), edit an option,
 * duplicate, remove (confirmed), set default, open the file. Every write goes through BackendsStore.
 */
import * as vscode from "vscode";
import type { BackendEntry } from "../backends/backends-document";
import {
  BUILT_IN_BACKENDS,
  ENGINE_NAMES,
  ENGINE_OPTIONS,
  type EngineName,
  isEngineName,
  type OptionValue,
  validateEngineOption,
} from "../backends/engine-options";
import type { BackendsStore } from "./backends-store";
import { type BackendsNode, openBackendsAtLineCommand } from "./backends-view";

type Register = (id: string, handler: (...args: unknown[]) => unknown) => void;

export function registerBackendCommands(store: BackendsStore, register: Register): void {
  register("thunder.backends.add", () => addBackend(store));
  register("thunder.backends.editOption", (node) => editOption(store, node as BackendsNode | undefined));
  register("thunder.backends.duplicate", (node) => duplicateBackend(store, node as BackendsNode | undefined));
  register("thunder.backends.remove", (node) => removeBackend(store, node as BackendsNode | undefined));
  register("thunder.backends.setDefault", (node) => setDefault(store, node as BackendsNode | undefined));
  register("thunder.backends.openFile", () => store.openFile());
  register(openBackendsAtLineCommand, (line) => store.openFile(typeof line === "number" ? line : 0));
  register("thunder.backends.refresh", () => store.reload());
}

function existingNames(store: BackendsStore): string[] {
  return (store.model?.entries ?? []).map((entry) => entry.name);
}

function validateNewName(store: BackendsStore, value: string): string | undefined {
  const name = value.trim();
  if (name === "") return "Give the backend a name.";
  if (name === "meta") return '"meta" is where thunder keeps the default; choose another name.';
  if (name.startsWith("-")) return "A backend name cannot start with '-'.";
  if ((BUILT_IN_BACKENDS as readonly string[]).includes(name)) return `"${name}" is a built-in backend.`;
  if (existingNames(store).includes(name)) return `"${name}" already exists in backends.yml.`;
  return undefined;
}

async function addBackend(store: BackendsStore): Promise<void> {
  if (!ensureEditable(store)) return;
  const name = await vscode.window.showInputBox({
    title: "Add Backend (1/3): name",
    prompt: "The name runs will use with --backend",
    placeHolder: "gpu_short",
    validateInput: (value) => validateNewName(store, value),
  });
  if (name === undefined) return;
  const engineItems = ENGINE_NAMES.map((engine) => ({
    label: engine,
    description: ENGINE_OPTIONS[engine].map((spec) => spec.key).join(", "),
  }));
  const engine = await vscode.window.showQuickPick(engineItems, {
    title: `Add Backend (2/3): engine of "${name.trim()}"`,
    placeHolder: "cli runs locally, slurm submits with sbatch",
  });
  if (engine === undefined || !isEngineName(engine.label)) return;
  const options = await pickOptions(engine.label, name.trim());
  if (options === undefined) return;
  await store.edit({ kind: "add-entry", name: name.trim(), engine: engine.label, options });
}

/** Option keys one at a time until "Done"; undefined when cancelled. */
async function pickOptions(
  engine: EngineName,
  name: string,
): Promise<Record<string, OptionValue> | undefined> {
  const options: Record<string, OptionValue> = {};
  const doneLabel = "$(check) Done";
  for (;;) {
    const items: vscode.QuickPickItem[] = [
      { label: doneLabel, description: Object.keys(options).length === 0 ? "no options" : describe(options) },
      ...ENGINE_OPTIONS[engine].map((spec) => ({
        label: spec.key,
        description: spec.key in options ? `= ${options[spec.key]}` : "",
        detail: spec.description,
      })),
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: `Add Backend (3/3): options of "${name}" (${engine})`,
      placeHolder: "Choose an option to set, or Done",
    });
    if (choice === undefined) return undefined;
    if (choice.label === doneLabel) return options;
    const value = await askOptionValue(engine, choice.label, options[choice.label]);
    if (value !== undefined) options[choice.label] = value;
  }
}

function describe(options: Record<string, OptionValue>): string {
  return Object.entries(options)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
}

async function askOptionValue(
  engine: EngineName,
  key: string,
  current: unknown,
): Promise<OptionValue | undefined> {
  const spec = ENGINE_OPTIONS[engine].find((option) => option.key === key);
  const text = await vscode.window.showInputBox({
    title: `${engine} option "${key}"`,
    prompt: spec?.description,
    value: current === undefined || current === null ? "" : String(current),
    validateInput: (value) => {
      const result = validateEngineOption(engine, key, value);
      return result.ok ? undefined : result.message;
    },
  });
  if (text === undefined) return undefined;
  const result = validateEngineOption(engine, key, text);
  return result.ok ? result.value : undefined;
}

async function editOption(store: BackendsStore, node: BackendsNode | undefined): Promise<void> {
  if (!ensureEditable(store)) return;
  const entry = await entryOf(store, node);
  if (entry === undefined) return;
  if (!isEngineName(entry.engine)) {
    void vscode.window.showErrorMessage(`"${entry.name}" uses the unknown engine "${entry.engine}".`);
    return;
  }
  let key = node?.kind === "option" ? node.option.key : undefined;
  if (key === undefined) {
    const engine = entry.engine;
    const choice = await vscode.window.showQuickPick(
      ENGINE_OPTIONS[engine].map((spec) => ({
        label: spec.key,
        description: entry.options.find((option) => option.key === spec.key)?.sourceText ?? "",
        detail: spec.description,
      })),
      { title: `Edit an option of "${entry.name}"` },
    );
    key = choice?.label;
  }
  if (key === undefined) return;
  const current = entry.options.find((option) => option.key === key)?.sourceText;
  const value = await askOptionValue(entry.engine, key, current);
  if (value === undefined) return;
  await store.edit({ kind: "set-option", name: entry.name, key, value });
}

async function duplicateBackend(store: BackendsStore, node: BackendsNode | undefined): Promise<void> {
  if (!ensureEditable(store)) return;
  const entry = await entryOf(store, node);
  if (entry === undefined) return;
  const newName = await vscode.window.showInputBox({
    title: `Duplicate "${entry.name}"`,
    prompt: "Name of the copy",
    value: `${entry.name}_copy`,
    validateInput: (value) => validateNewName(store, value),
  });
  if (newName === undefined) return;
  await store.edit({ kind: "duplicate-entry", name: entry.name, newName: newName.trim() });
}

async function removeBackend(store: BackendsStore, node: BackendsNode | undefined): Promise<void> {
  if (!ensureEditable(store)) return;
  const entry = await entryOf(store, node);
  if (entry === undefined) return;
  const isDefault = store.model?.defaultName === entry.name;
  const choice = await vscode.window.showWarningMessage(
    `Remove the backend "${entry.name}" from backends.yml?`,
    {
      modal: true,
      detail: isDefault ? "It is the default backend; runs will need another backend or default." : undefined,
    },
    "Remove",
  );
  if (choice !== "Remove") return;
  await store.edit({ kind: "remove-entry", name: entry.name });
}

async function setDefault(store: BackendsStore, node: BackendsNode | undefined): Promise<void> {
  if (!ensureEditable(store)) return;
  let name: string | undefined;
  if (node?.kind === "built-in") name = node.name;
  else name = (await entryOf(store, node))?.name;
  if (name === undefined) return;
  await store.edit({ kind: "set-default", name });
}

/** The entry a command was invoked on, or one the user picks (palette). */
async function entryOf(
  store: BackendsStore,
  node: BackendsNode | undefined,
): Promise<BackendEntry | undefined> {
  if (node?.kind === "entry" || node?.kind === "option") return node.entry;
  const entries = store.model?.entries ?? [];
  if (entries.length === 0) {
    void vscode.window.showInformationMessage("backends.yml has no backends yet. Add one first.");
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    entries.map((entry) => ({ label: entry.name, description: entry.engine, entry })),
    { title: "Choose a backend" },
  );
  return choice?.entry;
}

/** Refuses edits (with the reason) when untrusted or when the file does not parse. */
function ensureEditable(store: BackendsStore): boolean {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("Backends cannot be edited in an untrusted workspace.");
    return false;
  }
  const model = store.model;
  if (model !== undefined && !model.editable) {
    const problem = model.problems.find((candidate) => candidate.severity === "error");
    const line = problem?.range.start.line ?? 0;
    void store.showParseError(
      `${store.filePath} cannot be edited: ${problem?.message ?? "it does not parse"} (line ${line + 1}). It was not changed.`,
      line,
    );
    return false;
  }
  return true;
}
