/**
 * Parser speed on a realistic 10,000-line config: full parse and one-character edits.
 * Targets on a quiet 2-core machine: full parse <= 60 ms, edit <= 2 ms. Standalone:
 * `node --import tsx test/bench/parser.bench.ts` (also run by `npm run bench`).
 */
import assert from "node:assert/strict";
import { ParsedDocument, parse } from "../../language-server/parser/index";
import { generateConfig } from "../unit/parser/generate-config";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure<T>(run: () => T): { result: T; wall: number; cpu: number } {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const result = run();
  const wall = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  return { result, wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function main(): void {
  const text = generateConfig(10000);
  assert.ok(text.length > 600_000);
  for (let k = 0; k < 5; k++) parse(text);
  const fullWall: number[] = [];
  const fullCpu: number[] = [];
  for (let k = 0; k < 10; k++) {
    const { result, wall, cpu } = measure(() => parse(text));
    fullWall.push(wall);
    fullCpu.push(cpu);
    assert.deepEqual(result.errors, []);
  }
  const doc = new ParsedDocument(text);
  const editWall: number[] = [];
  const editCpu: number[] = [];
  for (let k = 0; k < 200; k++) {
    const line = 3000 + ((k >> 1) % 400) * 10;
    const insert = k % 2 === 0;
    const { wall, cpu } = measure(() =>
      doc.applyEdits([
        {
          range: { start: { line, character: 0 }, end: { line, character: insert ? 0 : 1 } },
          text: insert ? "z" : "",
        },
      ]),
    );
    editWall.push(wall);
    editCpu.push(cpu);
  }
  assert.equal(doc.text, text);
  assert.deepStrictEqual(doc.module, parse(text));
  console.log(
    `10,000 lines (${(text.length / 1024).toFixed(0)} KB): full parse median ${median(fullWall).toFixed(1)} ms wall ` +
      `(min ${Math.min(...fullWall).toFixed(1)}), ${median(fullCpu).toFixed(1)} ms CPU; one-character edit median ` +
      `${median(editWall).toFixed(3)} ms wall, ${median(editCpu).toFixed(3)} ms CPU`,
  );
  const verdict = (ms: number, target: number) => (ms <= target ? "PASS" : "MISS");
  console.log(
    `target full parse <= 60 ms: ${verdict(median(fullWall), 60)}; edit <= 2 ms: ${verdict(median(editWall), 2)}`,
  );
}

main();
