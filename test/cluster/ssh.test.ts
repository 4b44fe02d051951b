/**
 * The connection manager against a real OpenSSH server (127.0.0.1:2222, user thunderci, key-only).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { utils } from "ssh2";
import { squeueArgs } from "../../extension/slurm/squeue";
import { type ConnectionStateEvent, SshConnection } from "../../extension/ssh/connection";
import { HostKeyChangedError, type SshConnectionError } from "../../extension/ssh/errors";
import {
  appendKnownHost,
  fingerprintSha256,
  readKnownHostsFile,
  verifyHostKey,
} from "../../extension/ssh/known-hosts";
import {
  acceptNothing,
  type ClusterInfo,
  hostKeyBlob,
  loadClusterInfo,
  RUN_DIR,
  scratchFolder,
  trustedConnection,
  waitFor,
} from "./cluster-env";

let info: ClusterInfo;
let scratch: { path: string; remove: () => void };
const opened: SshConnection[] = [];

function track(connection: SshConnection): SshConnection {
  opened.push(connection);
  return connection;
}

function target(overrides: Partial<{ identityFiles: string[]; port: number }> = {}) {
  return {
    clusterName: "test-cluster",
    host: info.host,
    port: overrides.port ?? info.port,
    username: info.username,
    identityFiles: overrides.identityFiles ?? [info.privateKeyPath],
  };
}

before(() => {
  info = loadClusterInfo();
  scratch = scratchFolder();
});

after(async () => {
  await Promise.all(opened.map((connection) => connection.close()));
  scratch.remove();
});

describe("host keys against OpenSSH", () => {
  test("unknown key: the prompt gets the SHA256 fingerprint; accepted, it is stored and not asked again", async () => {
    const knownHostsPath = join(scratch.path, "known_hosts_accept");
    const questions: { fingerprint: string; keyType: string; port: number }[] = [];
    const prompts = {
      confirmUnknownHostKey: async (question: { fingerprint: string; keyType: string; port: number }) => {
        questions.push(question);
        return "accept" as const;
      },
    };
    const first = track(new SshConnection({ target: target(), prompts, knownHostsPath }));
    const whoami = await first.exec(["sh", "-c", 'echo "$(id -un) $SLURM_CONF"']);
    assert.equal(whoami.stdout.trim(), `${info.username} ${info.slurmConf}`);
    assert.equal(questions.length, 1);
    assert.equal(questions[0].fingerprint, fingerprintSha256(hostKeyBlob(info)));
    assert.equal(questions[0].keyType, "ssh-ed25519");
    assert.equal(questions[0].port, info.port);
    const stored = await readKnownHostsFile(knownHostsPath);
    assert.equal(verifyHostKey(stored, info.host, info.port, hostKeyBlob(info)).status, "known");

    const second = track(new SshConnection({ target: target(), prompts, knownHostsPath }));
    await second.connect();
    assert.equal(questions.length, 1, "a stored key is not asked about again");
  });

  test("rejected: Host denied, nothing stored", async () => {
    const knownHostsPath = join(scratch.path, "known_hosts_reject");
    const connection = track(
      new SshConnection({
        target: target(),
        prompts: { confirmUnknownHostKey: async () => "reject" },
        knownHostsPath,
      }),
    );
    await assert.rejects(connection.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "host-denied");
      assert.match(error.message, /cluster "test-cluster"/);
      return true;
    });
    assert.deepEqual(await readKnownHostsFile(knownHostsPath), []);
  });

  test("changed key: refused loudly, no prompt", async () => {
    const knownHostsPath = join(scratch.path, "known_hosts_changed");
    const impostor = Buffer.from(utils.generateKeyPairSync("ed25519").public.split(" ")[1], "base64");
    await appendKnownHost(knownHostsPath, info.host, info.port, impostor);
    const connection = track(new SshConnection({ target: target(), prompts: acceptNothing, knownHostsPath }));
    await assert.rejects(connection.connect(), (error: unknown) => {
      assert.ok(error instanceof HostKeyChangedError);
      assert.match(error.message, /has CHANGED/);
      assert.ok(error.message.includes(fingerprintSha256(hostKeyBlob(info))));
      return true;
    });
    assert.equal(connection.state, "failed");
  });
});

describe("authentication against OpenSSH", () => {
  test("wrong key: a clear message naming the cluster and the user", async () => {
    const connection = track(
      await trustedConnection(info, scratch.path, { target: target({ identityFiles: [info.wrongKeyPath] }) }),
    );
    await assert.rejects(connection.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "authentication");
      assert.match(error.message, /Could not log in to cluster "test-cluster" as thunderci@127\.0\.0\.1:\d+/);
      assert.match(String((error.cause as Error).message), /All configured authentication methods failed/);
      return true;
    });
  });

  test("passphrase-protected key after a key the server does not know", async () => {
    const asked: string[] = [];
    const connection = track(
      await trustedConnection(info, scratch.path, {
        target: target({ identityFiles: [info.wrongKeyPath, info.passphraseKeyPath] }),
        prompts: {
          ...acceptNothing,
          passphrase: async (path) => {
            asked.push(path);
            return info.passphrase;
          },
        },
      }),
    );
    assert.equal((await connection.exec(["id", "-un"])).stdout.trim(), info.username);
    assert.deepEqual(asked, [info.passphraseKeyPath]);
  });

  test("ssh-agent: a key held only by a real agent", async () => {
    const socket = join(scratch.path, "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      await waitFor("the agent socket", async () => (existsSync(socket) ? true : undefined), 5000);
      const added = spawnSync("ssh-add", [info.privateKeyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
      });
      assert.equal(added.status, 0, added.stderr.toString());
      const connection = track(
        await trustedConnection(info, scratch.path, {
          target: { ...target({ identityFiles: [info.wrongKeyPath] }), agentSocket: socket },
        }),
      );
      assert.equal((await connection.exec(["id", "-un"])).stdout.trim(), info.username);
    } finally {
      agent.kill("SIGTERM");
    }
  });

  test("closed port: connection refused", async () => {
    const port = await freePort();
    const connection = track(await trustedConnection(info, scratch.path, { target: target({ port }) }));
    await assert.rejects(connection.connect(), (error: SshConnectionError) => {
      assert.equal(error.kind, "refused");
      assert.match(error.message, new RegExp(`refused the connection on 127\\.0\\.0\\.1:${port}`));
      assert.equal((error.cause as NodeJS.ErrnoException).code, "ECONNREFUSED");
      return true;
    });
  });
});

describe("commands through OpenSSH", () => {
  const HOSTILE = [
    "with space",
    "it's",
    '"double"',
    "$(touch /tmp/thunder-pwned)",
    "`touch /tmp/thunder-pwned`",
    "a;b",
    "a && b",
    "a | b",
    "line1\nline2",
    "tab\there",
    "\\back\\slash",
    "$HOME",
    "*",
    "~",
    "-n",
    "unicode: Grüße 🚀 日本",
    "'\\''",
    "",
  ];

  test("hostile arguments arrive byte for byte", async () => {
    const connection = track(await trustedConnection(info, scratch.path));
    const result = await connection.exec(["printf", "%s\\0", ...HOSTILE]);
    assert.equal(result.exitCode, 0, result.stderr);
    const received = result.stdout.split("\0");
    assert.equal(received.pop(), "");
    assert.deepEqual(received, HOSTILE);
    const pwned = await connection.exec(["sh", "-c", "test -e /tmp/thunder-pwned && echo yes || echo no"]);
    assert.equal(pwned.stdout.trim(), "no");
  });

  test("cwd with spaces and quotes, under ~, and setup lines", async () => {
    const connection = track(await trustedConnection(info, scratch.path));
    const folder = "~/thunder test/it's $(x)";
    assert.equal(
      (await connection.exec(["mkdir", "-p", "thunder test/it's $(x)"], { cwd: "~" })).exitCode,
      0,
    );
    const result = await connection.exec(["pwd"], { cwd: folder, setupLines: ["export GREETING=hi"] });
    assert.equal(result.stdout.trim(), `/home/${info.username}/thunder test/it's $(x)`);
    const env = await connection.exec(["sh", "-c", 'echo "$GREETING"'], {
      setupLines: ["export GREETING='hi there'"],
    });
    assert.equal(env.stdout.trim(), "hi there");
    const missing = await connection.exec(["pwd"], { cwd: "/no/such/folder" });
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /no\/such\/folder/);
  });

  test("one connection serves many concurrent commands", async () => {
    const connection = track(await trustedConnection(info, scratch.path));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => connection.exec(["echo", `n${i}`])),
    );
    assert.deepEqual(
      results.map((result) => result.stdout.trim()),
      Array.from({ length: 30 }, (_, i) => `n${i}`),
    );
  });

  test("ProxyJump: through the login node to itself, host keys checked on both hops", async () => {
    const knownHostsPath = join(scratch.path, "known_hosts_jump");
    let questions = 0;
    const jumpTarget = { ...target(), clusterName: "test-cluster (via jump)" };
    const connection = track(
      new SshConnection({
        // The forwarded stream ends at 127.0.0.1:2222 as seen from the jump host.
        target: { ...target(), jump: jumpTarget },
        prompts: {
          confirmUnknownHostKey: async () => {
            questions++;
            return "accept";
          },
        },
        knownHostsPath,
      }),
    );
    const result = await connection.exec(["sh", "-c", 'echo "$SSH_CONNECTION"']);
    // The inner session's client is the jump host's sshd forwarding from 127.0.0.1.
    assert.match(result.stdout, /^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
    assert.equal(questions, 1, "the second hop found the key the first hop stored");
  });

  test("an interactive shell with a pty", async () => {
    const connection = track(await trustedConnection(info, scratch.path));
    const shell = await connection.shell({ cols: 100, rows: 30 });
    let output = "";
    shell.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const closed = new Promise<void>((resolve) => shell.on("close", () => resolve()));
    shell.write("stty size; echo marker-$((6*7)); exit\n");
    await closed;
    assert.match(output, /30 100/);
    assert.match(output, /marker-42/);
  });
});

describe("reconnecting", () => {
  let sshd: ChildProcess | undefined;
  let port: number;

  /** A second sshd of the cluster on its own port, so stopping it does not disturb the other tests. */
  async function startOwnSshd(): Promise<void> {
    sshd = spawn(
      "/usr/sbin/sshd",
      [
        "-D",
        "-f",
        join(RUN_DIR, "ssh/sshd_config"),
        "-E",
        join(RUN_DIR, "ssh/sshd-reconnect.log"),
        "-p",
        String(port),
        "-o",
        "PidFile=none",
      ],
      { stdio: "ignore" },
    );
    await waitFor(
      "the second sshd to listen",
      async () => ((await isListening(port)) ? true : undefined),
      10_000,
    );
  }

  /** Stops that sshd and the per-connection processes it forked (they call setsid), by PID. */
  async function stopOwnSshd(): Promise<void> {
    if (!sshd?.pid) return;
    const exited = new Promise<void>((resolve) => sshd!.once("exit", () => resolve()));
    for (const child of childrenOf(sshd.pid)) process.kill(child, "SIGTERM");
    process.kill(sshd.pid, "SIGTERM");
    await exited;
    sshd = undefined;
  }

  before(async () => {
    port = await freePort();
    await startOwnSshd();
  });

  after(async () => {
    await stopOwnSshd();
  });

  test("sshd stopped mid-poll and restarted: polls fail meanwhile, then the same manager reconnects", async () => {
    const knownHostsPath = join(scratch.path, "known_hosts_reconnect");
    await appendKnownHost(knownHostsPath, info.host, port, hostKeyBlob(info));
    const connection = track(
      new SshConnection({
        target: target({ port }),
        prompts: acceptNothing,
        knownHostsPath,
        reconnect: { initialDelayMs: 100, maxDelayMs: 400, factor: 2 },
      }),
    );
    const states: ConnectionStateEvent[] = [];
    connection.on("state", (event: ConnectionStateEvent) => states.push(event));
    const poll = async () => {
      try {
        const result = await connection.exec(squeueArgs());
        return result.exitCode === 0 ? "ok" : `exit ${result.exitCode}: ${result.stderr}`;
      } catch (error) {
        return (error as SshConnectionError).kind;
      }
    };
    assert.equal(await poll(), "ok");
    await stopOwnSshd();
    await waitFor(
      "the disconnect to be noticed",
      async () => (connection.state === "disconnected" ? true : undefined),
      10_000,
    );
    const duringOutage = await poll();
    assert.ok(["refused", "network"].includes(duringOutage), `poll during the outage: ${duringOutage}`);
    await startOwnSshd();
    await waitFor("a reconnect", async () => (connection.state === "connected" ? true : undefined), 10_000);
    assert.equal(await poll(), "ok");
    const sequence = states.map((event) => event.state);
    assert.deepEqual(sequence.slice(0, 3), ["connecting", "connected", "disconnected"]);
    assert.equal(sequence[sequence.length - 1], "connected");
    assert.ok(!sequence.includes("failed"), `never gave up: ${sequence.join(",")}`);
    const delays = states.filter((event) => event.retryInMs !== undefined).map((event) => event.retryInMs!);
    assert.ok(delays.length >= 1);
    assert.deepEqual(
      delays.slice(0, 3),
      [100, 200, 400].slice(0, Math.min(3, delays.length)),
      "exponential backoff",
    );
  });
});

/** PIDs whose parent is `parent`, from /proc. */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent PID; the command name before it may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === parent) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
