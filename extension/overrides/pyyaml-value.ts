/**
 * What thunder makes of the VALUE in `-u NAME=VALUE`: it calls PyYAML 6 `yaml.safe_load`, whose
 * YAML 1.1 resolver has traps (`1e-3` is a string, `no` is False, `012` is 10, `1:30` is 90).
 * Structure (flow lists/maps, quotes, comments) is parsed with the `yaml` package in failsafe mode;
 * plain scalars are then resolved with PyYAML's own implicit rules, re-implemented here and
 * checked against the real PyYAML in the tests.
 */
import {
  CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type Node,
  parseAllDocuments,
  type Scalar,
} from "yaml";

export type YamlValueType =
  | "int"
  | "float"
  | "str"
  | "bool"
  | "null"
  | "list"
  | "dict"
  | "date"
  | "timestamp";

export type YamlValueWarningCode =
  | "exponent-string"
  | "octal-0o-string"
  | "yes-no-bool"
  | "octal"
  | "hex"
  | "binary"
  | "underscores"
  | "base-60"
  | "date"
  | "empty";

export interface YamlValueWarning {
  code: YamlValueWarningCode;
  message: string;
}

export type OverrideValue =
  | {
      ok: true;
      type: YamlValueType;
      /** The value as Python prints it (`str()` for scalars, `repr()` for lists and dicts). */
      display: string;
      warnings: YamlValueWarning[];
    }
  | { ok: false; message: string };

/** Interprets a `-u` value exactly as `yaml.safe_load` would. */
export function interpretOverrideValue(text: string): OverrideValue {
  if (/^\s*%/.test(text)) return { ok: false, message: "Not valid YAML: a value cannot start with %." };
  if (hasTabOutsideQuotes(text)) {
    return {
      ok: false,
      message: "Not valid YAML: PyYAML does not accept tabs outside quotes; quote the value.",
    };
  }
  const documents = parseAllDocuments(text, { version: "1.1", schema: "failsafe", uniqueKeys: false });
  // An empty stream (nothing, or only comments) is None for PyYAML.
  if (!Array.isArray(documents) || documents.length === 0) return resolved(NULL, [emptyWarning()]);
  if (documents.length > 1)
    return { ok: false, message: "The value holds several YAML documents (---); use one." };
  const document = documents[0];
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    return { ok: false, message: `Not valid YAML: ${yamlError.message.split("\n")[0]}` };
  }
  const warnings: YamlValueWarning[] = [];
  try {
    const value = construct(document.contents as Node | null, document, warnings);
    if (document.contents === null) warnings.push(emptyWarning());
    return resolved(value, warnings);
  } catch (error) {
    if (error instanceof ConstructError) return { ok: false, message: error.message };
    throw error;
  }
}

/** PyYAML's scanner rejects tabs except inside quoted or block scalars and comments. */
function hasTabOutsideQuotes(text: string): boolean {
  if (!text.includes("\t")) return false;
  const allowed = new Set(["double-quoted-scalar", "single-quoted-scalar", "comment", "block-scalar"]);
  for (const token of new Lexer().lex(text)) {
    if (token.includes("\t") && !allowed.has(CST.tokenType(token) ?? "")) return true;
  }
  return false;
}

function resolved(value: PyValue, warnings: YamlValueWarning[]): OverrideValue {
  const unique = warnings.filter(
    (warning, index) => warnings.findIndex((other) => other.message === warning.message) === index,
  );
  const type = value.type;
  const display = type === "list" || type === "dict" ? pythonRepr(value) : pythonStr(value);
  return { ok: true, type, display, warnings: unique };
}

class ConstructError extends Error {}

/** A Python value, as far as we need it to print it the way Python does. */
type PyValue =
  | { type: "int"; python: bigint }
  | { type: "float"; python: number }
  | { type: "str"; python: string }
  | { type: "bool"; python: boolean }
  | { type: "null"; python: null }
  | { type: "date"; python: string }
  | { type: "timestamp"; python: string; repr: string }
  | { type: "list"; python: PyValue[] }
  | { type: "dict"; python: [PyValue, PyValue][] };

const NULL: PyValue = { type: "null", python: null };

