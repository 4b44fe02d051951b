/**
 * OpenSSH `known_hosts`: parsing (plain, `[host]:port` and hashed `|1|salt|hash` names, markers),
 * checking a presented host key, and appending an accepted one without ever leaving a half-written file.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import { matchesPattern } from "./ssh-config";

export interface KnownHostEntry {
  marker: "cert-authority" | "revoked" | undefined;
  /** The host field as written: comma-separated patterns, or one hashed name. */
  hosts: string;
  keyType: string;
  /** Base64 of the key blob. */
  keyBase64: string;
  line: number;
}

export type HostKeyStatus = "known" | "unknown" | "changed" | "revoked";

export interface HostKeyVerdict {
  status: HostKeyStatus;
  keyType: string;
  fingerprint: string;
  /** For `changed`: the line of the known_hosts file holding the old key. */
  conflictingLine?: number;
}

/** OpenSSH's fingerprint: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** The key type named inside an SSH wire-format public key blob (its first string). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error("The host key is too short to be an SSH public key.");
  const length = keyBlob.readUInt32BE(0);
  if (length > keyBlob.length - 4) throw new Error("The host key is not an SSH public key blob.");
  return keyBlob.subarray(4, 4 + length).toString("latin1");
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0].startsWith("@")) {
      const name = fields.shift()!.slice(1);
      if (name !== "cert-authority" && name !== "revoked") return; // unknown marker: ssh ignores the line
      marker = name;
    }
    if (fields.length < 3) return;
    entries.push({ marker, hosts: fields[0], keyType: fields[1], keyBase64: fields[2], line: index + 1 });
  });
  return entries;
}

/** How ssh names a host in known_hosts: `host`, or `[host]:port` for a port other than 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hashedNameMatches(hashed: string, name: string): boolean {
  const parts = hashed.split("|"); // "", "1", salt, hash
  if (parts.length !== 4 || parts[1] !== "1") return false;
  const salt = Buffer.from(parts[2], "base64");
  const expected = createHmac("sha1", salt).update(name).digest("base64");
  return expected === parts[3];
}

/** Does the host field of a line name this host (and port)? */
export function entryMatchesHost(hosts: string, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (hosts.startsWith("|")) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(",")) {
    if (pattern.startsWith("!")) {
      if (matchesPattern(name, pattern.slice(1))) return false;
    } else if (matchesPattern(name, pattern)) {
      matched = true;
    }
  }
  return matched;
}

/** Checks a presented host key against known_hosts lines, as ssh's StrictHostKeyChecking=ask would. */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyBlob: Buffer,
): HostKeyVerdict {
  const keyType = keyTypeOfBlob(keyBlob);
  const fingerprint = fingerprintSha256(keyBlob);
  const keyBase64 = keyBlob.toString("base64");
  const forHost = entries.filter((entry) => entryMatchesHost(entry.hosts, host, port));
  if (forHost.some((entry) => entry.marker === "revoked" && entry.keyBase64 === keyBase64)) {
    return { status: "revoked", keyType, fingerprint };
  }
  const plain = forHost.filter((entry) => entry.marker === undefined);
  if (plain.some((entry) => entry.keyType === keyType && entry.keyBase64 === keyBase64)) {
    return { status: "known", keyType, fingerprint };
  }
  const conflict = plain.find((entry) => entry.keyType === keyType);
  if (conflict) return { status: "changed", keyType, fingerprint, conflictingLine: conflict.line };
  return { status: "unknown", keyType, fingerprint };
}

/** One known_hosts line for a host key; hashed like `HashKnownHosts yes` when asked. */
export function formatKnownHostLine(host: string, port: number, keyBlob: Buffer, hashed = false): string {
  let name = knownHostName(host, port);
  if (hashed) {
    const salt = randomBytes(20);
    name = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  }
  return `${name} ${keyTypeOfBlob(keyBlob)} ${keyBlob.toString("base64")}`;
}

/** Reads and parses a known_hosts file; a missing file is an empty one. */
export async function readKnownHostsFile(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await fs.readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Appends in flight per file: two connections accepting keys at once must not lose one. */
const pendingAppends = new Map<string, Promise<void>>();

/**
 * Appends an accepted host key. Writes a complete copy beside the file and renames it over the
 * original, so a crash or a concurrent reader never sees a truncated known_hosts.
 */
export function appendKnownHost(
  path: string,
  host: string,
  port: number,
  keyBlob: Buffer,
  options: { hashed?: boolean } = {},
): Promise<void> {
  const previous = pendingAppends.get(path) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() => writeWithAppendedLine(path, formatKnownHostLine(host, port, keyBlob, options.hashed)));
  pendingAppends.set(path, next);
  const forget = () => {
    if (pendingAppends.get(path) === next) pendingAppends.delete(path);
  };
  next.then(forget, forget);
  return next;
}

async function writeWithAppendedLine(path: string, line: string): Promise<void> {
  let existing = "";
  let mode = 0o600;
  try {
    existing = await fs.readFile(path, "utf8");
    mode = (await fs.stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  }
  if (existing !== "" && !existing.endsWith("\n")) existing += "\n";
  const content = existing + line + "\n";
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await fs.writeFile(temporary, content, { mode });
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
