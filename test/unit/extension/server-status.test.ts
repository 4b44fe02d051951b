import assert from "node:assert/strict";
import { test } from "node:test";
import { presentServerState, type ServerState } from "../../../extension/language-client/server-status";

test("each server state reads differently and only a failure is an error", () => {
  const states: ServerState[] = ["starting", "running", "stopped", "failed"];
  const presentations = states.map(presentServerState);
  assert.equal(new Set(presentations.map((p) => p.text)).size, states.length);
  assert.deepEqual(
    presentations.map((p) => p.isError),
    [false, false, false, true],
  );
  for (const presentation of presentations) assert.match(presentation.text, /Thunder$/);
  assert.match(presentServerState("running").text, /\$\(zap\)/);
  assert.match(presentServerState("stopped").tooltip, /Restart Language Server/);
  assert.match(presentServerState("failed").tooltip, /log/);
});
