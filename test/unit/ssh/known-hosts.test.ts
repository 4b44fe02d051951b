import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { utils } from "ssh2";
import {
  appendKnownHost,
  entryMatchesHost,
  fingerprintSha256,
  formatKnownHostLine,
  keyTypeOfBlob,
  knownHostName,
  parseKnownHosts,
  readKnownHostsFile,
  verifyHostKey,
} from "../../../extension/ssh/known-hosts";

/** A fresh ed25519 public key blob, in SSH wire format. */
function newHostKey(): Buffer {
  const { public: publicKey } = utils.generateKeyPairSync("ed25519");
  return Buffer.from(publicKey.split(" ")[1], "base64");
}

const keyA = newHostKey();
const keyB = newHostKey();
const folder = mkdtempSync(join(tmpdir(), "known-hosts-"));
after(() => rmSync(folder, { recursive: true, force: true }));

const hasSshKeygen = spawnSync("ssh-keygen", ["-?"]).error === undefined;

describe("known_hosts parsing", () => {
  test("plain, bracketed, marker and comment lines", () => {
    const entries = parseKnownHosts(
      [
        "# comment",
        "",
        `login.example.org,10.0.0.1 ssh-ed25519 ${keyA.toString("base64")} admin@x`,
        `[login.example.org]:2222 ssh-ed25519 ${keyB.toString("base64")}`,
        `@revoked * ssh-ed25519 ${keyB.toString("base64")}`,
        `@cert-authority *.example.org ssh-ed25519 ${keyA.toString("base64")}`,
        "@unknown-marker x ssh-ed25519 AAAA",
        "broken-line-with-one-field",
      ].join("\n"),
    );
    assert.equal(entries.length, 4);
    assert.deepEqual(
      entries.map((entry) => [entry.marker, entry.hosts, entry.line]),
      [
        [undefined, "login.example.org,10.0.0.1", 3],
        [undefined, "[login.example.org]:2222", 4],
        ["revoked", "*", 5],
        ["cert-authority", "*.example.org", 6],
      ],
    );
  });

  test("host names: port 22 plain, others bracketed", () => {
    assert.equal(knownHostName("h", 22), "h");
    assert.equal(knownHostName("h", 2222), "[h]:2222");
    assert.ok(entryMatchesHost("a,h,b", "h", 22));
    assert.ok(!entryMatchesHost("h", "h", 2222), "a port-22 entry does not cover another port");
    assert.ok(entryMatchesHost("[h]:2222", "h", 2222));
    assert.ok(entryMatchesHost("*.example.org,!bad.example.org", "ok.example.org", 22));
    assert.ok(!entryMatchesHost("*.example.org,!bad.example.org", "bad.example.org", 22));
  });

  test("key type comes from the blob", () => {
    assert.equal(keyTypeOfBlob(keyA), "ssh-ed25519");
    assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1])), /not an SSH public key/);
  });
});

