/**
 * VS Code opens every `*.config` as lazycon (the extension registered later wins the extension
 * match, and `firstLine` is only a tie-breaker). XML ones (`web.config`) are handed back to `xml`
 * as soon as they open, without touching the user's `files.associations`.
 */
import * as vscode from "vscode";
import { XmlConfigSwitcher } from "./looks-like-xml";

export function switchXmlConfigsToXml(log: vscode.LogOutputChannel): vscode.Disposable {
  const switcher = new XmlConfigSwitcher();
  const check = (document: vscode.TextDocument): void => {
    if (!switcher.shouldSwitch(document.uri.toString(), document.languageId, document.getText())) return;
    log.info(`${document.uri.fsPath} starts with '<': opening it as XML.`);
    vscode.languages.setTextDocumentLanguage(document, "xml").then(undefined, (error: unknown) => {
      log.warn(`Could not switch ${document.uri.fsPath} to XML: ${String(error)}`);
    });
  };
  vscode.workspace.textDocuments.forEach(check);
  return vscode.workspace.onDidOpenTextDocument(check);
}
