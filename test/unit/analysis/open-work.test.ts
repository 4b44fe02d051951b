/**
 * What opening a config does not compute until asked: the name occurrences and local scopes
 * navigation and completion read (collected by a second walk of a statement), and re-checks
 * after settings that change nothing a parent lookup depends on.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { LineIndex } from "../../../language-server/analysis/positions";
import { analyzeStatement, type NameOccurrence } from "../../../language-server/analysis/statement";
import { parse } from "../../../language-server/parser/index";
import type { FileSystemHost } from "../../../language-server/service";
import { createLanguageService } from "../../../language-server/service";
import { codes, dedent, MemoryHost, ROOT, uriOf } from "./helpers";

function analyzed(source: string) {
  const text = dedent(source);
  const module = parse(text);
  const lines = new LineIndex(text);
  return module.body.map((statement) => analyzeStatement(statement, lines));
}

function describeOccurrence(occurrence: NameOccurrence): string {
  const where = occurrence.scope ? occurrence.scope.kind : "top";
  const start = occurrence.range.start;
  return `${occurrence.name}@${start.line}:${start.character} ${occurrence.binding ? "bind" : "read"} ${where}${occurrence.eager ? "" : " lazy"}`;
}

describe("occurrences and scopes on first use", () => {
  test("every name of a statement in source order, with its scope", () => {
    const [, model, loss] = analyzed(`
      import torch
      model = torch.nn.Sequential(*[layer(x) for x in sizes], key=lambda p: p * rate)
      def loss(pred, target):
          weight = scale / 2
          return weight * (pred - target)
    `);
    assert.deepEqual(model.occurrences.map(describeOccurrence), [
      "model@1:0 bind top",
      "torch@1:8 read top",
      "sizes@1:48 read top",
      "x@1:43 bind comprehension",
      "layer@1:30 read top",
      "x@1:36 read comprehension",
      "p@1:67 bind lambda",
      "p@1:70 read lambda lazy",
      "rate@1:74 read top lazy",
    ]);
    assert.deepEqual(
      model.scopes.map((scope) => [scope.kind, [...scope.bindings.keys()], scope.parent?.kind ?? null]),
      [
        ["comprehension", ["x"], null],
        ["lambda", ["p"], null],
      ],
    );
    assert.deepEqual(loss.occurrences.map(describeOccurrence), [
      "loss@2:4 bind top",
      "pred@2:9 bind function",
      "target@2:15 bind function",
      "weight@3:4 bind function lazy",
      "scale@3:13 read top lazy",
      "weight@4:11 read function lazy",
      "pred@4:21 read function lazy",
      "target@4:28 read function lazy",
    ]);
    assert.deepEqual(loss.scopes[0].bindings.get("weight")?.length, 1);
  });

  test("top-level reads and definitions are the objects the diagnostics use", () => {
    for (const analysis of analyzed(`
      from torch import nn as torch_nn
      import numpy.linalg
      size = other + torch_nn.Linear(numpy.linalg.norm(x), [v for v in values if v > limit])
      def train(data=size):
          return [step(item) for item in data]
    `)) {
      const topLevel = analysis.occurrences.filter((occurrence) => occurrence.scope === null);
      const reads = topLevel.filter((occurrence) => !occurrence.binding);
      assert.equal(reads.length, analysis.globalReads.length);
      for (const [index, read] of reads.entries()) assert.equal(read, analysis.globalReads[index]);
      const bindings = topLevel.filter((occurrence) => occurrence.binding);
      assert.deepEqual(
        bindings.map((binding) => binding.range),
        analysis.definitions.map((definition) => definition.nameRange),
      );
      for (const [index, binding] of bindings.entries()) {
        assert.equal(binding.range, analysis.definitions[index].nameRange);
      }
      // Asked again: the same lists, not another walk.
      assert.equal(analysis.occurrences, analysis.occurrences);
      assert.equal(analysis.scopes, analysis.scopes);
    }
  });

  test("a statement with a syntax error keeps its names for diagnostics only", () => {
    const [broken] = analyzed("lr = (1 +\n");
    assert.equal(broken.role, "broken");
    assert.deepEqual(
      broken.definitions.map((definition) => definition.name),
      ["lr"],
    );
    assert.deepEqual(broken.occurrences, []);
  });
});

/** A host that counts its stat calls (each parent lookup makes some). */
class CountingHost implements FileSystemHost {
  stats = 0;
  constructor(readonly inner: MemoryHost) {}
  readFile(filePath: string): string | undefined {
    return this.inner.readFile(filePath);
  }
  stat(filePath: string): "file" | "directory" | undefined {
    this.stats++;
    return this.inner.stat(filePath);
  }
  readDirectory(filePath: string): string[] {
    return this.inner.readDirectory(filePath);
  }
}

function countingWorkspace(files: Record<string, string>) {
  const memory = new MemoryHost();
  for (const [relative, text] of Object.entries(files)) memory.write(relative, dedent(text));
  const host = new CountingHost(memory);
  const service = createLanguageService(host, { workspaceFolders: [ROOT] });
  return { host, service };
}

describe("settings that change nothing", () => {
  test("the same settings again look nothing up again; a changed one does", () => {
    const { host, service } = countingWorkspace({
      "base.config": "lr = 1\n",
      "shared/common.config": "seed = 1\n",
      "exp.config": "from .base import *\nfrom short.common import *\nx = lr + seed\n",
    });
    const uri = uriOf("exp.config");
    const shortcuts = { short: path.join(ROOT, "shared") };
    service.updateSettings({ shortcuts, workspaceFolders: [ROOT] });
    assert.deepEqual(service.diagnostics(uri), []);

    host.stats = 0;
    service.updateSettings({ shortcuts: { ...shortcuts }, workspaceFolders: [ROOT] });
    assert.deepEqual(service.diagnostics(uri), []);
    assert.equal(host.stats, 0);

    service.updateSettings({ shortcuts: { short: path.join(ROOT, "elsewhere") } });
    assert.deepEqual(codes(service.diagnostics(uri)), ["parent-not-found", "undefined-name"]);
    assert.ok(host.stats > 0);
  });

  test("sys.path matters once a parent was looked up on it", () => {
    const { host, service } = countingWorkspace({
      "base.config": "lr = 1\n",
      "site/pkg/common.config": "seed = 1\n",
      "relative.config": "from .base import *\nx = lr\n",
      "absolute.config": "from pkg.common import *\ny = seed\n",
    });
    const relative = uriOf("relative.config");
    assert.deepEqual(service.diagnostics(relative), []);

    // No lookup went to sys.path yet: a new one keeps every cached lookup.
    host.stats = 0;
    service.updateSettings({ sysPath: [path.join(ROOT, "nowhere")] });
    assert.deepEqual(service.diagnostics(relative), []);
    assert.equal(host.stats, 0);

    const absolute = uriOf("absolute.config");
    assert.deepEqual(codes(service.diagnostics(absolute)), ["parent-not-found", "undefined-name"]);
    service.updateSettings({ sysPath: [path.join(ROOT, "nowhere"), path.join(ROOT, "site")] });
    assert.deepEqual(service.diagnostics(absolute), []);
  });
});
