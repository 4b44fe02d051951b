import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { assignedValue, BASE_CONFIG, exists, pythonLiteral, run, Sandbox } from "./stand-in-harness";

let sandbox: Sandbox;

before(async () => {
  sandbox = await Sandbox.create();
});
after(async () => {
  await sandbox.dispose();
});

const HOSTILE = [
  "with space",
  '"double quoted"',
  "'single quoted'",
  "$(touch pwned-subst)",
  "`touch pwned-backtick`",
  "a; touch pwned-semicolon",
  "a && touch pwned-and",
  "a | tee pwned-pipe",
  "line one\nline two",
  "ünïcødé ✓ 🚀",
  `$HOME and \${PATH}`,
  "back\\slash",
  "*",
  "-u",
  "",
];

async function noInjectedFiles(): Promise<void> {
  const created = (await fs.readdir(sandbox.work)).filter((name) => name.startsWith("pwned"));
  assert.deepEqual(created, [], "no shell ever ran a hostile value");
}

describe("hostile arguments arrive byte for byte", () => {
  it("the invocation log holds exactly the argv that was sent", async () => {
    const args = ["backend", "list", "--", ...HOSTILE];
    const result = await sandbox.thunder(args);
    assert.equal(result.status, 0, result.stderr);
    const logged = (await sandbox.invocations()).at(-1)!;
    assert.deepEqual(logged.argv, args);
    assert.equal(logged.cwd, sandbox.work);
    assert.ok(Math.abs(logged.time - Date.now() / 1000) < 60);
    await noInjectedFiles();
  });

  it("-u values become exactly the string (or value) PyYAML reads from them", async () => {
    // YAML itself rejects a leading backtick or a bare `*` (an alias): thunder fails on those.
    const rejected = HOSTILE.filter((value) => value.startsWith("`") || value === "*");
    assert.equal(rejected.length, 2);
    for (const value of rejected) {
      const config = await sandbox.write("hostile/rejected.config", "note = None\n");
      const failed = await sandbox.thunder(["build", config, "exp-rejected", "-u", `note=${value}`]);
      assert.equal(failed.status, 1);
      assert.match(failed.stderr, /The value of -u note is not valid YAML/);
      assert.equal(await exists(path.join(sandbox.work, "exp-rejected")), false);
    }

    const values = HOSTILE.filter((value) => !rejected.includes(value));
    const names = values.map((_, index) => `note${index}`);
    const config = await sandbox.write(
      "hostile/notes.config",
      names.map((name) => `${name} = None\n`).join(""),
    );
    const args = ["build", config, "exp-hostile-updates"];
    for (const [index, value] of values.entries()) args.push("-u", `${names[index]}=${value}`);
    const result = await sandbox.thunder(args);
    assert.equal(result.status, 0, result.stderr);
    const written = await sandbox.read("exp-hostile-updates/experiment.config");
    // Oracle: PyYAML itself on each raw value, compared with the literal read back by Python.
    const oracle = await run(
      "python3",
      [
        "-c",
        [
          "import ast, json, sys, yaml",
          "written = dict(line.split(' = ', 1) for line in open(sys.argv[1], encoding='utf-8').read().splitlines() if ' = ' in line)",
          "values = json.loads(sys.argv[2])",
          "print(json.dumps([[yaml.safe_load(v), ast.literal_eval(written['note%d' % i])] for i, v in enumerate(values)]))",
        ].join("\n"),
        path.join(sandbox.work, "exp-hostile-updates/experiment.config"),
        JSON.stringify(values),
      ],
      sandbox.env,
      sandbox.work,
    );
    assert.equal(oracle.status, 0, oracle.stderr);
    const pairs = JSON.parse(oracle.stdout) as [unknown, unknown][];
    assert.equal(pairs.length, values.length);
    for (const [index, [expected, actual]] of pairs.entries()) {
      assert.deepEqual(actual, expected, `-u with ${JSON.stringify(values[index])}`);
    }
    assert.equal(assignedValue(written, "note3"), "'$(touch pwned-subst)'");
    await noInjectedFiles();
  });

  it("a hostile experiment folder name survives build, the cli engine and the Slurm script", async () => {
    const name = `exp $(touch pwned-a) "q" 'x';y && z \`touch pwned-b\`\nü`;
    const config = await sandbox.write("hostile/train.config", BASE_CONFIG);
    const built = await sandbox.thunder(["build", config, name]);
    assert.equal(built.status, 0, built.stderr);
    const experiment = path.join(sandbox.work, name);
    const expName = assignedValue(await sandbox.read(path.join(name, "experiment.config")), "ExpName");
    assert.equal(await pythonLiteral(expName ?? ""), name);

    const local = await sandbox.thunder(["run", name]);
    assert.equal(local.status, 0, local.stderr);
    assert.ok(await exists(path.join(experiment, "checkpoints/last.ckpt")));
    await fs.rm(path.join(experiment, "checkpoints"), { recursive: true });

    await sandbox.fakeSbatch();
    const submitted = await sandbox.thunder(["run", name, "--backend", "slurm", "-p", "a b;c"]);
    assert.equal(submitted.status, 0, submitted.stderr);
    const args = (await sandbox.sbatchCalls()).at(-1)!;
    assert.deepEqual(args.slice(0, 4), ["--partition", "a b;c", "--job-name", name]);
    const task = await run("bash", [args.at(-1)!], sandbox.env, sandbox.work);
    assert.equal(task.status, 0, task.stderr);
    assert.ok(
      await exists(path.join(experiment, "checkpoints/last.ckpt")),
      "the script started that very folder",
    );
    assert.deepEqual((await sandbox.invocations()).at(-1)!.argv, ["start", experiment]);
    await noInjectedFiles();
  });
});
