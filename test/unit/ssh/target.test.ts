import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultIdentityFiles, resolveSshTarget } from "../../../extension/ssh/target";

const env = { homeDir: "/home/me", localUser: "me", agentSocket: "/tmp/agent.sock" };

const CONFIG = `
Host hpc
  HostName login.hpc.example.org
  User ana
  IdentityFile ~/.ssh/id_hpc
  ProxyJump gate,inner:2022

Host gate
  HostName gate.example.org
  User gateuser
  IdentitiesOnly yes
  IdentityFile ~/.ssh/id_gate

Host loop
  ProxyJump loop
`;

describe("resolveSshTarget", () => {
  test("host, user, key and agent from the config", () => {
    const target = resolveSshTarget("Host a\n HostName a.example.org\n Port 2200\n", "a", env);
    assert.equal(target.clusterName, "a");
    assert.equal(target.host, "a.example.org");
    assert.equal(target.port, 2200);
    assert.equal(target.username, "me", "defaults to the local user");
    assert.deepEqual(target.identityFiles, defaultIdentityFiles("/home/me"));
    assert.equal(target.agentSocket, "/tmp/agent.sock");
    assert.equal(target.jump, undefined);
  });

  test("a ProxyJump chain: the last hop is reached through the first, each hop looked up in the config", () => {
    const target = resolveSshTarget(CONFIG, "hpc", env);
    assert.equal(target.host, "login.hpc.example.org");
    assert.equal(target.username, "ana");
    assert.deepEqual(target.identityFiles, ["/home/me/.ssh/id_hpc"]);
    const inner = target.jump!;
    assert.equal(inner.host, "inner");
    assert.equal(inner.port, 2022);
    const gate = inner.jump!;
    assert.equal(gate.host, "gate.example.org");
    assert.equal(gate.username, "gateuser");
    assert.equal(gate.agentSocket, undefined, "IdentitiesOnly: no agent keys");
    assert.deepEqual(gate.identityFiles, ["/home/me/.ssh/id_gate"]);
    assert.equal(gate.jump, undefined);
    assert.match(gate.clusterName, /hpc \(via gate\)/);
  });

  test("a looping chain is an error, not a hang", () => {
    assert.throws(() => resolveSshTarget(CONFIG, "loop", env), /too long or loops/);
  });
});
