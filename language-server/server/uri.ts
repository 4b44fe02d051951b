// Conversions between LSP document URIs and file-system paths (only `file:` URIs have paths).
import { fileURLToPath, pathToFileURL } from "node:url";

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}