function construct(node: Node | null, document: Document, warnings: YamlValueWarning[]): PyValue {
  if (node === null) return NULL;
  if (isAlias(node)) {
    const target = node.resolve(document);
    if (target === undefined)
      throw new ConstructError(`Not valid YAML: the alias *${node.source} is not defined.`);
    return construct(target as Node, document, []);
  }
  if (isSeq(node)) {
    rejectTag(node.tag, "tag:yaml.org,2002:seq");
    return {
      type: "list",
      python: node.items.map((item) => construct(item as Node | null, document, warnings)),
    };
  }
  if (isMap(node)) {
    rejectTag(node.tag, "tag:yaml.org,2002:map");
    const explicit: [PyValue, PyValue][] = [];
    const merged: [PyValue, PyValue][] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      if (
        isScalar(keyNode) &&
        keyNode.type === "PLAIN" &&
        keyNode.tag === undefined &&
        keyNode.value === "<<"
      ) {
        merged.push(...mergedPairs(construct(valueNode, document, warnings)));
        continue;
      }
      const key = construct(keyNode, document, warnings);
      if (key.type === "list" || key.type === "dict") {
        throw new ConstructError("A list or mapping cannot be a mapping key (found unhashable key).");
      }
      explicit.push([key, construct(valueNode, document, warnings)]);
    }
    // Like PyYAML: merged pairs come first, so explicit keys override them.
    const pairs: [PyValue, PyValue][] = [];
    for (const [key, value] of [...merged, ...explicit]) setPair(pairs, key, value);
    return { type: "dict", python: pairs };
  }
  if (isScalar(node)) return constructScalar(node as Scalar<string>, warnings);
  throw new ConstructError("Unsupported YAML node.");
}

function rejectTag(tag: string | undefined, allowed: string): void {
  if (tag !== undefined && tag !== "!" && tag !== allowed)
    throw new ConstructError(`safe_load cannot construct the tag ${tag}.`);
}

/** The pairs a merge key (`<<`) brings in, in PyYAML's order (later lists first, so earlier ones win). */
function mergedPairs(merged: PyValue): [PyValue, PyValue][] {
  const sources = merged.type === "list" ? merged.python : [merged];
  if (sources.some((source) => source.type !== "dict")) {
    throw new ConstructError("A merge key (<<) needs a mapping or a list of mappings.");
  }
  return [...sources].reverse().flatMap((source) => source.python as [PyValue, PyValue][]);
}

function setPair(pairs: [PyValue, PyValue][], key: PyValue, value: PyValue): void {
  const index = pairs.findIndex(([existing]) => sameKey(existing, key));
  if (index === -1) pairs.push([key, value]);
  else pairs[index] = [pairs[index][0], value];
}

function sameKey(left: PyValue, right: PyValue): boolean {
  const numeric = (value: PyValue) =>
    value.type === "int"
      ? Number(value.python)
      : value.type === "float"
        ? value.python
        : value.type === "bool"
          ? Number(value.python)
          : undefined;
  const a = numeric(left);
  const b = numeric(right);
  if (a !== undefined || b !== undefined) return a === b;
  return left.type === right.type && pythonStr(left) === pythonStr(right);
}

// PyYAML 6 implicit resolvers (YAML 1.1), tried in this order.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL_FORMS = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;
const TIMESTAMP_PARTS =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

// Strings that look like numbers to a person but not to YAML 1.1.
const EXPONENT_WITHOUT_DOT_OR_SIGN = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$/;
const PYTHON_OCTAL = /^[-+]?0o[0-7_]+$/i;

const BOOL_TRUE = new Set(["yes", "true", "on"]);

function constructScalar(node: Scalar<string>, warnings: YamlValueWarning[]): PyValue {
  const text = String(node.value);
  // PyYAML resolves the non-specific tag `!` like an untagged value.
  const tag = node.tag === "!" ? undefined : node.tag;
  if (tag !== undefined) return constructTagged(tag, text);
  if (node.type !== "PLAIN") return { type: "str", python: text };
  if (BOOL.test(text)) {
    const value = BOOL_TRUE.has(text.toLowerCase());
    if (!/^(?:true|false)$/i.test(text)) {
      warnings.push({
        code: "yes-no-bool",
        message: `${text} is read as the boolean ${value ? "True" : "False"} (YAML 1.1); quote it ('${text}') for the text.`,
      });
    }
    return { type: "bool", python: value };
  }
  if (FLOAT.test(text)) return constructFloat(text, warnings);
  if (INT.test(text)) return constructInt(text, warnings);
  if (text === "<<" || text === "=") {
    throw new ConstructError(`safe_load cannot construct the plain value "${text}"; quote it.`);
  }
  if (NULL_FORMS.test(text)) return NULL;
  if (TIMESTAMP.test(text)) return constructTimestamp(text, warnings);
  if (EXPONENT_WITHOUT_DOT_OR_SIGN.test(text)) {
    warnings.push({
      code: "exponent-string",
      message: `${text} is read as the text "${text}", not a number: YAML 1.1 floats need a dot and a signed exponent (write ${suggestFloat(text)}).`,
    });
  } else if (PYTHON_OCTAL.test(text)) {
    warnings.push({
      code: "octal-0o-string",
      message: `${text} is read as the text "${text}": YAML 1.1 has no 0o prefix (write ${suggestOctal(text)} for the number).`,
    });
  }
  return { type: "str", python: text };
}

