import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLimiter } from "../../../extension/experiments/limiter";

describe("createLimiter", () => {
  it("never runs more than the limit at once and runs everything", async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, index % 3));
          active -= 1;
          return index;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 50 }, (_, index) => index),
    );
  });

  it("frees the slot when a task fails", async () => {
    const limit = createLimiter(1);
    await assert.rejects(
      limit(async () => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await limit(async () => "next"), "next");
  });
});
