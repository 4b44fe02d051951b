import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { describeSshError, HostKeyChangedError, SshConnectionError } from "../../../extension/ssh/errors";

const context = { clusterName: "hpc", host: "login.example.org", port: 22, username: "ana" };

/** Errors shaped as ssh2 1.17 and node's net module raise them. */
function ssh2Error(message: string, extra: { level?: string; code?: string }): Error {
  return Object.assign(new Error(message), extra);
}

describe("describeSshError", () => {
  const cases: [string, Error, SshConnectionError["kind"], RegExp][] = [
    [
      "wrong key",
      ssh2Error("All configured authentication methods failed", { level: "client-authentication" }),
      "authentication",
      /Could not log in to cluster "hpc" as ana@login\.example\.org:22.*identityFile of this cluster in the thunder\.clusters setting/,
    ],
    [
      "rejected host key",
      ssh2Error("Host denied (verification failed)", { level: "handshake" }),
      "host-denied",
      /cluster "hpc".*host key was not accepted/,
    ],
    [
      "closed port",
      ssh2Error("connect ECONNREFUSED 127.0.0.1:22", { level: "client-socket", code: "ECONNREFUSED" }),
      "refused",
      /^Cluster "hpc" refused the connection on login\.example\.org:22.*host and port of this cluster in the thunder\.clusters setting/,
    ],
    [
      "handshake timeout",
      ssh2Error("Timed out while waiting for handshake", { level: "client-timeout" }),
      "timeout",
      /Connecting to cluster "hpc".*timed out.*ProxyJump/,
    ],
    [
      "unknown host name",
      ssh2Error("getaddrinfo ENOTFOUND login.example.org", { code: "ENOTFOUND" }),
      "host-not-found",
      /"login\.example\.org" of cluster "hpc" could not be resolved/,
    ],
    [
      "connection reset",
      ssh2Error("read ECONNRESET", { level: "client-socket", code: "ECONNRESET" }),
      "network",
      /was lost \(ECONNRESET\)/,
    ],
    [
      "anything else",
      new Error("strange"),
      "unknown",
      /SSH to cluster "hpc" \(ana@login\.example\.org:22\) failed: strange/,
    ],
  ];

  for (const [name, error, kind, message] of cases) {
    test(name, () => {
      const described = describeSshError(error, context);
      assert.equal(described.kind, kind);
      assert.match(described.message, message);
      assert.equal(described.clusterName, "hpc");
      assert.equal(described.cause, error);
    });
  }

  test("a cluster that was reachable before: gone away and retried, not a wrong address", () => {
    const refused = ssh2Error("connect ECONNREFUSED 127.0.0.1:22", { code: "ECONNREFUSED" });
    const gone = describeSshError(refused, context, { reachableBefore: true });
    assert.equal(gone.kind, "refused");
    assert.match(
      gone.message,
      /^Cluster "hpc" cannot be reached: nothing listens on login\.example\.org:22 any more/,
    );
    assert.match(gone.message, /reconnects by itself/);
    assert.doesNotMatch(gone.message, /Check the host and port/);
    const silent = describeSshError(ssh2Error("Timed out while connecting", { code: "ETIMEDOUT" }), context, {
      reachableBefore: true,
    });
    assert.equal(silent.kind, "timeout");
    assert.match(silent.message, /stopped answering on login\.example\.org:22/);
    // A wrong key stays a wrong key, whatever happened before.
    const login = describeSshError(
      ssh2Error("All configured authentication methods failed", { level: "client-authentication" }),
      context,
      { reachableBefore: true },
    );
    assert.equal(login.kind, "authentication");
  });

  test("our own errors pass through unchanged", () => {
    const changed = new HostKeyChangedError(context, "/home/ana/.ssh/known_hosts", "SHA256:abc", 7);
    assert.equal(describeSshError(changed, context), changed);
    assert.match(changed.message, /known_hosts:7/);
    assert.ok(changed.isPermanent);
  });

  test("only failures that a retry cannot fix are permanent", () => {
    const permanent = ["authentication", "host-denied", "host-key-changed", "host-key-revoked"];
    for (const kind of [
      "authentication",
      "refused",
      "timeout",
      "host-denied",
      "network",
      "unknown",
    ] as const) {
      assert.equal(new SshConnectionError(kind, "x", "hpc").isPermanent, permanent.includes(kind), kind);
    }
  });
});
