// Drives the stand-in `thunder` executable in a sandbox: its own HOME, XDG_CONFIG_HOME and invocation log.
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const standInThunder = path.resolve(__dirname, "..", "..", "stand-in", "thunder");

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Invocation {
  argv: string[];
  cwd: string;
  time: number;
  pid: number;
}

export class Sandbox {
  readonly home: string;
  readonly xdg: string;
  readonly work: string;
  readonly bin: string;
  readonly log: string;
  readonly env: Record<string, string>;

  private constructor(readonly root: string) {
    this.home = path.join(root, "home");
    this.xdg = path.join(root, "xdg");
    this.work = path.join(root, "work");
    this.bin = path.join(root, "bin");
    this.log = path.join(root, "invocations.jsonl");
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && !entry[0].startsWith("THUNDER_STANDIN"),
      ),
    );
    this.env = {
      ...inherited,
      HOME: this.home,
      XDG_CONFIG_HOME: this.xdg,
      // The fake sbatch (if a test writes one) comes before any real Slurm client on the machine.
      PATH: `${this.bin}${path.delimiter}${process.env.PATH ?? ""}`,
      THUNDER_STANDIN_LOG: this.log,
      THUNDER_STANDIN_TRAIN_SECONDS: "0.03",
    };
  }

  static async create(): Promise<Sandbox> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-stand-in-"));
    const sandbox = new Sandbox(root);
    for (const folder of [sandbox.home, sandbox.xdg, sandbox.work, sandbox.bin]) {
      await fs.mkdir(folder, { recursive: true });
    }
    return sandbox;
  }

  async dispose(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true });
  }

  /** Runs `thunder ARGS` (argument array, no shell) in the sandbox's work folder. */
  thunder(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
    return run(standInThunder, args, { ...this.env, ...options.env }, options.cwd ?? this.work);
  }

  async write(relative: string, text: string): Promise<string> {
    const file = path.join(this.work, relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    return file;
  }

  read(relative: string): Promise<string> {
    return fs.readFile(path.resolve(this.work, relative), "utf8");
  }

  async invocations(): Promise<Invocation[]> {
    const text = await fs.readFile(this.log, "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Invocation);
  }

  get backendsFile(): string {
    return path.join(this.xdg, "thunder", "backends.yml");
  }

  /** A fake `sbatch` that records its argv (one JSON line per call) and answers like Slurm. */
  async fakeSbatch(options: { exitStatus?: number; message?: string } = {}): Promise<string> {
    const record = path.join(this.root, "sbatch-calls.jsonl");
    const script = [
      "#!/usr/bin/env python3",
      "import json, sys",
      `with open(${JSON.stringify(record)}, "a") as out:`,
      "    out.write(json.dumps(sys.argv[1:]) + '\\n')",
      `print(${JSON.stringify(options.message ?? "Submitted batch job 4242")}, flush=True)`,
      `sys.exit(${options.exitStatus ?? 0})`,
      "",
    ].join("\n");
    const file = path.join(this.bin, "sbatch");
    await fs.writeFile(file, script, { mode: 0o755 });
    return record;
  }

  async sbatchCalls(): Promise<string[][]> {
    const text = await fs.readFile(path.join(this.root, "sbatch-calls.jsonl"), "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as string[]);
  }
}

export function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Python's verdict on a source text, as the oracle for CPython's syntax error messages. */
export async function pythonSyntaxError(source: string): Promise<string> {
  const result = await run(
    "python3",
    [
      "-c",
      "import sys\ntry:\n compile(sys.argv[1], 'x', 'exec')\nexcept SyntaxError as e:\n print(type(e).__name__ + ': ' + e.msg)",
      source,
    ],
    { PATH: process.env.PATH ?? "" },
    os.tmpdir(),
  );
  return result.stdout.trim();
}

/** The value of a Python literal, evaluated by Python (`ast.literal_eval`), as JSON data. */
export async function pythonLiteral(literal: string): Promise<unknown> {
  const result = await run(
    "python3",
    ["-c", "import ast, json, sys; print(json.dumps(ast.literal_eval(sys.argv[1])))", literal],
    { PATH: process.env.PATH ?? "" },
    os.tmpdir(),
  );
  if (result.status !== 0) throw new Error(`not a Python literal: ${literal}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** A minimal but complete config: what thunder needs plus the placeholders. */
export const BASE_CONFIG = [
  "from thunder.placeholders import ExpName, GroupName",
  "from lightning import Trainer",
  "from lightning.pytorch.loggers import WandbLogger",
  "from torch.utils.data import DataLoader",
  "from my_project.models import Model",
  "",
  "lr = 0.01  # learning rate",
  "batch_size = 8",
  "module = Model(lr=lr)",
  "trainer = Trainer(max_epochs=3, logger=WandbLogger(name=ExpName, group=GroupName))",
  "train_data = DataLoader([1, 2, 3], batch_size=batch_size)",
  "",
].join("\n");

/** The value of a top-level `name = value` line of a written config. */
export function assignedValue(configText: string, name: string): string | undefined {
  const line = configText.split("\n").find((candidate) => candidate.startsWith(`${name} = `));
  return line?.slice(name.length + 3);
}
