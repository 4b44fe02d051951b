/**
 * The service's view of files that are not open in the editor: plain synchronous reads
 * (the service is synchronous), bounded in size, and never throwing.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import type { FileSystemHost } from "../service";

/** Larger files are not configs anyone writes by hand; reading them would only stall typing. */
export const maxReadableFileBytes = 5 * 1024 * 1024;

export function createNodeFileSystemHost(maxBytes = maxReadableFileBytes): FileSystemHost {
  return {
    readFile(path) {
      try {
        const stats = statSync(path);
        if (!stats.isFile() || stats.size > maxBytes) return undefined;
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    stat(path) {
      try {
        const stats = statSync(path);
        if (stats.isFile()) return "file";
        if (stats.isDirectory()) return "directory";
        return undefined;
      } catch {
        return undefined;
      }
    },
    readDirectory(path) {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
