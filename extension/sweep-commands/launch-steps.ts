/**
 * The pure parts of "Thunder: Launch Sweep Agents": checking what the user types at each step and
 * turning an agent plan into the tasks and log lines the VS Code layer shows. No `vscode` here.
 */
import * as path from "node:path";
import type { BackendEntry } from "../backends/backends-document";
import { ENGINE_OPTIONS, type EngineName } from "../backends/engine-options";
import { shJoin } from "../remote/posix-quote";
import type { LocalPlan } from "../sweeps/agent-plan";
import { MAX_AGENTS } from "../sweeps/agent-plan";
import { parseSweepCommand, type SweepReference } from "../sweeps/sweep-command";

/** The input box's live check of the pasted command: undefined when it is a sweep we can use. */
export function sweepInputProblem(text: string): string | undefined {
  const parsed = parseSweepCommand(text);
  return parsed.ok ? undefined : parsed.message;
}

/** The sweep from the pasted text, or undefined (the input box has already said why). */
export function sweepFromInput(text: string): SweepReference | undefined {
  const parsed = parseSweepCommand(text);
  return parsed.ok ? parsed.sweep : undefined;
}

export type AgentCountResult = { ok: true; agents: number } | { ok: false; message: string };

/** "How many agents": a whole number from 1 to MAX_AGENTS, nothing else (no `2.5`, `1e1`, `0x2`). */
export function parseAgentCount(text: string): AgentCountResult {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > MAX_AGENTS)
    return { ok: false, message: `Give a whole number of agents from 1 to ${MAX_AGENTS}.` };
  return { ok: true, agents: Number(trimmed) };
}

/** Where the runs of a sweep go unless the user says otherwise: `sweeps/<sweep id>` in the workspace. */
export function defaultSweepRoot(sweep: Pick<SweepReference, "sweepId">): string {
  return path.posix.join("sweeps", sweep.sweepId);
}

export type RootResult = { ok: true; root: string } | { ok: false; message: string };

/** The root folder as typed (relative to the workspace folder, or absolute) made absolute. */
export function resolveSweepRoot(workspaceFolder: string, typed: string): RootResult {
  const trimmed = typed.trim();
  if (trimmed === "") return { ok: false, message: "Give the folder the sweep's runs are built in." };
  if (trimmed.includes("\0")) return { ok: false, message: "The folder name contains a NUL character." };
  return { ok: true, root: path.resolve(workspaceFolder, trimmed) };
}

/** One agent as a VS Code task: its terminal's name, the program and its argument array. */
export interface AgentTaskSpec {
  /** `Sweep agent 2/4 – team/project/abc123`, also the terminal's name. */
  name: string;
  /** 1-based. */
  index: number;
  executable: string;
  args: string[];
  cwd: string;
  /** `$ thunder wandb agent ...   (terminal "...", in CWD)` for the Thunder log. */
  logLine: string;
}

export function agentTaskName(index: number, count: number, sweepPath: string): string {
  return `Sweep agent ${index}/${count} – ${sweepPath}`;
}

/** The command line as a user could paste it into a POSIX shell (shown and logged only, never run). */
export function commandLineText(argv: readonly string[]): string {
  return shJoin(argv);
}

/** The tasks that start a local plan's agents, each with the plan's argv unchanged. */
export function localAgentTasks(plan: LocalPlan, sweepPath: string, cwd: string): AgentTaskSpec[] {
  const count = plan.agents.length;
  return plan.agents.map((argv, offset) => {
    const [executable, ...args] = argv;
    const name = agentTaskName(offset + 1, count, sweepPath);
    return {
      name,
      index: offset + 1,
      executable: executable!,
      args,
      cwd,
      logLine: `$ ${commandLineText(argv)}   (terminal "${name}", in ${cwd})`,
    };
  });
}

/**
 * The engine options an array job's batch script gets: the backend's stored options with this
 * launch's overrides on top (like thunder, where flags override backends.yml). Unset (`null`)
 * stored options are left out.
 */
export function effectiveEngineOptions(
  entry: Pick<BackendEntry, "options"> | undefined,
  engine: EngineName,
  overrides: Readonly<Record<string, string | number>>,
): Record<string, string | number> {
  const known = new Set(ENGINE_OPTIONS[engine].map((spec) => spec.key));
  const options: Record<string, string | number> = {};
  for (const option of entry?.options ?? []) {
    if (!known.has(option.key) || option.value === null || option.value === undefined) continue;
    if (typeof option.value === "string" || typeof option.value === "number")
      options[option.key] = option.value;
  }
  return { ...options, ...overrides };
}
