// Diagnostics publishing over real stdio: on open, after incremental edits, after a parent
// changes on disk, after settings change, and on close.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { makeWorkspace, parseMarkers, startServer } from "../harness";

const messageText = (diagnostic: Diagnostic) =>
  typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value;
/** Some diagnostic names `name` as a whole word ("lr" does not match "lrr"). */
const mentions = (name: string) => (diagnostics: Diagnostic[]) =>
  diagnostics.some((diagnostic) => new RegExp(`\\b${name}\\b`).test(messageText(diagnostic)));
const noErrors = (diagnostics: Diagnostic[]) => diagnostics.every((diagnostic) => diagnostic.severity !== 1);

test("every open and edit publishes diagnostics carrying the document version", async () => {
  const workspace = makeWorkspace({ "a.config": "x = 1\n" });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("a.config"), "x = 1\n");
    await client.waitForDiagnostics(uri);
    assert.equal(client.diagnostics.get(uri)?.version, 1);
    client.edit(uri, { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, "2");
    await client.waitForDiagnostics(uri);
    assert.equal(client.diagnostics.get(uri)?.version, 2);
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("a burst of edits is coalesced: the last version is published, and only once per burst", async () => {
  const workspace = makeWorkspace();
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("burst.config"), "x = 0\n");
    await client.waitForDiagnostics(uri);
    const before = client.publishes.length;
    let version = 1;
    for (let digit = 1; digit <= 20; digit++) {
      version = client.edit(
        uri,
        { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } },
        String(digit % 10),
      );
    }
    await client.waitForDiagnostics(uri, () => client.diagnostics.get(uri)?.version === version);
    const published = client.publishes
      .slice(before)
      .filter((params) => params.uri === uri)
      .map((params) => params.version);
    assert.ok(published.length < 20, `fewer publishes (${published.length}) than edits (20)`);
    assert.equal(published.at(-1), version);
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("closing a document clears its diagnostics", async () => {
  const workspace = makeWorkspace({ "a.config": "x = undefined_thing\n" });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("a.config"), workspace.read("a.config"));
    await client.waitForDiagnostics(uri, mentions("undefined_thing"));
    client.close(uri);
    assert.deepEqual(await client.waitForDiagnostics(uri), []);
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("diagnostics appear on open and follow incremental edits", async () => {
  const fixture = parseMarkers("lr = 0.1\nscaled = [[lrr]] * 2\n");
  const workspace = makeWorkspace({ "exp.config": fixture.text });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("exp.config"), fixture.text);
    const diagnostics = await client.waitForDiagnostics(uri, mentions("lrr"));
    const undefinedName = diagnostics.find((diagnostic) => messageText(diagnostic).includes("lrr"))!;
    assert.deepEqual(undefinedName.range, fixture.ranges[0]);
    assert.equal(undefinedName.severity, 1);

    // Fix the typo by deleting one character: "lrr" -> "lr".
    const typoEnd = fixture.ranges[0]!.end;
    client.edit(uri, { start: { line: typoEnd.line, character: typoEnd.character - 1 }, end: typoEnd }, "");
    assert.ok(noErrors(await client.waitForDiagnostics(uri, (each) => !mentions("lrr")(each))));

    // Break it again elsewhere: a new undefined name on a new line.
    client.edit(
      uri,
      { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } },
      "other = missing_name\n",
    );
    await client.waitForDiagnostics(uri, mentions("missing_name"));
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("a parent changed on disk re-publishes the open child's diagnostics", async () => {
  const workspace = makeWorkspace({
    "configs/base.config": "batch_size = 8\n",
    "configs/exp.config": "from .base import *\n\nscaled = lr * batch_size\n",
  });
  const client = await startServer({ workspace: workspace.root });
  try {
    const childUri = client.open(workspace.uri("configs/exp.config"), workspace.read("configs/exp.config"));
    await client.waitForDiagnostics(childUri, mentions("lr"));

    workspace.write("configs/base.config", "batch_size = 8\nlr = 0.001\n");
    client.forgetDiagnostics(childUri);
    client.fileChanged(workspace.uri("configs/base.config"));
    assert.ok(noErrors(await client.waitForDiagnostics(childUri, (each) => !mentions("lr")(each))));

    workspace.remove("configs/base.config");
    client.forgetDiagnostics(childUri);
    client.fileChanged(workspace.uri("configs/base.config"), 3);
    const missingParent = await client.waitForDiagnostics(childUri, (each) => !noErrors(each));
    assert.ok(
      missingParent.some((diagnostic) => diagnostic.range.start.line === 0),
      "the import line of the missing parent is marked",
    );
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});

test("editing an open parent re-publishes its open child", async () => {
  const workspace = makeWorkspace({
    "base.config": "lr = 0.1\n",
    "exp.config": "from .base import *\n\nscaled = lr * 2\n",
  });
  const client = await startServer({ workspace: workspace.root });
  try {
    const parentUri = client.open(workspace.uri("base.config"), workspace.read("base.config"));
    const childUri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    assert.ok(noErrors(await client.waitForDiagnostics(childUri)));
    // Rename lr to rate in the (unsaved) parent: the child now uses an undefined name.
    client.forgetDiagnostics(childUri);
    client.edit(parentUri, { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } }, "rate");
    await client.waitForDiagnostics(childUri, mentions("lr"));
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});
