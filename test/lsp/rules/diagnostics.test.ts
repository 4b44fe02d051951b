// lazycon's verdict and thunder's checks over the wire, across a config family on disk.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { makeWorkspace, parseMarkers, startServer } from "../harness";

function brief(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map(
    (d) =>
      `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.source}/${String(d.code)}`,
  );
}

test("errors of a child and its parent follow edits and changes on disk", async () => {
  const child = parseMarkers("from .base import *\n\nlr = [[lrr]] * 2\n[[x.a]] = 1\n");
  const workspace = makeWorkspace({ "base.config": "lrr_base = 1\n", "child.config": child.text });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("child.config"), child.text);
    const first = await client.waitForDiagnostics(uri, (d) => d.length === 3);
    assert.deepEqual(brief(first), [
      "2:5-2:8 lazycon/undefined-name",
      "3:0-3:3 lazycon/unsupported-assignment",
      "3:0-3:1 lazycon/undefined-name",
    ]);
    assert.equal(
      first[0].message,
      'Undefined name "lrr": thunder build will fail (lazycon: Undefined names found)',
    );

    // The parent gets the missing name on disk: the child's error goes away.
    workspace.write("base.config", "lrr = 1\nx = {}\n");
    client.fileChanged(workspace.uri("base.config"));
    const second = await client.waitForDiagnostics(uri, (d) => d.length === 1);
    assert.deepEqual(brief(second), ["3:0-3:3 lazycon/unsupported-assignment"]);

    // Typing in the child: fix the assignment.
    client.edit(uri, { start: { line: 3, character: 0 }, end: { line: 3, character: 3 } }, "y");
    assert.deepEqual(await client.waitForDiagnostics(uri, (d) => d.length === 0), []);

    // A broken parent shows at the child's import line.
    workspace.write("base.config", "lrr = (\n");
    client.fileChanged(workspace.uri("base.config"));
    const broken = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === "parent-has-errors"));
    assert.match(
      String(broken.find((d) => d.code === "parent-has-errors")?.message),
      /Parent config "base\.config" has errors/,
    );
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("thunder warnings: missing entries and placeholders", async () => {
  const text = "from lightning import Trainer\ntrainer = Trainer()\nmodule = 1\nname = ExpName\n";
  const workspace = makeWorkspace({ "exp.config": text });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("exp.config"), text);
    const diagnostics = await client.waitForDiagnostics(uri, (d) => d.length === 2);
    assert.deepEqual(brief(diagnostics), [
      "0:0-0:29 thunder/missing-entry",
      "3:7-3:14 thunder/placeholder-not-imported",
    ]);
    assert.equal(diagnostics[0].severity, 2);
    assert.equal(diagnostics[1].severity, 1);
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});
