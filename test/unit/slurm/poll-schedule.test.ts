import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PollSchedule } from "../../../extension/slurm/poll-schedule";
import { FakeClock, settle } from "./fake-clock";

function setup(waiting: () => boolean = () => false) {
  const clock = new FakeClock();
  const refreshes: number[] = [];
  const schedule = new PollSchedule({
    clock,
    refresh: async () => {
      refreshes.push(clock.now());
      return { hasWaitingJobs: waiting() };
    },
  });
  return { clock, refreshes, schedule };
}

describe("PollSchedule", () => {
  test("nothing happens while the view is hidden", async () => {
    const { clock, refreshes } = setup();
    await clock.advance(10 * 60_000);
    assert.deepEqual(refreshes, []);
  });

  test("visible: refresh at once, then every 60 s", async () => {
    const { clock, refreshes, schedule } = setup();
    schedule.setVisible(true);
    await clock.advance(185_000);
    assert.deepEqual(refreshes, [0, 60_000, 120_000, 180_000]);
  });

  test("every 10 s while one of our jobs is pending, back to 60 s after", async () => {
    let pending = true;
    const { clock, refreshes, schedule } = setup(() => pending);
    schedule.setVisible(true);
    await clock.advance(25_000);
    assert.deepEqual(refreshes, [0, 10_000, 20_000]);
    pending = false;
    await clock.advance(100_000);
    assert.deepEqual(refreshes, [0, 10_000, 20_000, 30_000, 90_000]);
  });

  test("hidden pauses; shown again refreshes only once the interval has passed", async () => {
    const { clock, refreshes, schedule } = setup();
    schedule.setVisible(true);
    await clock.advance(1000);
    schedule.setVisible(false);
    await clock.advance(20_000);
    schedule.setVisible(true);
    await clock.advance(0);
    assert.deepEqual(refreshes, [0], "21 s after the last refresh: not due yet");
    await clock.advance(40_000);
    assert.deepEqual(refreshes, [0, 60_000]);
    schedule.setVisible(false);
    await clock.advance(300_000);
    assert.deepEqual(refreshes, [0, 60_000]);
    assert.equal(clock.pendingTimers, 0);
    schedule.setVisible(true);
    await clock.advance(0);
    assert.deepEqual(refreshes, [0, 60_000, 361_000], "long hidden: refresh as soon as shown");
  });

  test("manual refresh runs now and restarts the interval", async () => {
    const { clock, refreshes, schedule } = setup();
    schedule.setVisible(true);
    await clock.advance(30_000);
    await schedule.refreshNow();
    assert.deepEqual(refreshes, [0, 30_000]);
    await clock.advance(60_000);
    assert.deepEqual(refreshes, [0, 30_000, 90_000]);
  });

  test("manual refresh works while hidden, and does not start polling", async () => {
    const { clock, refreshes, schedule } = setup();
    await schedule.refreshNow();
    await clock.advance(120_000);
    assert.deepEqual(refreshes, [0]);
  });

  test("a submission switches to the fast rate at once", async () => {
    const { clock, refreshes, schedule } = setup(() => true);
    schedule.setVisible(true);
    await clock.advance(5_000);
    schedule.setHasWaitingJobs(true);
    await clock.advance(6_000);
    assert.deepEqual(refreshes, [0, 10_000]);
  });

  test("refreshes never overlap; a manual refresh during one runs right after it", async () => {
    const clock = new FakeClock();
    let active = 0;
    let maxActive = 0;
    let release: (() => void) | undefined;
    let calls = 0;
    const schedule = new PollSchedule({
      clock,
      refresh: async () => {
        calls++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        active--;
        return { hasWaitingJobs: false };
      },
    });
    const first = schedule.refreshNow();
    const second = schedule.refreshNow();
    await settle();
    assert.equal(calls, 1);
    release!();
    await settle();
    assert.equal(calls, 2, "the requested refresh follows");
    release!();
    await Promise.all([first, second]);
    assert.equal(maxActive, 1);
  });

  test("a failing refresh is reported and polling goes on", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let calls = 0;
    const schedule = new PollSchedule({
      clock,
      refresh: async () => {
        calls++;
        throw new Error("connection lost");
      },
      onError: (error) => errors.push(error),
    });
    schedule.setVisible(true);
    await clock.advance(60_000);
    assert.equal(calls, 2);
    assert.equal(errors.length, 2);
  });

  test("dispose stops everything", async () => {
    const { clock, refreshes, schedule } = setup();
    schedule.setVisible(true);
    await clock.advance(0);
    schedule.dispose();
    await clock.advance(600_000);
    assert.deepEqual(refreshes, [0]);
  });
});
