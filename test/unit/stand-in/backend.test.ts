import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { exists, run, Sandbox, standInThunder } from "./stand-in-harness";

let sandbox: Sandbox;

before(async () => {
  sandbox = await Sandbox.create();
});
after(async () => {
  await sandbox.dispose();
});

const SLURM_UNSET = { gpu: null, partition: null, nodelist: null, time: null, limit: null };

async function stored(): Promise<unknown> {
  return parse(await fs.readFile(sandbox.backendsFile, "utf8"));
}

describe("thunder backend add / set / remove / list", () => {
  it("add needs --create while the config folder is missing, then writes the validated entry", async () => {
    const refused = await sandbox.thunder(["backend", "add", "gpu", "backend=slurm", "ram=100G", "cpu=4"]);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stdout,
      `Backends storage ${sandbox.backendsFile} does not exist, you can create it by adding --create to the command.\n`,
    );
    assert.equal(await exists(path.dirname(sandbox.backendsFile)), false);

    const created = await sandbox.thunder([
      "backend",
      "add",
      "gpu",
      "backend=slurm",
      "ram=100G",
      "cpu=4",
      "time=2h",
      "-c",
    ]);
    assert.equal(created.status, 0, created.stderr);
    assert.deepEqual(await stored(), {
      gpu: { backend: "slurm", config: { ...SLURM_UNSET, ram: "100G", cpu: 4, time: "0-02:00:00" } },
    });
  });

  it("an existing name needs --force; the cli engine is the default; the file is rewritten by yaml.safe_dump", async () => {
    await fs.appendFile(sandbox.backendsFile, "# my notes\n");
    const refused = await sandbox.thunder(["backend", "add", "gpu", "cpu=8"]);
    assert.equal(refused.status, 1);
    assert.equal(
      refused.stdout,
      `Backend \`gpu\` is already present in ${sandbox.backendsFile}. If you want it to be overwritten, add --force flag.\n`,
    );
    assert.equal(refused.stderr, "Aborted!\n");

    const local = await sandbox.thunder(["backend", "add", "local", "n_workers=3"]);
    assert.equal(local.status, 0, local.stderr);
    const text = await fs.readFile(sandbox.backendsFile, "utf8");
    assert.doesNotMatch(text, /my notes/, "thunder's rewrite loses comments");
    assert.equal(
      text,
      [
        "gpu:",
        "  backend: slurm",
        "  config:",
        "    cpu: 4",
        "    gpu: null",
        "    limit: null",
        "    nodelist: null",
        "    partition: null",
        "    ram: 100G",
        "    time: 0-02:00:00",
        "local:",
        "  backend: cli",
        "  config:",
        "    n_workers: 3",
        "",
      ].join("\n"),
    );

    const forced = await sandbox.thunder(["backend", "add", "gpu", "backend=slurm", "gpu=2", "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual((await stored()) as object, {
      gpu: { backend: "slurm", config: { ...SLURM_UNSET, ram: null, cpu: null, gpu: 2 } },
      local: { backend: "cli", config: { n_workers: 3 } },
    });
  });

  it("rejects unknown keys, bad integers, bad times and unknown engines without touching the file", async () => {
    const before = await fs.readFile(sandbox.backendsFile, "utf8");
    const cases: [string[], RegExp][] = [
      [["backend=slurm", "memory=1G"], /unknown option\(s\) memory for the slurm backend/],
      [["backend=slurm", "cpu=many"], /cpu must be an integer, got 'many'/],
      [["backend=slurm", "time=someday"], /The time format could not be parsed: someday/],
      [["backend=slurm", "limit=-1"], /The jobs limit, if specified, must be positive/],
      [["backend=k8s"], /Unknown engine 'k8s'/],
      [["n_workers"], /KEY=VALUE/],
    ];
    for (const [params, message] of cases) {
      const result = await sandbox.thunder(["backend", "add", "broken", ...params, "--force"]);
      assert.equal(result.status, 1, params.join(" "));
      assert.match(result.stderr, message);
    }
    assert.equal(await fs.readFile(sandbox.backendsFile, "utf8"), before);
  });

  it("set writes meta.default for an existing name only; remove deletes an entry", async () => {
    const unknown = await sandbox.thunder(["backend", "set", "nope"]);
    assert.equal(unknown.status, 1);
    assert.equal(
      unknown.stdout,
      "Specified backend `nope is not among available configs: ['gpu', 'local']`\n",
    );

    const set = await sandbox.thunder(["backend", "set", "local"]);
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(((await stored()) as Record<string, unknown>).meta, { default: "local" });

    const removed = await sandbox.thunder(["backend", "remove", "gpu"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.deepEqual(Object.keys((await stored()) as object), ["local", "meta"]);

    const again = await sandbox.thunder(["backend", "remove", "gpu"]);
    assert.equal(again.status, 1);
    assert.equal(again.stdout, "Backend `gpu` is not among your configs.\n");
  });

  it("list prints a table titled with the file path, then the default; unknown names are reported", async () => {
    await sandbox.thunder(["backend", "add", "gpu", "backend=slurm", "partition=short"]);
    const all = await sandbox.thunder(["backend", "list"]);
    assert.equal(all.status, 0, all.stderr);
    const lines = all.stdout.split("\n");
    assert.equal(lines[0].trim(), `Configs at ${sandbox.backendsFile}`);
    assert.match(lines[2], /^┃ Name +┃ Backend +┃ Parameters +┃$/);
    assert.match(
      all.stdout,
      /│ gpu +│ slurm +│ \{'ram': None, 'cpu': None, 'gpu': None, 'partition': 'short',/,
    );
    assert.match(all.stdout, /│ local +│ cli +│ \{'n_workers': 3\} +│/);
    assert.ok(all.stdout.indexOf("│ gpu") < all.stdout.indexOf("│ local"), "rows sorted by name");
    assert.equal(lines.at(-2), "Default is local");

    const some = await sandbox.thunder(["backend", "list", "gpu", "ghost"]);
    assert.equal(some.status, 0);
    assert.match(some.stdout, /^These names are not among your configs: \{'ghost'\}$/m);
    assert.doesNotMatch(some.stdout, /│ local/);
  });

  it("without XDG_CONFIG_HOME the file lives in ~/.config/thunder (empty: relative, like click)", async () => {
    // click uses an empty XDG_CONFIG_HOME as is: the app dir becomes the relative folder `thunder`.
    const result = await sandbox.thunder(["backend", "add", "home", "n_workers=1", "-c"], {
      env: { XDG_CONFIG_HOME: "" },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(await exists(path.join(sandbox.work, "thunder", "backends.yml")));

    const env = { ...sandbox.env };
    delete env.XDG_CONFIG_HOME;
    const unset = await run(
      standInThunder,
      ["backend", "add", "home", "n_workers=1", "-c"],
      env,
      sandbox.work,
    );
    assert.equal(unset.status, 0, unset.stderr);
    assert.deepEqual(
      parse(await fs.readFile(path.join(sandbox.home, ".config/thunder/backends.yml"), "utf8")),
      {
        home: { backend: "cli", config: { n_workers: 1 } },
      },
    );
  });
});
