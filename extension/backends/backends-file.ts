/**
 * Reading and writing backends.yml on disk. A write re-reads the file and compares it with the
 * snapshot the user's edit was based on, refuses files that do not parse, and replaces the file
 * atomically (temp file in the same folder + rename) keeping its mode.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { type BackendsModel, readBackendsModel } from "./backends-document";
import { applyBackendsEdit, type BackendsEdit } from "./backends-edits";

export { BackendsEditError, BackendsParseError } from "./backends-edits";

export interface BackendsSnapshot {
  path: string;
  exists: boolean;
  text: string;
  /** sha256 of the bytes read ("" content when the file is missing). */
  hash: string;
}

/** The file changed on disk since it was read; nothing was written. */
export class BackendsConflictError extends Error {
  constructor(readonly filePath: string) {
    super(
      `${filePath} was changed outside the editor since it was read. Reload it and try again; nothing was written.`,
    );
    this.name = "BackendsConflictError";
  }
}

export async function readBackendsSnapshot(filePath: string): Promise<BackendsSnapshot> {
  let bytes: Buffer | undefined;
  try {
    bytes = await fs.readFile(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const text = bytes === undefined ? "" : bytes.toString("utf8");
  return { path: filePath, exists: bytes !== undefined, text, hash: hashOf(bytes, bytes !== undefined) };
}

export async function readBackendsFile(
  filePath: string,
): Promise<{ snapshot: BackendsSnapshot; model: BackendsModel }> {
  const snapshot = await readBackendsSnapshot(filePath);
  return { snapshot, model: readBackendsModel(snapshot.text) };
}

/**
 * Applies `edit` to the file described by `snapshot`. Throws BackendsConflictError when the file
 * is not what the snapshot saw, BackendsParseError when it does not parse, BackendsEditError when
 * the edit is invalid; in every error case the file is untouched. A missing file (and its folder)
 * is created. Returns the snapshot of what was written.
 */
export async function writeBackendsEdit(
  snapshot: BackendsSnapshot,
  edit: BackendsEdit,
): Promise<BackendsSnapshot> {
  const current = await readBackendsSnapshot(snapshot.path);
  if (current.hash !== snapshot.hash) throw new BackendsConflictError(snapshot.path);
  const nextText = applyBackendsEdit(current.text, edit);
  await writeAtomically(snapshot.path, nextText, current.exists);
  const bytes = Buffer.from(nextText, "utf8");
  return { path: snapshot.path, exists: true, text: nextText, hash: hashOf(bytes, true) };
}

async function writeAtomically(filePath: string, text: string, exists: boolean): Promise<void> {
  const folder = path.dirname(filePath);
  let mode = 0o644;
  if (exists) mode = (await fs.stat(filePath)).mode & 0o7777;
  else await fs.mkdir(folder, { recursive: true });
  const tempPath = path.join(folder, `.${path.basename(filePath)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await fs.open(tempPath, "wx", mode);
    try {
      await handle.writeFile(text, "utf8");
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, filePath);
  } catch (error) {
    await fs.rm(tempPath, { force: true });
    throw error;
  }
}

function hashOf(bytes: Buffer | undefined, exists: boolean): string {
  // A missing file and an empty file are different states: creating one must not race the other.
  return createHash("sha256")
    .update(exists ? "file:" : "missing:")
    .update(bytes ?? Buffer.alloc(0))
    .digest("hex");
}
