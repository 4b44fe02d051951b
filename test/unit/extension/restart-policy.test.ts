import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  RestartPolicy,
  shouldShutDownAfterConnectionErrors,
} from "../../../extension/language-client/restart-policy";

const minute = 60_000;

describe("RestartPolicy", () => {
  test("restarts a crashed server up to the limit, then gives up and asks for one notification", () => {
    const policy = new RestartPolicy({ maxRestarts: 3, windowMs: 3 * minute });
    assert.deepEqual(policy.serverClosed(0), { action: "restart", attempt: 1 });
    assert.deepEqual(policy.serverClosed(1000), { action: "restart", attempt: 2 });
    assert.deepEqual(policy.serverClosed(2000), { action: "restart", attempt: 3 });
    assert.deepEqual(policy.serverClosed(3000), { action: "give-up", notify: true, crashes: 4 });
    // Any later close (e.g. the client reporting it again) must not notify a second time.
    const again = policy.serverClosed(4000);
    assert.equal(again.action, "give-up");
    assert.equal(again.action === "give-up" && again.notify, false);
  });

  test("crashes far apart never exhaust the restarts", () => {
    const policy = new RestartPolicy({ maxRestarts: 2, windowMs: minute });
    for (let i = 0; i < 20; i++) {
      assert.equal(policy.serverClosed(i * 2 * minute).action, "restart", `crash ${i}`);
    }
  });

  test("old crashes leave the window", () => {
    const policy = new RestartPolicy({ maxRestarts: 2, windowMs: minute });
    policy.serverClosed(0);
    policy.serverClosed(10_000);
    // Both earlier crashes are older than a minute at 70 s.
    assert.deepEqual(policy.serverClosed(70_001), { action: "restart", attempt: 1 });
  });

  test("a manual restart resets the count and the notification", () => {
    const policy = new RestartPolicy({ maxRestarts: 1, windowMs: minute });
    policy.serverClosed(0);
    assert.equal(policy.serverClosed(1).action, "give-up");
    policy.reset();
    assert.deepEqual(policy.serverClosed(2), { action: "restart", attempt: 1 });
    assert.deepEqual(policy.serverClosed(3), { action: "give-up", notify: true, crashes: 2 });
  });

  test("the default policy allows four quick restarts", () => {
    const policy = new RestartPolicy();
    const actions = Array.from({ length: 6 }, (_, i) => policy.serverClosed(i).action);
    assert.deepEqual(actions, ["restart", "restart", "restart", "restart", "give-up", "give-up"]);
  });
});

describe("shouldShutDownAfterConnectionErrors", () => {
  test("tolerates three errors in a row, not four", () => {
    assert.equal(shouldShutDownAfterConnectionErrors(1), false);
    assert.equal(shouldShutDownAfterConnectionErrors(3), false);
    assert.equal(shouldShutDownAfterConnectionErrors(4), true);
    assert.equal(shouldShutDownAfterConnectionErrors(undefined), false);
  });
});
