import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MIN_POLL_INTERVAL_SECONDS,
  PollSchedule,
  pollIntervalMs,
  type SchedulerClock,
} from "../../../extension/slurm/poll-schedule";

/** A clock whose time only moves when the test says so. */
class ManualClock implements SchedulerClock {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + delayMs, callback, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe("the thunder.jobs.pollInterval setting", () => {
  test("seconds to ms, never below the minimum, bad values give the default", () => {
    assert.equal(pollIntervalMs(120), 120_000);
    assert.equal(pollIntervalMs(1), MIN_POLL_INTERVAL_SECONDS * 1000);
    assert.equal(pollIntervalMs(undefined), 60_000);
    assert.equal(pollIntervalMs("30"), 60_000);
    assert.equal(pollIntervalMs(Number.NaN), 60_000);
  });

  test("a changed interval applies to the next refresh without a restart", async () => {
    const clock = new ManualClock();
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
    const clock = new ManualClock();
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
