// The `thunder-language-server` executable itself: flags, and LSP over real stdio.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { before, test } from "node:test";
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  SocketMessageReader,
  SocketMessageWriter,
} from "vscode-jsonrpc/node";
import { ExitNotification, InitializeRequest, ShutdownRequest } from "vscode-languageserver-protocol";
import { ensureServerBuilt, repoRoot, serverPath, startServer } from "../harness";

const packageJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
};

before(() => ensureServerBuilt());

test("package.json bin points at the built server, which starts with a shebang", () => {
  assert.equal(
    join(repoRoot, packageJson.bin["thunder-language-server"]!),
    join(repoRoot, "dist", "server.js"),
  );
  assert.match(readFileSync(serverPath, "utf8").split("\n")[0]!, /^#!\/usr\/bin\/env node/);
});

test("--version prints the package version and exits 0", () => {
  const result = spawnSync(process.execPath, [serverPath, "--version"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(result.status, 0);
  assert.equal(result.stdout.trim(), packageJson.version);
});

test("--help prints usage with the transports and settings and exits 0", () => {
  const result = spawnSync(process.execPath, [serverPath, "--help"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: thunder-language-server/);
  assert.match(result.stdout, /--stdio/);
  assert.match(result.stdout, /thunder\.configShortcuts/);
});

test("an unknown argument is refused with a message and the usage, exit 2", () => {
  const result = spawnSync(process.execPath, [serverPath, "--frobnicate"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown argument --frobnicate/);
  assert.match(result.stderr, /Usage:/);
  assert.equal(result.stdout, "", "nothing may reach stdout, the protocol channel");
});

test("without a transport flag the server speaks LSP on stdio", async () => {
  const client = await startServer({ args: [] });
  assert.equal(client.initializeResult.serverInfo?.name, "thunder-language-server");
  assert.equal(await client.shutdown(), 0);
});

test("--node-ipc speaks LSP over Node's IPC channel", async () => {
  const child = spawn(process.execPath, [serverPath, "--node-ipc"], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  try {
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(result.serverInfo?.name, "thunder-language-server");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    child.kill("SIGKILL");
  }
});

test("--socket=PORT connects to a client listening on that port", async () => {
  let child: ChildProcess | undefined;
  const listener = createServer();
  try {
    const connected = new Promise<Socket>((resolve) => listener.once("connection", resolve));
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as AddressInfo).port;
    child = spawn(process.execPath, [serverPath, `--socket=${port}`], { stdio: "ignore" });
    const socket = await connected;
    const connection = createMessageConnection(
      new SocketMessageReader(socket),
      new SocketMessageWriter(socket),
    );
    connection.listen();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(result.serverInfo?.name, "thunder-language-server");
    connection.dispose();
    socket.destroy();
  } finally {
    child?.kill("SIGKILL");
    listener.close();
  }
});
