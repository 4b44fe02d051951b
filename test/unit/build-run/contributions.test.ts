// The manifest and the code agree: every command the build/run layer registers is contributed (in
// the Thunder category), every menu entry names a contributed command, and the views exist.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const repo = path.join(__dirname, "..", "..", "..");
const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const contributed = new Map<string, { category?: string }>(
  manifest.contributes.commands.map((command: { command: string; category?: string }) => [
    command.command,
    command,
  ]),
);

function sourcesOf(folder: string): string {
  return readdirSync(path.join(repo, folder))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => readFileSync(path.join(repo, folder, name), "utf8"))
    .join("\n");
}

const code = ["extension/build-run", "extension/views", "extension/status-bar"].map(sourcesOf).join("\n");
const registered = [...code.matchAll(/register\(\s*"(thunder\.[^"]+)"/g)].map((match) => match[1]);

describe("build/run contributions", () => {
  it("registers every command it contributes, each under the Thunder category", () => {
    assert.ok(registered.length >= 15, `found only ${registered.length} registrations`);
    for (const id of registered) {
      assert.ok(contributed.has(id), `${id} is registered but not contributed`);
      assert.equal(contributed.get(id)?.category, "Thunder", id);
    }
    const mine = [...contributed.keys()].filter((id) =>
      /^thunder\.(build|buildAndRun|run|runActiveEditor|experiments\..+|backends\..+)$/.test(id),
    );
    assert.ok(mine.length >= 20);
    for (const id of mine) assert.ok(code.includes(`"${id}"`), `${id} is contributed but has no handler`);
  });

  it("menus only name contributed commands", () => {
    for (const [menu, entries] of Object.entries(
      manifest.contributes.menus as Record<string, { command: string }[]>,
    )) {
      for (const entry of entries) assert.ok(contributed.has(entry.command), `${menu}: ${entry.command}`);
    }
  });

  it("the Thunder container holds the views the code creates, and the icon ships", () => {
    const views = manifest.contributes.views.thunder.map((view: { id: string }) => view.id);
    for (const id of [...code.matchAll(/createTreeView\(\s*"([^"]+)"/g)].map((match) => match[1])) {
      assert.ok(views.includes(id), `${id} is not contributed`);
    }
    const container = manifest.contributes.viewsContainers.activitybar.find(
      (item: { id: string }) => item.id === "thunder",
    );
    assert.match(readFileSync(path.join(repo, container.icon), "utf8"), /^<svg /);
    const ignore = readFileSync(path.join(repo, ".vscodeignore"), "utf8");
    assert.ok(ignore.includes(`!${container.icon}`), "the activity bar icon is left out of the .vsix");
  });

  it("build and run are disabled in untrusted workspaces; the executable settings are restricted", () => {
    for (const id of [
      "thunder.build",
      "thunder.buildAndRun",
      "thunder.run",
      "thunder.backends.add",
      "thunder.backends.remove",
    ]) {
      const command = manifest.contributes.commands.find(
        (candidate: { command: string }) => candidate.command === id,
      );
      assert.equal(command.enablement, "isWorkspaceTrusted", id);
    }
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties["thunder.executable"].restricted, true);
    assert.equal(properties["thunder.backendsFile"].restricted, true);
  });

  it("the backends.yml schema is contributed for JSON and YAML validation", () => {
    for (const key of ["jsonValidation", "yamlValidation"]) {
      const entry = manifest.contributes[key].find((item: { url: string }) =>
        item.url.includes("backends.schema.json"),
      );
      assert.ok(entry, key);
      JSON.parse(readFileSync(path.join(repo, entry.url), "utf8"));
    }
  });
});
