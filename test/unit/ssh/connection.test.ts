/**
 * The connection manager against a real SSH server running in this process (ssh2's Server), whose
 * exec runs the received command line in a real `sh`. The cluster tests repeat the key paths against
 * OpenSSH; here we also cover password, keyboard-interactive and passphrase prompts.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Connection, Server, utils } from "ssh2";
import {
  buildRemoteCommand,
  type ConnectionStateEvent,
  quoteRemotePath,
  reconnectDelay,
  SshConnection,
  type SshConnectionOptions,
  type SshPrompts,
} from "../../../extension/ssh/connection";
import { HostKeyChangedError, type SshConnectionError } from "../../../extension/ssh/errors";
import { appendKnownHost, readKnownHostsFile } from "../../../extension/ssh/known-hosts";

const folder = mkdtempSync(join(tmpdir(), "ssh-connection-"));
const hostKey = utils.generateKeyPairSync("ed25519");
const otherHostKey = utils.generateKeyPairSync("ed25519");
const userKey = utils.generateKeyPairSync("ed25519");
const encryptedUserKey = utils.generateKeyPairSync("ed25519", {
  passphrase: "s3cret",
  cipher: "aes256-ctr",
  rounds: 4,
});
const strangerKey = utils.generateKeyPairSync("ed25519");
const userKeyPath = join(folder, "id_user");
const encryptedKeyPath = join(folder, "id_encrypted");
const strangerKeyPath = join(folder, "id_stranger");
writeFileSync(userKeyPath, userKey.private);
writeFileSync(encryptedKeyPath, encryptedUserKey.private);
writeFileSync(strangerKeyPath, strangerKey.private);

function blobOf(publicKeyLine: string): Buffer {
  return Buffer.from(publicKeyLine.split(" ")[1], "base64");
}

interface TestServer {
  port: number;
  authAttempts: string[];
  clients: Set<Connection>;
  close(): Promise<void>;
}

/** A real SSH server: accepts `userKey`, `encryptedUserKey`, password "pw" and keyboard-interactive answer "42". */
async function startServer(hostPrivateKey: string, port = 0): Promise<TestServer> {
  const authAttempts: string[] = [];
  const clients = new Set<Connection>();
  const allowed = [blobOf(userKey.public), blobOf(encryptedUserKey.public)];
  const server = new Server({ hostKeys: [hostPrivateKey] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => undefined);
    client.on("authentication", (context) => {
      authAttempts.push(context.method);
      if (context.method === "publickey" && allowed.some((blob) => blob.equals(context.key.data))) {
        if (!context.signature) return context.accept();
        const key = utils.parseKey(context.key.data);
        if (
          !(key instanceof Error) &&
          !Array.isArray(key) &&
          key.verify(context.blob!, context.signature, context.hashAlgo)
        ) {
          return context.accept();
        }
        return context.reject();
      }
      if (context.method === "password" && context.password === "pw") return context.accept();
      if (context.method === "keyboard-interactive") {
        return context.prompt([{ prompt: "Answer: ", echo: true }], "Challenge", "say 42", (answers) =>
          answers[0] === "42" ? context.accept() : context.reject(),
        );
      }
      context.reject(["publickey", "password", "keyboard-interactive"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (acceptExec, _reject, info) => {
          const stream = acceptExec();
          const child = spawn("sh", ["-c", info.command], { env: { ...process.env, HOME: folder } });
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          stream.pipe(child.stdin);
          child.on("close", (code) => {
            stream.exit(code ?? 1);
            stream.end();
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    authAttempts,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}

function acceptingPrompts(asked: string[] = []): SshPrompts {
  return {
    confirmUnknownHostKey: async (question) => {
      asked.push(question.fingerprint);
      return "accept";
    },
  };
}

let server: TestServer;
const connections: SshConnection[] = [];

function connection(overrides: Partial<SshConnectionOptions> & { knownHostsPath: string }): SshConnection {
  const created = new SshConnection({
    target: {
      clusterName: "unit",
      host: "127.0.0.1",
      port: server.port,
      username: "tester",
      identityFiles: [userKeyPath],
    },
    prompts: acceptingPrompts(),
    connectTimeoutMs: 5000,
    ...overrides,
  });
  connections.push(created);
  return created;
}

async function trustedKnownHosts(name: string): Promise<string> {
  const path = join(folder, name);
  await appendKnownHost(path, "127.0.0.1", server.port, blobOf(hostKey.public));
  return path;
}

before(async () => {
  server = await startServer(hostKey.private);
});

after(async () => {
  await Promise.all(connections.map((item) => item.close()));
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("remote command line", () => {
  test("cd, setup lines and quoted arguments joined with &&", () => {
    assert.equal(
      buildRemoteCommand(["thunder", "run", "my exp"], {
        cwd: "/data/x y",
        setupLines: ["module load cuda", " "],
      }),
      "cd '/data/x y' && module load cuda && thunder run 'my exp'",
    );
    assert.equal(buildRemoteCommand(["squeue", "--me"]), "squeue --me");
  });

  test("refuses an empty command and multi-line setup lines", () => {
    assert.throws(() => buildRemoteCommand([]), /No command/);
    assert.throws(() => buildRemoteCommand(["ls"], { setupLines: ["a\nb"] }), /single line/);
  });

  test("~ in cwd means the remote home, everything else stays literal (real sh)", () => {
    const home = mkdtempSync(join(tmpdir(), "home-"));
    try {
      spawnSync("mkdir", ["-p", join(home, "a b/$(x)")]);
      for (const [cwd, expected] of [
        ["~", home],
        ["~/", home],
        ["~/a b/$(x)", join(home, "a b/$(x)")],
      ]) {
        const result = spawnSync("sh", ["-c", buildRemoteCommand(["pwd"], { cwd })], {
          encoding: "utf8",
          env: { ...process.env, HOME: home },
        });
        assert.equal(result.stdout.trim(), expected, `${cwd}: ${result.stderr}`);
      }
      assert.equal(quoteRemotePath("/abs/path"), "/abs/path");
      assert.equal(quoteRemotePath("~user/x"), "'~user/x'");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("reconnect delays grow exponentially up to the cap", () => {
    const policy = { initialDelayMs: 1000, maxDelayMs: 10_000, factor: 2 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((attempt) => reconnectDelay(attempt, policy)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
  });
});

describe("SshConnection against an in-process SSH server", () => {
  test("unknown host key: the prompt sees the SHA256 fingerprint, accept stores it, exec works", async () => {
    const knownHosts = join(folder, "kh-accept");
    const asked: string[] = [];
    const ssh = connection({ knownHostsPath: knownHosts, prompts: acceptingPrompts(asked) });
    const states: string[] = [];
    ssh.on("state", (event: ConnectionStateEvent) => states.push(event.state));
    const result = await ssh.exec(["printf", "%s|", "a b", "it's", "$(echo no)"]);
    assert.deepEqual(result, { stdout: "a b|it's|$(echo no)|", stderr: "", exitCode: 0, signal: undefined });
    assert.equal(asked.length, 1);
    assert.match(asked[0], /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal((await readKnownHostsFile(knownHosts)).length, 1);
    assert.deepEqual(states, ["connecting", "connected"]);
  });

  test("exit codes and stderr come back; many commands share one connection", async () => {
    const ssh = connection({ knownHostsPath: await trustedKnownHosts("kh-reuse") });
    const before = server.authAttempts.length;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        ssh.exec(["sh", "-c", `echo out${index}; echo err >&2; exit ${index % 3}`]),
      ),
    );
    results.forEach((result, index) => {
      assert.equal(result.stdout, `out${index}\n`);
      assert.equal(result.stderr, "err\n");
      assert.equal(result.exitCode, index % 3);
    });
    assert.ok(server.authAttempts.length - before <= 2, "one login for all 20 commands");
  });

  test("stdin reaches the command", async () => {
    const ssh = connection({ knownHostsPath: await trustedKnownHosts("kh-stdin") });
    assert.equal((await ssh.exec(["cat"], { stdin: "line 1\nline 2\n" })).stdout, "line 1\nline 2\n");
  });

  test("a command over its time limit is abandoned with a timeout error", async () => {
    const ssh = connection({ knownHostsPath: await trustedKnownHosts("kh-timeout") });
    await assert.rejects(ssh.exec(["sleep", "1"], { timeoutMs: 100 }), (error: SshConnectionError) => {
      assert.equal(error.kind, "timeout");
      assert.match(error.message, /"sleep" on cluster "unit" did not finish within 100 ms/);
      return true;
    });
    assert.equal((await ssh.exec(["echo", "still usable"])).stdout, "still usable\n");
  });

  test("rejecting the unknown key cancels before any authentication", async () => {
    const before = server.authAttempts.length;
    const ssh = connection({
      knownHostsPath: join(folder, "kh-reject"),
      prompts: { confirmUnknownHostKey: async () => "reject" },
    });
    await assert.rejects(ssh.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "host-denied");
      assert.match(error.message, /cluster "unit"/);
      return true;
    });
    assert.equal(server.authAttempts.length, before, "no credentials were offered");
    assert.deepEqual(await readKnownHostsFile(join(folder, "kh-reject")), []);
    assert.equal(ssh.state, "failed");
  });

  test("a changed host key is refused loudly, without asking and without authenticating", async () => {
    const knownHosts = join(folder, "kh-changed");
    await appendKnownHost(knownHosts, "127.0.0.1", server.port, blobOf(otherHostKey.public));
    let asked = false;
    const before = server.authAttempts.length;
    const ssh = connection({
      knownHostsPath: knownHosts,
      prompts: {
        confirmUnknownHostKey: async () => {
          asked = true;
          return "accept";
        },
      },
    });
    await assert.rejects(ssh.connect(), (error: unknown) => {
      assert.ok(error instanceof HostKeyChangedError);
      assert.equal(error.kind, "host-key-changed");
      assert.match(error.message, /CHANGED/);
      assert.match(error.message, /kh-changed:1/);
      return true;
    });
    assert.equal(asked, false);
    assert.equal(server.authAttempts.length, before);
  });

  test("passphrase-protected key: asks, retries after a wrong answer, then logs in", async () => {
    const attempts: number[] = [];
    const ssh = connection({
      knownHostsPath: await trustedKnownHosts("kh-passphrase"),
      target: {
        clusterName: "unit",
        host: "127.0.0.1",
        port: server.port,
        username: "tester",
        identityFiles: [join(folder, "missing-key"), encryptedKeyPath],
      },
      prompts: {
        ...acceptingPrompts(),
        passphrase: async (_path, attempt) => {
          attempts.push(attempt);
          return attempt === 1 ? "wrong" : "s3cret";
        },
      },
    });
    assert.equal((await ssh.exec(["echo", "ok"])).stdout, "ok\n");
    assert.deepEqual(attempts, [1, 2]);
  });

  test("password and keyboard-interactive through the injected prompts", async () => {
    const knownHostsPath = await trustedKnownHosts("kh-password");
    const target = {
      clusterName: "unit",
      host: "127.0.0.1",
      port: server.port,
      username: "tester",
      identityFiles: [strangerKeyPath],
    };
    const byPassword = connection({
      knownHostsPath,
      target,
      prompts: { ...acceptingPrompts(), password: async () => "pw" },
    });
    assert.equal((await byPassword.exec(["echo", "pw"])).stdout, "pw\n");

    const seen: string[] = [];
    const byChallenge = connection({
      knownHostsPath,
      target,
      prompts: {
        ...acceptingPrompts(),
        keyboardInteractive: async (request) => {
          seen.push(`${request.clusterName}:${request.instructions}:${request.prompts[0].prompt}`);
          return ["42"];
        },
      },
    });
    assert.equal((await byChallenge.exec(["echo", "ki"])).stdout, "ki\n");
    assert.deepEqual(seen, ["unit:say 42:Answer: "]);
  });

  test("no accepted credential: a clear authentication error naming the cluster", async () => {
    const ssh = connection({
      knownHostsPath: await trustedKnownHosts("kh-auth"),
      target: {
        clusterName: "unit",
        host: "127.0.0.1",
        port: server.port,
        username: "tester",
        identityFiles: [strangerKeyPath],
      },
    });
    await assert.rejects(ssh.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "authentication");
      assert.match(error.message, /Could not log in to cluster "unit" as tester@127\.0\.0\.1/);
      assert.ok(error.isPermanent);
      return true;
    });
    assert.equal(ssh.state, "failed");
  });

  test("reconnects by itself after the server drops the connection", async () => {
    const ssh = connection({
      knownHostsPath: await trustedKnownHosts("kh-reconnect"),
      reconnect: { initialDelayMs: 50, maxDelayMs: 200, factor: 2 },
    });
    await ssh.connect();
    const events: ConnectionStateEvent[] = [];
    ssh.on("state", (event: ConnectionStateEvent) => events.push(event));
    const reconnected = new Promise<void>((resolve) =>
      ssh.on("state", (event: ConnectionStateEvent) => event.state === "connected" && resolve()),
    );
    for (const client of server.clients) client.end();
    await reconnected;
    assert.deepEqual(
      events.map((event) => event.state),
      ["disconnected", "connecting", "connected"],
    );
    assert.equal(events[0].retryInMs, 50);
    assert.equal(events[0].error?.kind, "network");
    assert.equal((await ssh.exec(["echo", "back"])).stdout, "back\n");
  });

  test("a server that worked and went away: the messages say so and that it is retried", async () => {
    const own = await startServer(hostKey.private);
    const knownHostsPath = join(folder, "kh-gone-away");
    await appendKnownHost(knownHostsPath, "127.0.0.1", own.port, blobOf(hostKey.public));
    const ssh = connection({
      knownHostsPath,
      target: {
        clusterName: "unit",
        host: "127.0.0.1",
        port: own.port,
        username: "tester",
        identityFiles: [userKeyPath],
      },
      // Long enough that only our own exec below tries again.
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, factor: 2 },
    });
    await ssh.connect();
    const lost = new Promise<ConnectionStateEvent>((resolve) =>
      ssh.on("state", (event: ConnectionStateEvent) => event.state === "disconnected" && resolve(event)),
    );
    await own.close();
    const event = await lost;
    assert.match(
      event.error?.message ?? "",
      new RegExp(`cluster "unit" \\(127\\.0\\.0\\.1:${own.port}\\) was lost; Thunder reconnects by itself`),
    );
    await assert.rejects(ssh.exec(["true"]), (error: SshConnectionError) => {
      assert.equal(error.kind, "refused");
      assert.match(
        error.message,
        new RegExp(
          `^Cluster "unit" cannot be reached: nothing listens on 127\\.0\\.0\\.1:${own.port} any more`,
        ),
      );
      return true;
    });
    assert.equal(ssh.state, "disconnected", "still retrying, not given up");
  });

  test("closed port: refused, with the cluster named", async () => {
    const probe = await startServer(hostKey.private);
    const freePort = probe.port;
    await probe.close();
    const ssh = new SshConnection({
      target: { clusterName: "gone", host: "127.0.0.1", port: freePort, username: "u", identityFiles: [] },
      prompts: acceptingPrompts(),
      knownHostsPath: join(folder, "kh-refused"),
    });
    connections.push(ssh);
    await assert.rejects(ssh.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "refused");
      assert.match(error.message, /Cluster "gone" refused the connection on 127\.0\.0\.1:\d+/);
      return true;
    });
  });
});
