/**
 * Differential test against CPython: every stdlib file must be accepted or rejected as
 * `ast.parse` does, and for a deterministic sample the names, definitions, parameters and
 * import aliases (with positions) must be identical.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "../../../language-server/parser/index";
import { compareEntries, entriesOf, hasPython, runOracle } from "./helpers";

interface OracleFile {
  path: string;
  skipped?: boolean;
  ok?: boolean;
  message?: string;
  entries?: [string, string, string, number, number, number, number][];
}

test("accepts and rejects the stdlib exactly like CPython", {
  skip: !hasPython() && "python3 missing",
}, () => {
  const started = Date.now();
  const oracle = runOracle(["stdlib", "150"]) as { root: string; files: OracleFile[] };
  const oracleMs = Date.now() - started;
  let compared = 0;
  let agreed = 0;
  let sampled = 0;
  let parseMs = 0;
  let bytes = 0;
  const disagreements: string[] = [];
  const sampleMismatches: string[] = [];
  for (const file of oracle.files) {
    if (file.skipped) continue;
    const text = readFileSync(file.path, "utf8");
    bytes += text.length;
    const t0 = performance.now();
    const module = parse(text);
    parseMs += performance.now() - t0;
    compared++;
    const ours = module.errors.length === 0;
    if (ours === file.ok) agreed++;
    else {
      const first = module.errors[0];
      disagreements.push(
        `${file.path}: CPython ${file.ok ? "accepts" : `rejects (${file.message})`}, we ${
          ours
            ? "accept"
            : `reject (${first.message} at ${first.range.start.line + 1}:${first.range.start.character})`
        }`,
      );
    }
    if (file.entries && file.ok && ours) {
      sampled++;
      const mine = entriesOf(module);
      const theirs = [...file.entries].sort(compareEntries);
      const mineKeys = new Set(mine.map((e) => JSON.stringify(e)));
      const theirKeys = new Set(theirs.map((e) => JSON.stringify(e)));
      const missing = theirs.filter((e) => !mineKeys.has(JSON.stringify(e)));
      const extra = mine.filter((e) => !theirKeys.has(JSON.stringify(e)));
      if (missing.length > 0 || extra.length > 0 || mine.length !== theirs.length) {
        sampleMismatches.push(
          `${file.path}: ${missing.length} missing, ${extra.length} extra; first missing ${JSON.stringify(
            missing.slice(0, 3),
          )}, first extra ${JSON.stringify(extra.slice(0, 3))}`,
        );
      }
    }
  }
  const percent = ((agreed / compared) * 100).toFixed(2);
  console.log(`accept/reject agreement: ${agreed}/${compared} (${percent}%)`);
  console.log(`sample files compared name by name: ${sampled}, mismatching: ${sampleMismatches.length}`);
  console.log(
    `our parse time: ${parseMs.toFixed(0)} ms for ${(bytes / 1e6).toFixed(1)} MB; CPython oracle: ${oracleMs} ms`,
  );
  for (const d of disagreements) console.log(`DISAGREE ${d}`);
  for (const m of sampleMismatches) console.log(`SAMPLE ${m}`);
  assert.ok(sampled >= 100, `only ${sampled} sample files compared`);
  assert.ok(agreed / compared >= 0.999, `agreement ${percent}% is below 99.9%`);
  assert.deepEqual(sampleMismatches, []);
});
