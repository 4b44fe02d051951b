// package.json is the extension's manifest: check that what it points to exists and that its
// contributions are consistent, since VS Code only reports such mistakes at run time.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

const repoRoot = join(__dirname, "..", "..", "..");

interface Manifest {
  icon: string;
  repository?: { url: string };
  activationEvents?: string[];
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  capabilities: {
    untrustedWorkspaces: {
      supported: boolean | "limited";
      description?: string;
      restrictedConfigurations?: string[];
    };
  };
  contributes: {
    languages: { id: string; extensions: string[]; firstLine?: string; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string; title: string; category?: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
    configuration: { properties: Record<string, { scope?: string; restricted?: boolean; type: string }> };
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Manifest;

describe("package.json contributions", () => {
  test("the extension never activates on everything", () => {
    assert.ok(!(manifest.activationEvents ?? []).includes("*"));
  });

  test("lazycon owns .config files, except those whose first line starts with <", () => {
    const lazycon = manifest.contributes.languages.find((language) => language.id === "lazycon");
    assert.ok(lazycon);
    assert.deepEqual(lazycon.extensions, [".config"]);
    const firstLine = new RegExp(lazycon.firstLine ?? "");
    assert.ok(firstLine.test("from .base import *"));
    assert.ok(!firstLine.test('<?xml version="1.0"?>'));
    assert.ok(!firstLine.test("  <configuration>"));
    assert.ok(existsSync(join(repoRoot, lazycon.configuration)));
  });

  test("the grammar file exists and declares the scope the manifest names", () => {
    for (const grammar of manifest.contributes.grammars) {
      const content = JSON.parse(readFileSync(join(repoRoot, grammar.path), "utf8")) as { scopeName: string };
      assert.equal(content.scopeName, grammar.scopeName);
    }
  });

  test("commands are in the Thunder category and the palette only lists contributed commands", () => {
    const ids = new Set(manifest.contributes.commands.map((command) => command.command));
    for (const required of ["thunder.restartLanguageServer", "thunder.showLog"]) assert.ok(ids.has(required));
    for (const command of manifest.contributes.commands) {
      assert.match(command.command, /^thunder\./);
      assert.equal(command.category, "Thunder", command.command);
      assert.ok(command.title.length > 0);
    }
    for (const entry of manifest.contributes.menus.commandPalette)
      assert.ok(ids.has(entry.command), entry.command);
  });

  test("settings: per resource, pythonPath restricted in untrusted workspaces, trace for the client id", () => {
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties["thunder.configShortcuts"]?.type, "object");
    assert.equal(properties["thunder.configShortcuts"]?.scope, "resource");
    assert.equal(properties["thunder.pythonPath"]?.restricted, true);
    assert.equal(properties["thunder.pythonPath"]?.scope, "machine-overridable");
    // vscode-languageclient reads `<client id>.trace.server`; the client id is "thunder".
    assert.ok(properties["thunder.trace.server"]);
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, "limited");
    assert.ok(trust.description && trust.description.length > 20);
    for (const name of trust.restrictedConfigurations ?? []) assert.ok(properties[name], name);
    assert.ok(trust.restrictedConfigurations?.includes("thunder.pythonPath"));
  });

  test("the icon is a 128x128 PNG", () => {
    const png = readFileSync(join(repoRoot, manifest.icon));
    assert.equal(png.subarray(1, 4).toString("latin1"), "PNG");
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });

  test("vsce accepts the versions: @types/vscode is not newer than engines.vscode", () => {
    const engine = manifest.engines.vscode.replace(/^\^/, "");
    const types = manifest.devDependencies["@types/vscode"]?.replace(/^\^/, "");
    assert.ok(types);
    const [engineMajor, engineMinor] = engine.split(".").map(Number);
    const [typesMajor, typesMinor] = types.split(".").map(Number);
    assert.ok(typesMajor! < engineMajor! || (typesMajor === engineMajor && typesMinor! <= engineMinor!));
  });
});
