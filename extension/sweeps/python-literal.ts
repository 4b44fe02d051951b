/**
 * A tiny recogniser for Python literals in config values (`1e-3`, `32`, `True`, `'adam'`, `None`)
 * and a token-level normal form of value text, so two spellings of the same value compare equal.
 * Nothing is evaluated: a value that is not one literal is simply "not a literal".
 */

export type PythonLiteral =
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "none" };

const DIGITS = "[0-9](?:_?[0-9])*";
const INT_PATTERN =
  /^(?:0(?:_?0)*|[1-9](?:_?[0-9])*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$/;
const FLOAT_PATTERN = new RegExp(
  `^(?:(?:${DIGITS})?\\.${DIGITS}(?:[eE][+-]?${DIGITS})?|${DIGITS}\\.(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS})$`,
);

function parseIntLiteral(text: string): number | undefined {
  const plain = text.replaceAll("_", "");
  const prefix = plain.slice(0, 2).toLowerCase();
  const value =
    prefix === "0x" || prefix === "0o" || prefix === "0b"
      ? Number(`0${plain[1]!.toLowerCase()}${plain.slice(2)}`)
      : Number(plain);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A number token (no sign) as its value, or undefined when `text` is not a Python number. */
export function parseNumber(text: string): { kind: "int" | "float"; value: number } | undefined {
  if (INT_PATTERN.test(text)) {
    const value = parseIntLiteral(text);
    return value === undefined ? undefined : { kind: "int", value };
  }
  if (FLOAT_PATTERN.test(text)) {
    const value = Number(text.replaceAll("_", ""));
    return Number.isFinite(value) ? { kind: "float", value } : undefined;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "\n": "",
};

/** Decodes the body of a non-raw Python str literal; undefined for escapes this recogniser does not know. */
function decodeEscapes(body: string): string | undefined {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) return undefined;
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i++;
      continue;
    }
    const hex = /^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(body.slice(i + 1));
    if (hex) {
      const code = Number.parseInt(hex[1]!.slice(1), 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += hex[1]!.length;
      continue;
    }
    if (/[0-7N]/.test(next)) return undefined; // octal and \N{name}: rare in configs, not worth decoding
    out += `\\${next}`; // Python keeps unknown escapes as written
    i++;
  }
  return out;
}

export interface ScannedString {
  /** Decoded value, or undefined for bytes, f-strings and escapes the recogniser does not decode. */
  value: string | undefined;
  /** Index just after the closing quote. */
  end: number;
}

/** Scans a string literal (with optional prefix) starting at `start`; undefined if it is not closed. */
export function scanString(text: string, start: number): ScannedString | undefined {
  const prefix = /^[rRuUbBfF]{0,2}/.exec(text.slice(start))![0];
  const quoteStart = start + prefix.length;
  const quoteChar = text[quoteStart];
  if (quoteChar !== "'" && quoteChar !== '"') return undefined;
  const triple = text.startsWith(quoteChar.repeat(3), quoteStart);
  const delimiter = triple ? quoteChar.repeat(3) : quoteChar;
  const raw = /[rR]/.test(prefix);
  let i = quoteStart + delimiter.length;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "\\") {
      i += 2;
      continue;
    }
    if (!triple && char === "\n") return undefined;
    if (text.startsWith(delimiter, i)) {
      const body = text.slice(quoteStart + delimiter.length, i);
      const plainText = !/[bBfF]/.test(prefix);
      const value = !plainText ? undefined : raw ? body : decodeEscapes(body);
      return { value, end: i + delimiter.length };
    }
    i++;
  }
  return undefined;
}

/** The literal `source` spells, or undefined when it is anything else (a call, a name, a list, ...). */
export function recognizeLiteral(source: string): PythonLiteral | undefined {
  const text = source.trim();
  if (text === "True") return { kind: "bool", value: true };
  if (text === "False") return { kind: "bool", value: false };
  if (text === "None") return { kind: "none" };
  const signed = /^([+-])\s*(.*)$/s.exec(text);
  const number = parseNumber(signed ? signed[2]! : text);
  if (number) return signed?.[1] === "-" ? { ...number, value: -number.value || 0 } : number;
  if (/^[rRuU]?['"]/.test(text)) {
    const scanned = scanString(text, 0);
    if (scanned && scanned.end === text.length && scanned.value !== undefined)
      return { kind: "string", value: scanned.value };
  }
  return undefined;
}

const PYTHON_KEYWORDS = new Set(
  "and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

/**
 * Value text as a list of normalised tokens: whitespace, comments and trailing commas dropped,
 * numbers as their value, strings as their decoded value. `0.001` and `1e-3`, `'a'` and `"a"`,
 * `f(a , b,)` and `f(a, b)` give the same tokens; anything that changes the meaning does not.
 */
export function canonicalTokens(source: string): string[] {
  const tokens: string[] = [];
  /** Per open bracket: may a comma right before its closing bracket be dropped? */
  const brackets: boolean[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^(?:\s|\\\n)+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest[0] === "#") {
      const newline = rest.indexOf("\n");
      i += newline < 0 ? rest.length : newline;
      continue;
    }
    if (/^[rRuUbBfF]{0,2}['"]/.test(rest)) {
      const scanned = scanString(source, i);
      if (scanned) {
        tokens.push(
          scanned.value !== undefined ? `str:${JSON.stringify(scanned.value)}` : source.slice(i, scanned.end),
        );
        i = scanned.end;
        continue;
      }
    }
    const number = /^(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?[jJ]?/.exec(rest);
    if (number && !/^[jJ]$/.test(number[0].slice(-1))) {
      const parsed = parseNumber(number[0]);
      tokens.push(parsed ? `num:${parsed.value}` : number[0]);
      i += number[0].length;
      continue;
    }
    const word = /^(?:[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*|[0-9.]+[jJ]?)/u.exec(rest);
    if (word) {
      tokens.push(word[0]);
      i += word[0].length;
      continue;
    }
    const operator = /^(?:\*\*=?|\/\/=?|<<=?|>>=?|->|:=|[<>!=]=|[-+*/%@&|^~<>=.,:;()[\]{}])/.exec(rest);
    const token = operator ? operator[0] : rest[0]!;
    if (token === "(" || token === "[" || token === "{") {
      const previous = tokens[tokens.length - 1];
      // `f(a,)` is `f(a)`, but `(a,)` is a tuple and not `(a)`: only calls may lose a trailing comma.
      const isCall =
        token === "(" &&
        previous !== undefined &&
        !PYTHON_KEYWORDS.has(previous) &&
        /^(?:[\p{L}_]|str:|[)\]])/u.test(previous);
      brackets.push(token !== "(" || isCall);
    } else if (token === ")" || token === "]" || token === "}") {
      const trailingCommaIsNoise = brackets.pop() ?? false;
      if (trailingCommaIsNoise && tokens[tokens.length - 1] === ",") tokens.pop();
    }
    tokens.push(token);
    i += token.length;
  }
  return tokens;
}
