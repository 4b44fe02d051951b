// Initialize, registrations, settings pulls, robustness of handlers, and shutdown over real stdio.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CancellationTokenSource, LSPErrorCodes } from "vscode-languageserver-protocol";
import { configEntriesRequest } from "../../../language-server/protocol";
import { generateConfig } from "../../bench/generate-config";
import { defaultCapabilities, makeWorkspace, startServer } from "../harness";

test("initialize announces every capability the server implements", async () => {
  const client = await startServer();
  try {
    const capabilities = client.initializeResult.capabilities;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 }, "incremental sync");
    assert.deepEqual(capabilities.completionProvider?.triggerCharacters, ["."]);
    assert.equal(capabilities.hoverProvider, true);
    assert.equal(capabilities.definitionProvider, true);
    assert.equal(capabilities.referencesProvider, true);
    assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
    assert.equal(capabilities.documentSymbolProvider, true);
    assert.equal(capabilities.workspaceSymbolProvider, true);
    assert.equal(capabilities.foldingRangeProvider, true);
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ["quickfix"] });
    assert.equal(client.initializeResult.serverInfo?.name, "thunder-language-server");
  } finally {
    await client.shutdown();
  }
});

test("after initialized the server watches **/*.config and pulls the thunder settings per folder", async () => {
  const first = makeWorkspace();
  const second = makeWorkspace();
  const client = await startServer({ workspace: [first.root, second.root] });
  try {
    await client.waitForLog(/ready/);
    const deadline = Date.now() + 5000;
    while (client.configurationRequests.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const watcher = client.registrations.find((each) => each.method === "workspace/didChangeWatchedFiles");
    assert.ok(watcher, "a watched-files registration");
    assert.deepEqual(
      (watcher.registerOptions as { watchers: { globPattern: string }[] }).watchers.map(
        (each) => each.globPattern,
      ),
      ["**/*.config"],
    );
    assert.ok(client.registrations.some((each) => each.method === "workspace/didChangeConfiguration"));
    assert.deepEqual(
      client.configurationRequests.map((item) => [item.section, item.scopeUri]),
      [
        ["thunder", first.rootUri],
        ["thunder", second.rootUri],
      ],
    );
  } finally {
    await client.shutdown();
    first.cleanup();
    second.cleanup();
  }
});

test("a client without dynamic registration or configuration pull gets no registration requests", async () => {
  const client = await startServer({
    capabilities: { ...defaultCapabilities, workspace: {} },
    initializationOptions: { thunder: { configShortcuts: { shared: "/tmp" } } },
  });
  try {
    await client.waitForLog(/ready/);
    // A round trip guarantees anything the server sent after initialized has arrived.
    await client.request("workspace/symbol", { query: "" });
    assert.deepEqual(client.registrations, []);
    assert.deepEqual(client.configurationRequests, []);
  } finally {
    await client.shutdown();
  }
});

test("a handler that throws is logged and answered with an empty result; the server lives on", async () => {
  const workspace = makeWorkspace({ "a.config": "x = 1\n" });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("a.config"), workspace.read("a.config"));
    // Malformed params (no textDocument) make the handlers throw inside the server.
    assert.deepEqual(await client.request("textDocument/completion", {}), { isIncomplete: false, items: [] });
    assert.equal(await client.request("textDocument/hover", { position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await client.request("textDocument/documentSymbol", {}), []);
    assert.deepEqual(await client.request(configEntriesRequest, {}), { uri: "", entries: [] });
    await client.waitForLog(/textDocument\/completion failed: TypeError/);
    await client.waitForLog(/textDocument\/hover failed/);
    await client.waitForLog(/thunder\/configEntries failed: TypeError: thunder\/configEntries needs/);
    assert.ok(client.alive(), "the server is still running");
    // And it still answers proper requests.
    const symbols = await client.request<unknown[]>("textDocument/documentSymbol", { textDocument: { uri } });
    assert.ok(Array.isArray(symbols));
    const entries = await client.request<{ uri: string }>(configEntriesRequest, { uri });
    assert.equal(entries.uri, uri);
    assert.equal(client.stderr(), "", "nothing on stderr");
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("a bad pythonPath is reported in the log and does not stop the server", async () => {
  const client = await startServer({
    settings: { thunder: { pythonPath: "/nonexistent/python-for-thunder" } },
  });
  try {
    const log = await client.waitForLog(/cannot read sys\.path from "\/nonexistent\/python-for-thunder"/);
    assert.equal(log.type, 1, "logged as an error");
    assert.deepEqual(await client.request("workspace/symbol", { query: "x" }), []);
  } finally {
    await client.shutdown();
  }
});

test("settings of the wrong shape are reported, not fatal", async () => {
  const client = await startServer({
    settings: { thunder: { configShortcuts: ["not", "an", "object"], pythonPath: 42 } },
  });
  try {
    await client.waitForLog(/configShortcuts must be an object/);
    await client.waitForLog(/pythonPath must be a string/);
    assert.ok(client.alive());
  } finally {
    await client.shutdown();
  }
});

test("shutdown then exit ends the process with code 0", async () => {
  const client = await startServer();
  assert.equal(await client.shutdown(), 0);
  assert.equal(client.alive(), false);
});

test("exit without shutdown ends the process with code 1", async () => {
  const client = await startServer();
  const exited = new Promise<number | null>((resolve) => client.process.on("exit", resolve));
  await client.connection.sendNotification("exit");
  assert.equal(await exited, 1);
});

test("requests cancelled while the server is busy are answered as cancelled", async () => {
  const workspace = makeWorkspace();
  const client = await startServer({ workspace: workspace.root });
  try {
    const text = generateConfig(10_000).text;
    const uri = client.open(workspace.uri("big.config"), text);
    // Sent while the server is still busy with the open; cancelled right away.
    const answers = Array.from({ length: 5 }, (_, index) => {
      const source = new CancellationTokenSource();
      const answer = client.connection.sendRequest(
        "textDocument/completion",
        { textDocument: { uri }, position: { line: 100 + index, character: 0 } },
        source.token,
      );
      source.cancel();
      return answer.then(
        () => "answered",
        (error: { code?: number }) =>
          error.code === LSPErrorCodes.RequestCancelled ? "cancelled" : String(error),
      );
    });
    assert.deepEqual(await Promise.all(answers), Array(5).fill("cancelled"));
    // Not cancelled: answered normally afterwards.
    const list = await client.request<{ items: unknown[] }>("textDocument/completion", {
      textDocument: { uri },
      position: { line: 100, character: 0 },
    });
    assert.ok(Array.isArray(list.items) && list.items.length > 0);
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("a workspace folder added later gets its settings pulled too", async () => {
  const first = makeWorkspace();
  const added = makeWorkspace();
  const client = await startServer({ workspace: first.root });
  try {
    await client.waitForLog(/ready/);
    await client.connection.sendNotification("workspace/didChangeWorkspaceFolders", {
      event: { added: [{ uri: added.rootUri, name: "added" }], removed: [] },
    });
    const deadline = Date.now() + 5000;
    while (
      !client.configurationRequests.some((item) => item.scopeUri === added.rootUri) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const scopes = new Set(client.configurationRequests.map((item) => item.scopeUri));
    assert.ok(scopes.has(added.rootUri), "settings of the added folder were asked for");
    assert.ok(scopes.has(first.rootUri));
  } finally {
    await client.shutdown();
    first.cleanup();
    added.cleanup();
  }
});

test("the server exits when its client goes away (stdin closed)", async () => {
  const client = await startServer();
  const exited = new Promise<number | null>((resolve) => client.process.on("exit", resolve));
  client.process.stdin!.end();
  assert.equal(await exited, 1, "exit code 1: no shutdown request came first");
});
