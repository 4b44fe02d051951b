// The custom request thunder/configEntries over the wire.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ConfigEntriesResult, configEntriesRequest } from "../../../language-server/protocol";
import { makeWorkspace, startServer } from "../harness";

test("thunder/configEntries lists own and inherited entries with where they are defined", async () => {
  const workspace = makeWorkspace({
    "base.config": "lr = 0.1\nbatch_size = 8\n",
    "exp.config": "from .base import *\n\nlr = 0.01\nepochs = 3\n",
  });
  const client = await startServer({ workspace: workspace.root });
  try {
    const uri = client.open(workspace.uri("exp.config"), workspace.read("exp.config"));
    const result = await client.request<ConfigEntriesResult>(configEntriesRequest, { uri });
    assert.equal(result.uri, uri);
    const byName = new Map(result.entries.map((entry) => [entry.name, entry]));
    assert.deepEqual(byName.get("lr")?.definedIn, uri);
    assert.equal(byName.get("lr")?.value, "0.01");
    assert.equal(byName.get("lr")?.inherited, false);
    assert.equal(byName.get("epochs")?.inherited, false);
    assert.equal(byName.get("batch_size")?.definedIn, workspace.uri("base.config"));
    assert.equal(byName.get("batch_size")?.inherited, true);
    assert.equal(byName.get("batch_size")?.kind, "assignment");

    // Unsaved edits count: the answer follows the open document, not the disk.
    client.edit(uri, { start: { line: 3, character: 0 }, end: { line: 3, character: 10 } }, "steps = 5");
    const edited = await client.request<ConfigEntriesResult>(configEntriesRequest, { uri });
    const names = edited.entries.map((entry) => entry.name);
    assert.ok(
      names.includes("steps") && !names.includes("epochs"),
      `entries after the edit: ${names.join(", ")}`,
    );
  } finally {
    await client.shutdown();
    workspace.cleanup();
  }
});
