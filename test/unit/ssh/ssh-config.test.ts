import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  hostPatternsMatch,
  listHostAliases,
  matchesPattern,
  parseProxyJump,
  resolveHostConfig,
  type SshConfigEnvironment,
} from "../../../extension/ssh/ssh-config";

const env: SshConfigEnvironment = { homeDir: "/home/me", localUser: "me" };

const CONFIG = `
# global defaults come first in many configs
ServerAliveInterval 30

Host *.cluster !bad.cluster
  User alice

Host gpu
  HostName gpu.example.org
  Port 2200
  IdentityFile ~/.ssh/id_gpu
  ProxyJump bastion

Host gpu bastion
  User bob
  Port 2201
  IdentityFile ~/.ssh/id_%h

Host=quoted
  HostName="login node.example.org"

Host h?
  HostName %h.example.org

Host *
  User fallback
  IdentitiesOnly yes
`;

describe("ssh config patterns", () => {
  test("* and ? wildcards", () => {
    assert.ok(matchesPattern("login1.cluster", "*.cluster"));
    assert.ok(matchesPattern("h1", "h?"));
    assert.ok(!matchesPattern("h12", "h?"));
    assert.ok(matchesPattern("GPU", "gpu"), "host matching ignores case");
    assert.ok(!matchesPattern("a.b", "a?c"));
  });

  test("a negated pattern vetoes the whole Host line", () => {
    assert.ok(hostPatternsMatch("good.cluster", ["*.cluster", "!bad.cluster"]));
    assert.ok(!hostPatternsMatch("bad.cluster", ["*.cluster", "!bad.cluster"]));
    assert.ok(!hostPatternsMatch("x", ["!y"]), "negation alone matches nothing");
  });
});

describe("resolveHostConfig", () => {
  test("first value wins, identity files accumulate, ~ and %h expand", () => {
    const gpu = resolveHostConfig(CONFIG, "gpu", env);
    assert.equal(gpu.hostName, "gpu.example.org");
    assert.equal(gpu.user, "bob");
    assert.equal(gpu.port, 2200);
    assert.equal(gpu.proxyJump, "bastion");
    assert.deepEqual(gpu.identityFiles, ["/home/me/.ssh/id_gpu", "/home/me/.ssh/id_gpu.example.org"]);
    assert.equal(gpu.identitiesOnly, true);
  });

  test("negated hosts fall through to later blocks", () => {
    assert.equal(resolveHostConfig(CONFIG, "login.cluster", env).user, "alice");
    assert.equal(resolveHostConfig(CONFIG, "bad.cluster", env).user, "fallback");
  });

  test("Keyword=value and quoted values", () => {
    assert.equal(resolveHostConfig(CONFIG, "quoted", env).hostName, "login node.example.org");
  });

  test("an unknown alias is its own host name on port 22", () => {
    const other = resolveHostConfig("", "somewhere", env);
    assert.equal(other.hostName, "somewhere");
    assert.equal(other.port, 22);
    assert.equal(other.user, undefined);
    assert.deepEqual(other.identityFiles, []);
  });

  test("%h in HostName is the alias", () => {
    assert.equal(resolveHostConfig(CONFIG, "h7", env).hostName, "h7.example.org");
  });

  test("ProxyJump none means no jump", () => {
    assert.equal(resolveHostConfig("Host a\n ProxyJump none\n", "a", env).proxyJump, undefined);
  });

  test("Include pulls in files relative to ~/.ssh, with wildcards", () => {
    const files: Record<string, string> = {
      "/home/me/.ssh/config.d/10-cluster": "Host cl\n  HostName cl.example.org\n  User carol\n",
      "/home/me/.ssh/config.d/20-other": "Host other\n  HostName other.example.org\n",
    };
    const withInclude: SshConfigEnvironment = {
      ...env,
      readFile: (path) => files[path],
      listDir: (path) =>
        path === "/home/me/.ssh/config.d" ? Object.keys(files).map((file) => file.split("/").pop()!) : [],
    };
    const config = "Include config.d/*\nHost *\n  User nobody\n";
    const cluster = resolveHostConfig(config, "cl", withInclude);
    assert.equal(cluster.hostName, "cl.example.org");
    assert.equal(cluster.user, "carol");
    assert.deepEqual(listHostAliases(config, withInclude), ["cl", "other"]);
  });

  test("Include of itself does not loop forever", () => {
    const selfInclude: SshConfigEnvironment = { ...env, readFile: () => "Include config\nHost x\n User y\n" };
    assert.equal(resolveHostConfig("Include config\n", "x", selfInclude).user, "y");
  });

  test("lists concrete aliases only", () => {
    assert.deepEqual(listHostAliases(CONFIG, env), ["gpu", "bastion", "quoted"]);
  });
});

describe("parseProxyJump", () => {
  test("user, host and port of each hop", () => {
    assert.deepEqual(parseProxyJump("bastion"), [{ user: undefined, host: "bastion", port: undefined }]);
    assert.deepEqual(parseProxyJump("me@jump.example.org:2022,inner"), [
      { user: "me", host: "jump.example.org", port: 2022 },
      { user: undefined, host: "inner", port: undefined },
    ]);
    assert.deepEqual(parseProxyJump("ssh://u@[::1]:22"), [{ user: "u", host: "::1", port: 22 }]);
  });

  test("a hop without a host is an error", () => {
    assert.throws(() => parseProxyJump("user@"), /without a host/);
  });
});

const hasSsh = spawnSync("ssh", ["-V"]).status === 0;

describe("agrees with OpenSSH's own resolution (ssh -G)", { skip: !hasSsh && "ssh is not installed" }, () => {
  test("hostname, user, port, proxyjump and identity files per alias", () => {
    const folder = mkdtempSync(join(tmpdir(), "ssh-config-"));
    try {
      const path = join(folder, "config");
      writeFileSync(path, CONFIG);
      for (const alias of ["gpu", "bastion", "login.cluster", "bad.cluster", "quoted", "h7", "plain"]) {
        const result = spawnSync("ssh", ["-G", "-F", path, alias], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
        assert.equal(result.status, 0, result.stderr);
        const lines = result.stdout.split("\n").map((line) => line.split(" "));
        const value = (key: string) =>
          lines
            .find(([name]) => name === key)
            ?.slice(1)
            .join(" ");
        const ours = resolveHostConfig(CONFIG, alias, env);
        assert.equal(ours.hostName, value("hostname"), `${alias}: hostname`);
        assert.equal(ours.user ?? "fallback", value("user"), `${alias}: user`);
        assert.equal(String(ours.port), value("port"), `${alias}: port`);
        assert.equal(ours.proxyJump, value("proxyjump"), `${alias}: proxyjump`);
        const theirFiles = lines.filter(([name]) => name === "identityfile").length;
        // Without IdentityFile lines ssh -G lists its defaults (id_rsa, ...); ours lists none.
        if (ours.identityFiles.length > 0)
          assert.equal(ours.identityFiles.length, theirFiles, `${alias}: identity files`);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
