import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MIN_POLL_INTERVAL_SECONDS,
  PollSchedule,
  pollIntervalMs,
} from "../../../extension/slurm/poll-schedule";
import { FakeClock } from "./fake-clock";

describe("the thunder.jobs.pollInterval setting", () => {
  test("seconds to ms, never below the minimum, bad values give the default", () => {
    assert.equal(pollIntervalMs(120), 120_000);
    assert.equal(pollIntervalMs(1), MIN_POLL_INTERVAL_SECONDS * 1000);
    assert.equal(pollIntervalMs(undefined), 60_000);
    assert.equal(pollIntervalMs("30"), 60_000);
    assert.equal(pollIntervalMs(Number.NaN), 60_000);
  });

  test("a changed interval applies to the next refresh without a restart", async () => {
    const clock = new FakeClock();
    const refreshes: number[] = [];
    const schedule = new PollSchedule({
      clock,
      idleIntervalMs: 60_000,
      refresh: async () => {
        refreshes.push(clock.now());
        return { hasWaitingJobs: false };
      },
    });
    schedule.setVisible(true);
    await clock.advance(0);
    assert.deepEqual(refreshes, [0]);
    await clock.advance(20_000);
    // Shorter: due 15 s after the last refresh, which is already past, so at once.
    schedule.setIdleInterval(pollIntervalMs(15));
    await clock.advance(0);
    assert.deepEqual(refreshes, [0, 20_000]);
    await clock.advance(15_000);
    assert.deepEqual(refreshes, [0, 20_000, 35_000]);
    // Longer: the pending refresh moves out.
    schedule.setIdleInterval(pollIntervalMs(300));
    await clock.advance(299_000);
    assert.deepEqual(refreshes, [0, 20_000, 35_000]);
    await clock.advance(1_000);
    assert.deepEqual(refreshes, [0, 20_000, 35_000, 335_000]);
    assert.equal(schedule.intervalMs, 300_000);
    schedule.dispose();
  });

  test("while one of our jobs waits, the fast rate still applies", async () => {
    const clock = new FakeClock();
    const schedule = new PollSchedule({
      clock,
      refresh: async () => ({ hasWaitingJobs: true }),
      waitingIntervalMs: 10_000,
    });
    schedule.setHasWaitingJobs(true);
    schedule.setIdleInterval(600_000);
    assert.equal(schedule.intervalMs, 10_000);
    schedule.setHasWaitingJobs(false);
    assert.equal(schedule.intervalMs, 600_000);
    schedule.dispose();
  });
});
