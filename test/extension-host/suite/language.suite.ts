/**
 * The extension's language features through the real `vscode` API: activation, the XML switch,
 * and the language server's diagnostics, completion, hover, definition, rename and restart.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { test, waitFor } from "./framework";
import {
  currentLanguageId,
  extensionId,
  hoverText,
  languageServerPids,
  lineStartingWith,
  openDocument,
  positionOf,
  waitForDiagnostics,
  workspaceFile,
  writeWorkspaceFile,
} from "./workspace";

/** A child of base.config using parent entries: written by the edit test, used by later ones. */
const probeName = "probe.config";
const probeText = ["from .base import *", "", "model = architecture", "size = batch_size * 2", ""].join("\n");

function thunderExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded as a development extension`);
  return extension;
}

test(
  "opening a .config activates the extension as lazycon",
  async () => {
    const extension = thunderExtension();
    const activeBefore = extension.isActive;
    const opened = Date.now();
    const document = await openDocument("child.config");
    await waitFor("the extension to activate", () => (extension.isActive ? true : undefined), 15_000, 10);
    const activationMs = Date.now() - opened;
    console.log(
      `[exthost-metric] activation: ${activationMs} ms from opening child.config to isActive (active before: ${activeBefore})`,
    );
    assert.equal(document.languageId, "lazycon");
  },
  { timeoutMs: 20_000 },
);

test(
  "an XML .config (starts with '<') ends up as xml, a lazycon one stays lazycon",
  async () => {
    const web = workspaceFile("web.config");
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(web));
    await waitFor("web.config to become xml", () => (currentLanguageId(web) === "xml" ? true : undefined));
    assert.equal(currentLanguageId(workspaceFile("child.config")), "lazycon");
    // The server never sees the XML file: once it has answered for a config opened after it,
    // web.config still has no diagnostics (as lazycon, its `<` would be a syntax error).
    const broken = await openDocument("broken.config");
    await waitForDiagnostics(broken.uri, (found) => found.length > 0, "diagnostics on broken.config", 15_000);
    assert.deepEqual(vscode.languages.getDiagnostics(web), []);
  },
  { timeoutMs: 30_000 },
);

test("the Thunder commands are registered and Show Log runs", async () => {
  const commands = await vscode.commands.getCommands(true);
  for (const command of ["thunder.restartLanguageServer", "thunder.showLog"]) {
    assert.ok(commands.includes(command), `${command} is not registered`);
  }
  await vscode.commands.executeCommand("thunder.showLog");
});

test("every command package.json contributes is registered after activation", async () => {
  const contributed: { command: string }[] = thunderExtension().packageJSON.contributes?.commands ?? [];
  assert.ok(contributed.length >= 2);
  const registered = new Set(await vscode.commands.getCommands(true));
  const missing = contributed.map(({ command }) => command).filter((command) => !registered.has(command));
  assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
});

test(
  "the language server reports the mistakes of broken.config",
  async () => {
    const document = await openDocument("broken.config");
    const diagnostics = await waitForDiagnostics(
      document.uri,
      (found) => found.length >= 2,
      "two diagnostics on broken.config",
      15_000,
    );
    const messages = diagnostics.map((diagnostic) => diagnostic.message).join("\n");
    assert.match(messages, /'\(' was never closed/);
    assert.match(messages, /epochs/);
    const unclosed = diagnostics.find((diagnostic) => diagnostic.message.includes("never closed"));
    assert.equal(unclosed?.range.start.line, lineStartingWith("broken.config", "scheduler = dict("));
    assert.equal(unclosed?.severity, vscode.DiagnosticSeverity.Error);
  },
  { timeoutMs: 20_000 },
);

test("diagnostics follow edits: a new undefined name is reported, and cleared when removed", async () => {
  await writeWorkspaceFile(probeName, probeText);
  const document = await openDocument(probeName);
  const editor = await vscode.window.showTextDocument(document);
  const end = document.lineAt(document.lineCount - 1).range.end;
  await editor.edit((edit) => edit.insert(end, "extra = missing_thing\n"));
  const withMistake = await waitForDiagnostics(
    document.uri,
    (found) => found.some((diagnostic) => diagnostic.message.includes("missing_thing")),
    "a diagnostic naming missing_thing",
  );
  const reported = withMistake.find((diagnostic) => diagnostic.message.includes("missing_thing"));
  assert.equal(document.getText(reported?.range), "missing_thing");
  await editor.edit((edit) =>
    edit.replace(
      new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)),
      probeText,
    ),
  );
  await waitForDiagnostics(
    document.uri,
    (found) => !found.some((diagnostic) => diagnostic.message.includes("missing_thing")),
    "the missing_thing diagnostic to go away",
  );
  await document.save();
});

async function completionLabels(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    "vscode.executeCompletionItemProvider",
    document.uri,
    position,
  );
  return list.items.map((item) => (typeof item.label === "string" ? item.label : item.label.label));
}

test("completion offers the parent config's entries", async () => {
  const document = await openDocument(probeName);
  // Nothing typed yet (right after `model = `): every entry of the family is offered.
  const all = await completionLabels(document, positionOf(document, "architecture"));
  for (const entry of ["architecture", "num_classes", "max_epochs", "batch_size"]) {
    assert.ok(all.includes(entry), `completion lacks ${entry}: ${all.slice(0, 30).join(", ")}`);
  }
  // After typing `arch`: the entries containing it, still from the parent.
  const typed = await completionLabels(document, positionOf(document, "architecture", 0, "arch".length));
  assert.ok(typed.includes("architecture"), `completion lacks architecture: ${typed.join(", ")}`);
});

test("hover on a parent entry says where it is defined", async () => {
  const document = await openDocument(probeName);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    "vscode.executeHoverProvider",
    document.uri,
    positionOf(document, "architecture", 0, 2),
  );
  const text = hoverText(hovers);
  assert.match(text, /architecture/);
  assert.match(
    text,
    new RegExp(`base\\.config line ${lineStartingWith("base.config", "architecture =") + 1}`),
  );
});

test("go to definition jumps into the parent config", async () => {
  const document = await openDocument(probeName);
  const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
    "vscode.executeDefinitionProvider",
    document.uri,
    positionOf(document, "batch_size", 0, 3),
  );
  assert.equal(locations.length, 1);
  const [location] = locations;
  const uri = location && "targetUri" in location ? location.targetUri : location?.uri;
  const range = location && "targetUri" in location ? location.targetRange : location?.range;
  assert.equal(uri?.toString(), workspaceFile("base.config").toString());
  assert.equal(range?.start.line, lineStartingWith("base.config", "batch_size ="));
});

test("rename of a parent entry edits the parent and the child", async () => {
  const document = await openDocument(probeName);
  const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
    "vscode.executeDocumentRenameProvider",
    document.uri,
    positionOf(document, "batch_size", 0, 1),
    "samples_per_batch",
  );
  const base = workspaceFile("base.config");
  const byFile = new Map(edit.entries().map(([uri, edits]) => [uri.toString(), edits]));
  const baseEdits = byFile.get(base.toString()) ?? [];
  const probeEdits = byFile.get(document.uri.toString()) ?? [];
  assert.ok(
    baseEdits.length >= 2,
    `expected the definition and its use in base.config, got ${baseEdits.length}`,
  );
  assert.equal(probeEdits.length, 1);
  const baseDocument = await vscode.workspace.openTextDocument(base);
  for (const [owner, edits] of [
    [baseDocument, baseEdits],
    [document, probeEdits],
  ] as const) {
    for (const change of edits) {
      assert.equal(owner.getText(change.range), "batch_size");
      assert.equal(change.newText, "samples_per_batch");
    }
  }
  assert.ok(
    baseEdits.some((change) => change.range.start.line === lineStartingWith("base.config", "batch_size =")),
  );
  // The keyword argument `batch_size=batch_size` names DataLoader's parameter: only its value is renamed.
  const keywordLine = lineStartingWith("base.config", "    batch_size=batch_size");
  const onKeywordLine = baseEdits.filter((change) => change.range.start.line === keywordLine);
  assert.deepEqual(
    onKeywordLine.map((change) => change.range.start.character),
    ["    batch_size=".length],
  );
});

test(
  "Restart Language Server replaces the server process, and features work again",
  async () => {
    const extension = thunderExtension();
    const before = await waitFor("one running language server", () => {
      const pids = languageServerPids(extension.extensionPath);
      return pids.length === 1 ? pids[0] : undefined;
    });
    await vscode.commands.executeCommand("thunder.restartLanguageServer");
    const after = await waitFor(
      "a new language server process",
      () => {
        const pids = languageServerPids(extension.extensionPath);
        return pids.length === 1 && pids[0] !== before ? pids[0] : undefined;
      },
      15_000,
    );
    assert.notEqual(after, before);
    const document = await openDocument(probeName);
    const hovers = await waitFor(
      "a hover from the restarted server",
      async () => {
        const found = await vscode.commands.executeCommand<vscode.Hover[]>(
          "vscode.executeHoverProvider",
          document.uri,
          positionOf(document, "architecture", 0, 2),
        );
        return found.length > 0 ? found : undefined;
      },
      15_000,
      200,
    );
    assert.match(hoverText(hovers), /base\.config/);
  },
  { timeoutMs: 40_000 },
);