describe("verifyHostKey", () => {
  const entries = parseKnownHosts(`[cluster]:2222 ssh-ed25519 ${keyA.toString("base64")}\n`);

  test("known, changed and unknown", () => {
    assert.equal(verifyHostKey(entries, "cluster", 2222, keyA).status, "known");
    const changed = verifyHostKey(entries, "cluster", 2222, keyB);
    assert.equal(changed.status, "changed");
    assert.equal(changed.conflictingLine, 1);
    assert.equal(verifyHostKey(entries, "cluster", 22, keyB).status, "unknown");
    assert.equal(verifyHostKey(entries, "elsewhere", 2222, keyA).status, "unknown");
  });

  test("a revoked key is refused even when also listed as known", () => {
    const withRevoked = parseKnownHosts(
      `cluster ssh-ed25519 ${keyA.toString("base64")}\n@revoked * ssh-ed25519 ${keyA.toString("base64")}\n`,
    );
    assert.equal(verifyHostKey(withRevoked, "cluster", 22, keyA).status, "revoked");
  });

  test("hashed entries match their host only", () => {
    const line = formatKnownHostLine("cluster", 2222, keyA, true);
    assert.match(line, /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    const hashed = parseKnownHosts(line);
    assert.equal(verifyHostKey(hashed, "cluster", 2222, keyA).status, "known");
    assert.equal(verifyHostKey(hashed, "cluster", 2222, keyB).status, "changed");
    assert.equal(verifyHostKey(hashed, "cluster", 22, keyA).status, "unknown");
  });

  test("fingerprint is SHA256: plus unpadded base64", () => {
    const fingerprint = fingerprintSha256(keyA);
    assert.match(fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(verifyHostKey([], "x", 22, keyA).fingerprint, fingerprint);
  });
});

describe("appendKnownHost", () => {
  test("creates the file and folder, then appends; readable back", async () => {
    const path = join(folder, "new", ".ssh", "known_hosts");
    assert.deepEqual(await readKnownHostsFile(path), []);
    await appendKnownHost(path, "cluster", 2222, keyA);
    await appendKnownHost(path, "other", 22, keyB, { hashed: true });
    const entries = await readKnownHostsFile(path);
    assert.equal(verifyHostKey(entries, "cluster", 2222, keyA).status, "known");
    assert.equal(verifyHostKey(entries, "other", 22, keyB).status, "known");
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test("keeps existing lines (also without a final newline) and the file mode", async () => {
    const path = join(folder, "existing");
    writeFileSync(path, `# mine\nold ssh-ed25519 ${keyB.toString("base64")}`, { mode: 0o644 });
    await appendKnownHost(path, "cluster", 22, keyA);
    const text = readFileSync(path, "utf8");
    assert.ok(text.startsWith(`# mine\nold ssh-ed25519 ${keyB.toString("base64")}\ncluster ssh-ed25519 `));
    assert.ok(text.endsWith("\n"));
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  test("concurrent appends keep both lines and leave no temporary files", async () => {
    const path = join(folder, "concurrent");
    await Promise.all([appendKnownHost(path, "a", 22, keyA), appendKnownHost(path, "b", 22, keyB)]);
    const entries = parseKnownHosts(readFileSync(path, "utf8"));
    assert.deepEqual(
      entries.map((entry) => [entry.hosts, entry.keyBase64]),
      [
        ["a", keyA.toString("base64")],
        ["b", keyB.toString("base64")],
      ],
    );
    const leftovers = spawnSync("ls", ["-a", folder], { encoding: "utf8" }).stdout;
    assert.ok(!leftovers.includes(".tmp"), leftovers);
  });
});

describe("agrees with OpenSSH's ssh-keygen", { skip: !hasSshKeygen && "ssh-keygen is not installed" }, () => {
  test("entries hashed by ssh-keygen -H are found; our hashed lines are found by ssh-keygen -F", async () => {
    const path = join(folder, "openssh");
    writeFileSync(path, `[cluster.example.org]:2222 ssh-ed25519 ${keyA.toString("base64")}\n`);
    const hash = spawnSync("ssh-keygen", ["-H", "-f", path], { encoding: "utf8" });
    assert.equal(hash.status, 0, hash.stderr);
    const hashed = await readKnownHostsFile(path);
    assert.ok(hashed[0].hosts.startsWith("|1|"), "ssh-keygen hashed the name");
    assert.equal(verifyHostKey(hashed, "cluster.example.org", 2222, keyA).status, "known");
    assert.equal(verifyHostKey(hashed, "cluster.example.org", 22, keyA).status, "unknown");

    const ours = join(folder, "ours");
    await appendKnownHost(ours, "login.example.org", 2200, keyB, { hashed: true });
    const found = spawnSync("ssh-keygen", ["-F", "[login.example.org]:2200", "-f", ours], {
      encoding: "utf8",
    });
    assert.equal(found.status, 0, `ssh-keygen did not find our hashed line: ${found.stdout}${found.stderr}`);
  });

  test("the fingerprint equals ssh-keygen -l", () => {
    const path = join(folder, "key.pub");
    writeFileSync(path, `ssh-ed25519 ${keyA.toString("base64")} test\n`);
    const listed = spawnSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path], { encoding: "utf8" });
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout.split(" ")[1], fingerprintSha256(keyA));
  });
});
