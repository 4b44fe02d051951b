/**
 * More of the language server through the real `vscode` API: symbols, references, folding,
 * a quick fix applied end to end, and the language configuration's comment toggling.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { test } from "./framework";
import {
  lineStartingWith,
  openDocument,
  positionOf,
  waitForDiagnostics,
  writeWorkspaceFile,
} from "./workspace";

function isDocumentSymbol(
  symbol: vscode.DocumentSymbol | vscode.SymbolInformation,
): symbol is vscode.DocumentSymbol {
  return "selectionRange" in symbol;
}

test("document symbols list the config's entries", async () => {
  const document = await openDocument("base.config");
  const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>(
    "vscode.executeDocumentSymbolProvider",
    document.uri,
  );
  const names = symbols.map((symbol) => symbol.name);
  for (const entry of ["lr", "batch_size", "make_architecture", "architecture", "trainer"]) {
    assert.ok(names.includes(entry), `no symbol ${entry}: ${names.join(", ")}`);
  }
  const lr = symbols.find((symbol) => symbol.name === "lr");
  const lrLine = lr && (isDocumentSymbol(lr) ? lr.selectionRange : lr.location.range).start.line;
  assert.equal(lrLine, lineStartingWith("base.config", "lr ="));
});

test("workspace symbols find an entry of a config that is not open", async () => {
  const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[]>(
    "vscode.executeWorkspaceSymbolProvider",
    "num_classes",
  );
  const found = symbols.find((symbol) => symbol.name === "num_classes");
  assert.ok(found, `num_classes not among ${symbols.map((symbol) => symbol.name).join(", ")}`);
  assert.ok(found.location.uri.path.endsWith("/base.config"));
  assert.equal(found.location.range.start.line, lineStartingWith("base.config", "num_classes ="));
});

test("references of a parent entry include its uses in the parent", async () => {
  const document = await openDocument("base.config");
  const position = positionOf(document, "max_epochs = ", 0, 1);
  const locations = await vscode.commands.executeCommand<vscode.Location[]>(
    "vscode.executeReferenceProvider",
    document.uri,
    position,
  );
  const baseLines = locations
    .filter((location) => location.uri.path.endsWith("/base.config"))
    .map((location) => location.range.start.line);
  assert.ok(baseLines.includes(lineStartingWith("base.config", "max_epochs =")));
  assert.ok(baseLines.includes(lineStartingWith("base.config", "trainer = Trainer(max_epochs=max_epochs)")));
  // child.config overrides max_epochs and uses it, so it belongs to the same family.
  assert.ok(locations.some((location) => location.uri.path.endsWith("/child.config")));
});

test("folding ranges cover a multi-line call", async () => {
  const document = await openDocument("base.config");
  const ranges = await vscode.commands.executeCommand<vscode.FoldingRange[]>(
    "vscode.executeFoldingRangeProvider",
    document.uri,
  );
  const moduleLine = lineStartingWith("base.config", "module = ThunderModule(");
  const folding = ranges.find((range) => range.start === moduleLine);
  assert.ok(folding, `no folding range starts at line ${moduleLine}`);
  assert.ok(folding.end >= moduleLine + 3);
});

test("the quick fix for a placeholder that is not imported adds the import", async () => {
  const name = "placeholder.config";
  const uri = await writeWorkspaceFile(
    name,
    "from lightning import Trainer\n\ntrainer = Trainer(logger=ExpName)\n",
  );
  const document = await openDocument(name);
  const diagnostics = await waitForDiagnostics(
    uri,
    (found) => found.some((diagnostic) => diagnostic.message.includes("ExpName")),
    "a diagnostic about ExpName",
  );
  const problem = diagnostics.find((diagnostic) => diagnostic.message.includes("ExpName"));
  assert.ok(problem);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider",
    uri,
    problem.range,
  );
  const fix = actions.find((action) => action.title.includes("Import ExpName"));
  assert.ok(fix?.edit, `no import fix among: ${actions.map((action) => action.title).join("; ")}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.match(document.getText(), /^from thunder\.placeholders import ExpName$/m);
  await waitForDiagnostics(
    uri,
    (found) => !found.some((diagnostic) => diagnostic.message.includes("ExpName")),
    "the ExpName diagnostic to go away",
  );
  await document.save();
});

test("Toggle Line Comment uses '#' in lazycon configs", async () => {
  const name = "comment.config";
  await writeWorkspaceFile(name, "lr = 0.1\n");
  const document = await openDocument(name);
  await vscode.commands.executeCommand("editor.action.commentLine");
  assert.equal(document.lineAt(0).text, "# lr = 0.1");
  await vscode.commands.executeCommand("editor.action.commentLine");
  assert.equal(document.lineAt(0).text, "lr = 0.1");
  await document.save();
});
