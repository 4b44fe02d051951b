import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import {
  backendAddArgs,
  backendListArgs,
  backendRemoveArgs,
  backendSetArgs,
  buildArgs,
  buildRunArgs,
  CommandLineError,
  runArgs,
  wandbAgentArgs,
} from "../../../extension/thunder-cli/command-lines";

const HOSTILE = [
  "my exp",
  'it\'s "quoted"',
  "$(rm -rf ~)",
  "`whoami`",
  "a;b && c || d",
  "line\nbreak",
  "tab\there",
  "ünï¢ødé 日本 🚀",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style variable is the point
  "$HOME ${PATH} %APPDATA%",
  "back\\slash",
  "*?[glob]",
  "> out.txt < in",
];

// A child process that reports the argv it received, to prove nothing is re-split or expanded.
const scratch = mkdtempSync(path.join(os.tmpdir(), "thunder-argv-"));
const echoScript = path.join(scratch, "echo-argv.js");
writeFileSync(echoScript, "process.stdout.write(JSON.stringify(process.argv.slice(2)));");
after(() => rmSync(scratch, { recursive: true, force: true }));

function receivedBy(args: string[]): string[] {
  const result = spawnSync(process.execPath, [echoScript, ...args], { encoding: "utf8", shell: false });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

describe("thunder command lines", () => {
  it("builds with one -u per override and -o last", () => {
    assert.deepEqual(
      buildArgs({
        config: "cfg/base.config",
        experiment: "exps/a",
        overrides: ["lr=0.1", "x=a=b"],
        overwrite: true,
      }),
      ["build", "cfg/base.config", "exps/a", "-u", "lr=0.1", "-u", "x=a=b", "-o"],
    );
    assert.deepEqual(buildArgs({ config: "c.config", experiment: "e" }), ["build", "c.config", "e"]);
    assert.throws(
      () => buildArgs({ config: "c.config", experiment: "e", overrides: ["novalue"] }),
      CommandLineError,
    );
    assert.throws(() => buildArgs({ config: "", experiment: "e" }), /config file path is empty/);
  });

  it("runs with names, backend and engine option flags attached to their values", () => {
    assert.deepEqual(
      runArgs({
        experiment: "/abs/exp",
        names: ["0", "2"],
        backend: "gpu_short",
        engineOptions: { engine: "slurm", options: { cpu: 8, ram: "64G", time: "2h", limit: 2 } },
      }),
      [
        "run",
        "/abs/exp",
        "--names=0,2",
        "--backend=gpu_short",
        "--cpu=8",
        "--ram=64G",
        "--time=0-02:00:00",
        "--limit=2",
      ],
    );
    assert.deepEqual(runArgs({ experiment: "e", names: [] }), ["run", "e"]);
    assert.deepEqual(
      runArgs({ experiment: "e", engineOptions: { engine: "cli", options: { n_workers: 3 } } }),
      ["run", "e", "--n-workers=3"],
    );
    assert.throws(
      () => runArgs({ experiment: "e", engineOptions: { engine: "cli", options: { cpu: 3 } } }),
      /Unknown option "cpu"/,
    );
    assert.throws(
      () => runArgs({ experiment: "e", engineOptions: { engine: "slurm", options: { limit: 0 } } }),
      /greater than 0/,
    );
    assert.throws(() => runArgs({ experiment: "e", names: ["a,b"] }), /comma/);
  });

  it("combines build and run for build-run", () => {
    assert.deepEqual(
      buildRunArgs(
        { config: "c.config", experiment: "e", overrides: ["lr=1"] },
        { backend: "slurm", engineOptions: { engine: "slurm", options: { gpu: 1 } } },
      ),
      ["build-run", "c.config", "e", "-u", "lr=1", "--backend=slurm", "--gpu=1"],
    );
  });

  it("manages backends", () => {
    assert.deepEqual(
      backendAddArgs({
        name: "gpu",
        engine: "slurm",
        options: { ram: "100G", cpu: 4 },
        force: true,
        create: true,
      }),
      ["backend", "add", "gpu", "backend=slurm", "ram=100G", "cpu=4", "--force", "--create"],
    );
    assert.deepEqual(backendAddArgs({ name: "local", engine: "cli", options: {} }), [
      "backend",
      "add",
      "local",
      "backend=cli",
    ]);
    assert.deepEqual(backendSetArgs("gpu"), ["backend", "set", "gpu"]);
    assert.deepEqual(backendRemoveArgs("gpu"), ["backend", "remove", "gpu"]);
    assert.deepEqual(backendListArgs(), ["backend", "list"]);
    assert.deepEqual(backendListArgs(["a", "b"]), ["backend", "list", "a", "b"]);
    assert.throws(() => backendSetArgs("--force"), /cannot start with "-"/);
    assert.throws(
      () => backendAddArgs({ name: "x", engine: "slurm", options: { ram: "lots" } }),
      CommandLineError,
    );
  });

  it("starts a W&B agent from what W&B prints", () => {
    assert.deepEqual(
      wandbAgentArgs({ sweep: " team/proj/abc123 ", config: "sweep.config", root: "runs", backend: "gpu" }),
      ["wandb", "agent", "team/proj/abc123", "sweep.config", "runs", "--backend=gpu"],
    );
    assert.throws(() => wandbAgentArgs({ sweep: "a b", config: "c", root: "r" }), /not a sweep id/);
    assert.throws(() => wandbAgentArgs({ sweep: "--help", config: "c", root: "r" }), /not a sweep id/);
  });

  it("keeps paths that look like flags from being read as flags", () => {
    assert.deepEqual(buildArgs({ config: "-o", experiment: "--overwrite" }), [
      "build",
      "./-o",
      "./--overwrite",
    ]);
    assert.deepEqual(runArgs({ experiment: "-x", backend: "-weird" }), ["run", "./-x", "--backend=-weird"]);
  });

  it("passes hostile names, paths and values to the process byte for byte", () => {
    const allArgs: string[] = [];
    for (const hostile of HOSTILE) {
      const cases: string[][] = [
        buildArgs({ config: `${hostile}.config`, experiment: hostile, overrides: [`name=${hostile}`] }),
        runArgs({
          experiment: hostile,
          names: [hostile.replace(/,/g, "")],
          backend: hostile,
          engineOptions: { engine: "slurm", options: { partition: hostile, nodelist: hostile } },
        }),
        backendAddArgs({ name: hostile, engine: "slurm", options: { partition: hostile } }),
        wandbAgentArgs({ sweep: "e/p/s", config: hostile, root: hostile }),
      ];
      for (const args of cases) {
        assert.ok(
          args.some((arg) => arg.includes(hostile)),
          "the hostile text is in the arguments",
        );
        allArgs.push(...args);
      }
    }
    // One child process for all cases keeps the test fast.
    assert.deepEqual(receivedBy(allArgs), allArgs);
  });
});
