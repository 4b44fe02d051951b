import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BackendsConflictError,
  BackendsParseError,
  readBackendsFile,
  readBackendsSnapshot,
  writeBackendsEdit,
} from "../../../extension/backends/backends-file";

let workDir = "";

before(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-backends-"));
});
after(async () => {
  await fs.rm(workDir, { recursive: true, force: true });
});

async function folderNames(folder: string): Promise<string[]> {
  return (await fs.readdir(folder)).sort();
}

describe("backends.yml on disk", () => {
  it("creates a missing file and its folder on the first add", async () => {
    const file = path.join(workDir, "fresh", "thunder dir", "backends.yml");
    const { snapshot, model } = await readBackendsFile(file);
    assert.equal(snapshot.exists, false);
    assert.deepEqual(model.entries, []);
    const written = await writeBackendsEdit(snapshot, {
      kind: "add-entry",
      name: "local",
      engine: "cli",
      options: { n_workers: 2 },
    });
    const onDisk = await fs.readFile(file, "utf8");
    assert.equal(onDisk, written.text);
    assert.equal((await readBackendsFile(file)).model.entries[0].name, "local");
    assert.deepEqual(await folderNames(path.dirname(file)), ["backends.yml"]);
  });

  it("writes atomically, keeps the file mode and leaves no temp files", async () => {
    const file = path.join(workDir, "mode", "backends.yml");
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, "# mine\na:\n  backend: slurm\n");
    await fs.chmod(file, 0o600);
    const snapshot = await readBackendsSnapshot(file);
    const written = await writeBackendsEdit(snapshot, {
      kind: "set-option",
      name: "a",
      key: "cpu",
      value: 2,
    });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal(await fs.readFile(file, "utf8"), "# mine\na:\n  backend: slurm\n  config:\n    cpu: 2\n");
    assert.deepEqual(await folderNames(path.dirname(file)), ["backends.yml"]);
    // The returned snapshot is current: a second edit based on it succeeds.
    await writeBackendsEdit(written, { kind: "set-default", name: "a" });
    assert.match(await fs.readFile(file, "utf8"), /default: a/);
  });

  it("detects an outside change between read and write and writes nothing", async () => {
    const file = path.join(workDir, "conflict.yml");
    await fs.writeFile(file, "a:\n  backend: cli\n");
    const snapshot = await readBackendsSnapshot(file);
    await fs.writeFile(file, "a:\n  backend: cli\nb:\n  backend: cli\n");
    await assert.rejects(
      writeBackendsEdit(snapshot, { kind: "remove-entry", name: "a" }),
      BackendsConflictError,
    );
    assert.equal(await fs.readFile(file, "utf8"), "a:\n  backend: cli\nb:\n  backend: cli\n");
  });

  it("treats a file created after a 'missing' read as a conflict", async () => {
    const file = path.join(workDir, "late", "backends.yml");
    const snapshot = await readBackendsSnapshot(file);
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, "");
    await assert.rejects(
      writeBackendsEdit(snapshot, { kind: "add-entry", name: "x", engine: "cli", options: {} }),
      BackendsConflictError,
    );
    assert.equal(await fs.readFile(file, "utf8"), "");
  });

  it("never touches a malformed or non-mapping file", async () => {
    for (const [name, text] of [
      ["malformed.yml", "a: [1\n# keep\n"],
      ["list.yml", "- a\n- b\n"],
    ]) {
      const file = path.join(workDir, name);
      await fs.writeFile(file, text);
      const before = await fs.stat(file);
      const snapshot = await readBackendsSnapshot(file);
      await assert.rejects(
        writeBackendsEdit(snapshot, { kind: "add-entry", name: "x", engine: "cli", options: {} }),
        BackendsParseError,
      );
      assert.equal(await fs.readFile(file, "utf8"), text);
      assert.equal((await fs.stat(file)).mtimeMs, before.mtimeMs);
    }
  });

  it("does not write when the edit itself is invalid", async () => {
    const file = path.join(workDir, "invalid-edit.yml");
    await fs.writeFile(file, "a:\n  backend: slurm\n");
    const snapshot = await readBackendsSnapshot(file);
    await assert.rejects(
      writeBackendsEdit(snapshot, { kind: "set-option", name: "a", key: "limit", value: 0 }),
      /greater than 0/,
    );
    assert.equal(await fs.readFile(file, "utf8"), "a:\n  backend: slurm\n");
  });
});