function constructTagged(tag: string, text: string): PyValue {
  switch (tag) {
    case "tag:yaml.org,2002:str":
      return { type: "str", python: text };
    case "tag:yaml.org,2002:null":
      return NULL;
    case "tag:yaml.org,2002:bool": {
      const lower = text.toLowerCase();
      if (!["yes", "no", "true", "false", "on", "off"].includes(lower)) {
        throw new ConstructError(`!!bool cannot read "${text}".`);
      }
      return { type: "bool", python: BOOL_TRUE.has(lower) };
    }
    case "tag:yaml.org,2002:int":
      return constructInt(text, []);
    case "tag:yaml.org,2002:float":
      return constructFloat(text, []);
    default:
      throw new ConstructError(`safe_load cannot construct the tag ${tag}.`);
  }
}

function constructInt(source: string, warnings: YamlValueWarning[]): PyValue {
  let text = source.replace(/_/g, "");
  const hadUnderscores = text !== source;
  let sign = 1n;
  if (text.startsWith("-")) sign = -1n;
  if (text[0] === "-" || text[0] === "+") text = text.slice(1);
  const fail = () => new ConstructError(`${source} is not a valid YAML 1.1 integer.`);
  let value: bigint;
  if (text === "0") value = 0n;
  else if (text.startsWith("0b")) value = parseDigits(text.slice(2), 2n, fail);
  else if (text.startsWith("0x")) value = parseDigits(text.slice(2), 16n, fail);
  else if (text.startsWith("0")) value = parseDigits(text, 8n, fail);
  else if (text.includes(":")) {
    value = 0n;
    for (const part of text.split(":")) value = value * 60n + parseDigits(part, 10n, fail);
  } else value = parseDigits(text, 10n, fail);
  value *= sign;
  const display = value.toString();
  if (hadUnderscores) {
    warnings.push({
      code: "underscores",
      message: `${source} is read as ${display}: YAML 1.1 ignores the underscores.`,
    });
  }
  if (text.startsWith("0b")) {
    warnings.push({ code: "binary", message: `${source} is read as the binary number ${display}.` });
  } else if (text.startsWith("0x")) {
    warnings.push({ code: "hex", message: `${source} is read as the hexadecimal number ${display}.` });
  } else if (text.startsWith("0") && text !== "0" && /[1-7]/.test(text)) {
    warnings.push({
      code: "octal",
      message: `${source} has a leading zero, so YAML 1.1 reads it as the octal number ${display}; drop the zero or quote it.`,
    });
  } else if (text.includes(":")) {
    warnings.push({
      code: "base-60",
      message: `${source} is read as the base-60 number ${display} (YAML 1.1); quote it ('${source}') for the text.`,
    });
  }
  return { type: "int", python: value };
}

function parseDigits(digits: string, base: bigint, fail: () => Error): bigint {
  if (digits === "") throw fail();
  let value = 0n;
  for (const character of digits.toLowerCase()) {
    const digit = BigInt(Number.parseInt(character, 36));
    if (Number.isNaN(Number.parseInt(character, 36)) || digit >= base) throw fail();
    value = value * base + digit;
  }
  return value;
}

function constructFloat(source: string, warnings: YamlValueWarning[]): PyValue {
  let text = source.replace(/_/g, "").toLowerCase();
  if (text !== source.toLowerCase()) {
    warnings.push({
      code: "underscores",
      message: `${source} is read as ${text}: YAML 1.1 ignores the underscores.`,
    });
  }
  let sign = 1;
  if (text.startsWith("-")) sign = -1;
  if (text[0] === "-" || text[0] === "+") text = text.slice(1);
  if (text === ".inf") return { type: "float", python: sign * Number.POSITIVE_INFINITY };
  if (text === ".nan") return { type: "float", python: Number.NaN };
  if (text.includes(":")) {
    // Same order of operations as PyYAML so the rounding is the same.
    const digits = text
      .split(":")
      .map((part) => pythonFloat(part, source))
      .reverse();
    let base = 1;
    let value = 0;
    for (const digit of digits) {
      value += digit * base;
      base *= 60;
    }
    warnings.push({
      code: "base-60",
      message: `${source} is read as the base-60 number ${floatRepr(sign * value)} (YAML 1.1); quote it for the text.`,
    });
    return { type: "float", python: sign * value };
  }
  return { type: "float", python: sign * pythonFloat(text, source) };
}

