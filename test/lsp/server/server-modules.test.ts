// The server's plain modules in-process: settings reading, sys.path parsing, the file-system
// host and the diagnostics scheduler.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DiagnosticsScheduler } from "../../../language-server/server/diagnostics-scheduler";
import { createNodeFileSystemHost } from "../../../language-server/server/file-system-host";
import { parseSysPath, querySysPath } from "../../../language-server/server/python-sys-path";
import {
  mergeScopedSettings,
  readThunderSettings,
  resolveFolderSetting,
} from "../../../language-server/server/settings";
import { makeWorkspace } from "../harness";

test("settings are read from the section, a { thunder } tree or dotted keys", () => {
  const expected = { configShortcuts: { shared: "/srv/configs" }, pythonPath: "/venv/bin/python" };
  const section = { configShortcuts: { shared: "/srv/configs" }, pythonPath: "/venv/bin/python" };
  assert.deepEqual(readThunderSettings(section), { settings: expected, problems: [] });
  assert.deepEqual(readThunderSettings({ thunder: section }), { settings: expected, problems: [] });
  assert.deepEqual(
    readThunderSettings({
      "thunder.configShortcuts": section.configShortcuts,
      "thunder.pythonPath": section.pythonPath,
    }),
    { settings: expected, problems: [] },
  );
  assert.deepEqual(readThunderSettings(null).settings, { configShortcuts: {}, pythonPath: undefined });
});

test("bad setting values are skipped with a reason, good ones kept", () => {
  const { settings, problems } = readThunderSettings({
    configShortcuts: { good: "/a", empty: "", number: 3 },
    pythonPath: ["python3"],
  });
  assert.deepEqual(settings, { configShortcuts: { good: "/a" }, pythonPath: undefined });
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /ignoring "empty"/);
  assert.match(problems[1]!, /ignoring "number"/);
  assert.match(problems[2]!, /pythonPath must be a string/);
  assert.match(readThunderSettings({ configShortcuts: "x" }).problems[0]!, /must be an object/);
});

test("shortcut folders become absolute: ~, folder-relative, absolute", () => {
  assert.equal(resolveFolderSetting("~/configs", "/ws"), join(homedir(), "configs"));
  assert.equal(resolveFolderSetting("vendor/configs", "/ws"), "/ws/vendor/configs");
  assert.equal(resolveFolderSetting("/abs/configs", "/ws"), "/abs/configs");
});

test("merged settings: the first folder defining a shortcut or a python wins", () => {
  const merged = mergeScopedSettings([
    { folder: "/one", settings: { configShortcuts: { a: "x" }, pythonPath: undefined } },
    { folder: "/two", settings: { configShortcuts: { a: "y", b: "z" }, pythonPath: "/py2" } },
  ]);
  assert.deepEqual(merged, { shortcuts: { a: "/one/x", b: "/two/z" }, pythonPath: "/py2" });
});

test("sys.path output is parsed; the empty current-directory entry is dropped; junk is an error", () => {
  assert.deepEqual(parseSysPath('["", "/usr/lib/python3.11", "/site"]\n', "python3"), {
    ok: true,
    sysPath: ["/usr/lib/python3.11", "/site"],
  });
  // A sitecustomize that prints something first does not break it: the last line counts.
  assert.deepEqual(parseSysPath('hello\n["/a"]\n', "python3"), { ok: true, sysPath: ["/a"] });
  const junk = parseSysPath("not json", "python3");
  assert.equal(junk.ok, false);
  assert.equal(parseSysPath("[1, 2]", "python3").ok, false);
});

test("the real python3 answers with its sys.path; a missing python is an error, not an exception", async () => {
  const result = await querySysPath("python3");
  assert.ok(result.ok, JSON.stringify(result));
  assert.ok(result.sysPath.some((entry) => /python3/.test(entry)));
  const missing = await querySysPath("/nonexistent/python");
  assert.equal(missing.ok, false);
  assert.match((missing as { error: string }).error, /cannot read sys\.path from "\/nonexistent\/python"/);
});

test("the file-system host never throws and refuses oversized files", () => {
  const workspace = makeWorkspace({
    "a.config": "x = 1\n",
    "big.config": "x".repeat(2000),
    "sub/b.config": "",
  });
  try {
    const host = createNodeFileSystemHost(1000);
    assert.equal(host.readFile(workspace.path("a.config")), "x = 1\n");
    assert.equal(host.readFile(workspace.path("big.config")), undefined, "over the size limit");
    assert.equal(host.readFile(workspace.path("sub")), undefined, "a folder");
    assert.equal(host.readFile(workspace.path("missing.config")), undefined);
    assert.equal(host.stat(workspace.path("a.config")), "file");
    assert.equal(host.stat(workspace.path("sub")), "directory");
    assert.equal(host.stat(workspace.path("missing")), undefined);
    assert.deepEqual(host.readDirectory(workspace.root).sort(), ["a.config", "big.config", "sub"]);
    assert.deepEqual(host.readDirectory(workspace.path("a.config")), []);
    assert.equal(host.readFile("\u0000bad path"), undefined);
  } finally {
    workspace.cleanup();
  }
});

test("the scheduler publishes each pending document once, after a burst of schedules", async () => {
  const published: string[] = [];
  const scheduler = new DiagnosticsScheduler((uri) => published.push(uri));
  // A burst arriving one event-loop turn apart (as vscode-jsonrpc delivers messages).
  for (let turn = 0; turn < 5; turn++) {
    scheduler.schedule(["a", turn % 2 === 0 ? "b" : "a"]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(published, [], "nothing published while changes keep coming");
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(published.sort(), ["a", "b"]);

  scheduler.schedule(["c"]);
  scheduler.cancel("c");
  scheduler.schedule(["d"]);
  scheduler.flush();
  assert.deepEqual(published.slice(2), ["d"]);
  scheduler.dispose();
});

test("work that must not delay diagnostics runs after the pending ones are published", async () => {
  // Event-loop turns, not time: a timer may fire before the immediates on a busy machine.
  const turns = async (count: number) => {
    for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  const events: string[] = [];
  const scheduler = new DiagnosticsScheduler((uri) => events.push(`publish ${uri}`));
  scheduler.afterPending(() => events.push("work while idle"));
  assert.deepEqual(events, ["work while idle"], "nothing pending: runs right away");

  scheduler.schedule(["a"]);
  scheduler.afterPending(() => events.push("work after a"));
  scheduler.schedule(["b"]);
  await turns(1);
  assert.deepEqual(events.slice(1), [], "the work waits for the diagnostics");
  await turns(5);
  assert.deepEqual(events.slice(1).sort(), ["publish a", "publish b", "work after a"]);
  assert.equal(events[3], "work after a");

  // Documents closed before their diagnostics went out release the work too.
  scheduler.schedule(["c"]);
  scheduler.afterPending(() => events.push("work after closing c"));
  scheduler.cancel("c");
  await turns(2);
  assert.deepEqual(events.slice(4), ["work after closing c"]);
  scheduler.dispose();
});
