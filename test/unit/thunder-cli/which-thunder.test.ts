import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  findThunder,
  isExecutableFile,
  scriptsFolderOfInterpreter,
  thunderCandidates,
} from "../../../extension/thunder-cli/which-thunder";

describe("which thunder", () => {
  it("tries the Python environment, then the setting, then PATH", () => {
    const candidates = thunderCandidates({
      platform: "linux",
      pythonEnvironmentBinDir: "/home/a/.venv/bin",
      setting: "~/tools/thunder",
      pathVariable: "/usr/local/bin::/usr/bin",
      homeDir: "/home/a",
    });
    assert.deepEqual(candidates, [
      { path: "/home/a/.venv/bin/thunder", source: "python-environment" },
      { path: "/home/a/tools/thunder", source: "setting" },
      { path: "/usr/local/bin/thunder", source: "path" },
      { path: "/usr/bin/thunder", source: "path" },
    ]);
  });

  it("looks a bare command name from the setting up on PATH", () => {
    const candidates = thunderCandidates({
      platform: "linux",
      setting: "thunder-dev",
      pathVariable: "/opt/bin",
    });
    assert.deepEqual(candidates, [{ path: "/opt/bin/thunder-dev", source: "setting" }]);
  });

  it("uses PATHEXT and Windows separators, without duplicates", () => {
    const candidates = thunderCandidates({
      platform: "win32",
      pythonEnvironmentBinDir: "C:\\env\\Scripts",
      pathVariable: "C:\\env\\Scripts;C:\\tools",
      pathExtVariable: ".EXE;.CMD",
    });
    assert.deepEqual(
      candidates.map((candidate) => candidate.path),
      [
        "C:\\env\\Scripts\\thunder.exe",
        "C:\\env\\Scripts\\thunder.cmd",
        "C:\\tools\\thunder.exe",
        "C:\\tools\\thunder.cmd",
      ],
    );
  });

  it("finds the scripts folder of an interpreter", () => {
    assert.equal(scriptsFolderOfInterpreter("/home/a/.venv/bin/python3", "linux"), "/home/a/.venv/bin");
    assert.equal(
      scriptsFolderOfInterpreter("C:\\p\\.venv\\Scripts\\python.exe", "win32"),
      "C:\\p\\.venv\\Scripts",
    );
    assert.equal(scriptsFolderOfInterpreter("C:\\conda\\python.exe", "win32"), "C:\\conda\\Scripts");
  });

  it("returns the first executable candidate", async () => {
    const asked: string[] = [];
    const result = await findThunder(
      { platform: "linux", pythonEnvironmentBinDir: "/venv/bin", pathVariable: "/a:/b" },
      async (candidate) => {
        asked.push(candidate);
        return candidate === "/a/thunder" || candidate === "/b/thunder";
      },
    );
    assert.deepEqual(result.ok && result.executable, { path: "/a/thunder", source: "path" });
    assert.deepEqual(asked, ["/venv/bin/thunder", "/a/thunder"]);
  });

  it("explains how to install thunder when nothing works", async () => {
    const result = await findThunder(
      {
        platform: "linux",
        pythonEnvironmentBinDir: "/venv/bin",
        setting: "/nope/thunder",
        pathVariable: "/a",
      },
      async () => false,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.tried.length, 3);
    assert.match(result.message, /pip install thunder/);
    assert.match(result.message, /\/venv\/bin/);
    assert.match(result.message, /"\/nope\/thunder"/);
  });

  it("finds a real executable on disk and skips non-executable files and folders", {
    skip: process.platform === "win32",
  }, async () => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), "thunder-which-"));
    try {
      const plain = path.join(folder, "plain", "thunder");
      const runnable = path.join(folder, "venv bin", "thunder");
      await fs.mkdir(path.dirname(plain));
      await fs.mkdir(path.dirname(runnable));
      await fs.mkdir(path.join(folder, "dir", "thunder"), { recursive: true });
      await fs.writeFile(plain, "#!/bin/sh\n", { mode: 0o644 });
      await fs.writeFile(runnable, "#!/bin/sh\n", { mode: 0o755 });
      const result = await findThunder(
        {
          platform: "linux",
          pathVariable: [path.join(folder, "dir"), path.dirname(plain), path.dirname(runnable)].join(":"),
        },
        isExecutableFile,
      );
      assert.deepEqual(result.ok && result.executable, { path: runnable, source: "path" });
      assert.equal(result.tried.length, 3);
    } finally {
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