function pythonFloat(text: string, source: string): number {
  if (!/^(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/.test(text)) {
    throw new ConstructError(`${source} is not a valid YAML 1.1 float.`);
  }
  return Number(text);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function constructTimestamp(text: string, warnings: YamlValueWarning[]): PyValue {
  const parts = TIMESTAMP_PARTS.exec(text);
  if (parts === null) throw new ConstructError(`${text} is not a valid YAML 1.1 timestamp.`);
  const [year, month, day] = parts.slice(1, 4).map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > monthDays) {
    throw new ConstructError(`${text} looks like a date but is not a real one.`);
  }
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  warnings.push({
    code: "date",
    message: `${text} is read as a ${parts[4] === undefined ? "date" : "timestamp"}, which lazycon cannot write back into the built config; quote it ('${text}') to pass the text.`,
  });
  if (parts[4] === undefined) return { type: "date", python: date };
  const [hour, minute, second] = parts.slice(4, 7).map(Number);
  if (hour > 23 || minute > 59 || second > 59)
    throw new ConstructError(`${text} has an invalid time of day.`);
  const microseconds = Number(((parts[7] ?? "").slice(0, 6) || "0").padEnd(6, "0"));
  let zone = "";
  if (parts[8] === "Z") zone = "+00:00";
  else if (parts[9] !== undefined) {
    const zoneHours = Number(parts[10]);
    const zoneMinutes = Number(parts[11] ?? 0);
    const totalMinutes = zoneHours * 60 + zoneMinutes;
    if (totalMinutes >= 24 * 60) throw new ConstructError(`${text} has an invalid time zone offset.`);
    if (totalMinutes === 0) zone = "+00:00";
    else zone = `${parts[9]}${pad(Math.floor(totalMinutes / 60))}:${pad(totalMinutes % 60)}`;
  }
  const fraction = microseconds === 0 ? "" : `.${pad(microseconds, 6)}`;
  const display = `${date} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}${zone}`;
  return { type: "timestamp", python: display, repr: `datetime(${display})` };
}

function suggestFloat(text: string): string {
  const match = /^([-+]?)([0-9_]*)(?:\.([0-9_]*))?[eE]([-+]?)([0-9]+)$/.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction, exponentSign, exponent] = match;
  return `${sign}${whole || "0"}.${fraction || "0"}e${exponentSign || "+"}${exponent}`;
}

function suggestOctal(text: string): string {
  const negative = text.startsWith("-");
  const digits = text.replace(/^[-+]?0o/i, "").replace(/_/g, "");
  return `${negative ? "-" : ""}${Number.parseInt(digits, 8)}`;
}

function emptyWarning(): YamlValueWarning {
  return { code: "empty", message: "An empty value is read as None." };
}

/** Python's `str()` of a scalar. */
function pythonStr(value: PyValue): string {
  switch (value.type) {
    case "int":
      return value.python.toString();
    case "float":
      return floatRepr(value.python);
    case "str":
    case "date":
    case "timestamp":
      return value.python;
    case "bool":
      return value.python ? "True" : "False";
    case "null":
      return "None";
    case "list":
    case "dict":
      return pythonRepr(value);
  }
}

/** Python's `repr()`, for lists and dicts. */
function pythonRepr(value: PyValue): string {
  switch (value.type) {
    case "str":
      return stringRepr(value.python);
    case "date": {
      const [year, month, day] = value.python.split("-").map(Number);
      return `datetime.date(${year}, ${month}, ${day})`;
    }
    case "timestamp":
      return value.repr;
    case "list":
      return `[${value.python.map(pythonRepr).join(", ")}]`;
    case "dict":
      return `{${value.python.map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(", ")}}`;
    default:
      return pythonStr(value);
  }
}

function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === quote || character === "\\") out += `\\${character}`;
    else if (character === "\n") out += "\\n";
    else if (character === "\r") out += "\\r";
    else if (character === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += character;
  }
  return out + quote;
}

/** Python's float repr: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const exponentSign = exponent < 0 ? "-" : "+";
    return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
}
