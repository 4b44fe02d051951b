/**
 * String literal helpers: prefix/quote splitting and escape decoding (CPython's rules for
 * str and bytes literals; unknown escapes stay as written).
 */

export interface StringParts {
  /** Lower-cased prefix letters. */
  prefix: string;
  isBytes: boolean;
  isRaw: boolean;
  isFormat: boolean;
  /** Offset of the body inside the token text, and its end. */
  bodyStart: number;
  bodyEnd: number;
}

export function splitString(raw: string): StringParts {
  let i = 0;
  while (i < raw.length && raw[i] !== '"' && raw[i] !== "'") i++;
  const prefix = raw.slice(0, i).toLowerCase();
  const quote = raw[i];
  const triple = raw[i + 1] === quote && raw[i + 2] === quote && raw.length >= i + 6;
  const q = triple ? 3 : 1;
  return {
    prefix,
    isBytes: prefix.includes("b"),
    isRaw: prefix.includes("r"),
    isFormat: prefix.includes("f"),
    bodyStart: i + q,
    bodyEnd: raw.length - q,
  };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/**
 * Decodes escapes in a (non-raw) literal body. Returns undefined when the value cannot be
 * known cheaply (`\N{...}` names) or the escape is malformed (CPython's codec error).
 */
export function decodeEscapes(body: string, isBytes: boolean): string | undefined {
  if (!body.includes("\\")) return normalizeNewlines(body);
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c !== "\\") {
      if (c === "\r") {
        out += "\n";
        if (body[i + 1] === "\n") i++;
      } else out += c;
      i++;
      continue;
    }
    const d = body[i + 1];
    if (d === undefined) return undefined;
    if (d === "\n") {
      i += 2;
      continue;
    }
    if (d === "\r") {
      i += body[i + 2] === "\n" ? 3 : 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[d];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    if (d >= "0" && d <= "7") {
      let j = i + 1;
      let n = 0;
      while (j < body.length && j < i + 4 && body[j] >= "0" && body[j] <= "7") {
        n = n * 8 + (body.charCodeAt(j) - 48);
        j++;
      }
      out += String.fromCharCode(isBytes ? n & 0xff : n);
      i = j;
      continue;
    }
    const hexLength = d === "x" ? 2 : !isBytes && d === "u" ? 4 : !isBytes && d === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += 2 + hexLength;
      continue;
    }
    if (!isBytes && d === "N") return undefined;
    // Unknown escape: kept as written (CPython warns but keeps the backslash).
    out += c;
    i++;
  }
  return out;
}

function normalizeNewlines(body: string): string {
  return body.includes("\r") ? body.replace(/\r\n?/g, "\n") : body;
}

/** Whether a `\x`, `\u`, `\U` or `\N` escape is malformed (CPython: "(unicode error) ..."). */
export function findBadEscape(body: string, isBytes: boolean): string | null {
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== "\\") continue;
    const d = body[i + 1];
    i++;
    const hexLength = d === "x" ? 2 : !isBytes && d === "u" ? 4 : !isBytes && d === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLength);
      let valid = 0;
      while (valid < hex.length && /[0-9a-fA-F]/.test(hex[valid])) valid++;
      if (valid < hexLength) {
        // Positions count from the escape's backslash to its last valid character.
        const name = d === "x" ? "\\xXX" : d === "u" ? "\\uXXXX" : "\\UXXXXXXXX";
        if (isBytes) return `(value error) invalid \\x escape at position ${i - 1}`;
        return `(unicode error) 'unicodeescape' codec can't decode bytes in position ${i - 1}-${i + valid}: truncated ${name} escape`;
      }
    }
  }
  return null;
}
