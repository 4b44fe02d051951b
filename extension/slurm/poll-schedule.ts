/**
 * When to refresh the Slurm view. Cluster admins ask tools not to poll in tight loops, so: one refresh
 * a minute, every 10 s only while one of our jobs waits to start, nothing while the view is hidden,
 * and at once when the user asks. Refreshes never overlap. The clock is injected, so tests drive it.
 */

export interface SchedulerClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The least time between refreshes the `thunder.jobs.pollInterval` setting may ask for. */
export const MIN_POLL_INTERVAL_SECONDS = 10;
const DEFAULT_POLL_INTERVAL_SECONDS = 60;

/** The idle interval in ms for a `thunder.jobs.pollInterval` value (seconds); bad values give the default. */
export function pollIntervalMs(seconds: unknown): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return DEFAULT_POLL_INTERVAL_SECONDS * 1000;
  return Math.max(MIN_POLL_INTERVAL_SECONDS, seconds) * 1000;
}

export interface PollScheduleOptions {
  clock: SchedulerClock;
  /** Performs one refresh; resolves with whether one of our jobs is still pending/configuring. */
  refresh: () => Promise<{ hasWaitingJobs: boolean }>;
  idleIntervalMs?: number;
  waitingIntervalMs?: number;
  /** Called when a refresh throws; the schedule goes on. */
  onError?: (error: unknown) => void;
}

export class PollSchedule {
  private visible = false;
  private hasWaitingJobs = false;
  private lastRefreshAt: number | undefined;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private rerunRequested = false;
  private disposed = false;
  private idleIntervalMs: number;
  private readonly waitingIntervalMs: number;

  constructor(private readonly options: PollScheduleOptions) {
    this.idleIntervalMs = options.idleIntervalMs ?? 60_000;
    this.waitingIntervalMs = options.waitingIntervalMs ?? 10_000;
  }

  /** The interval that applies now. */
  get intervalMs(): number {
    return this.hasWaitingJobs ? this.waitingIntervalMs : this.idleIntervalMs;
  }

  /** The view became visible or hidden. Visible: refresh now if the last one is older than the interval. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.reschedule();
  }

  /** A job was just submitted (or cancelled): poll at the fast rate until the next refresh says otherwise. */
  setHasWaitingJobs(waiting: boolean): void {
    this.hasWaitingJobs = waiting;
    this.reschedule();
  }

  /** The setting changed: the next refresh is due one new interval after the last one. */
  setIdleInterval(intervalMs: number): void {
    if (intervalMs === this.idleIntervalMs) return;
    this.idleIntervalMs = intervalMs;
    this.reschedule();
  }

  /** Manual refresh: runs at once (after a refresh in flight), whether or not the view is visible. */
  refreshNow(): Promise<void> {
    if (this.running) {
      this.rerunRequested = true;
      return this.running.then(() => this.running ?? Promise.resolve());
    }
    return this.run();
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private reschedule(): void {
    this.cancelTimer();
    if (this.disposed || !this.visible || this.running) return;
    const dueAt = this.lastRefreshAt === undefined ? 0 : this.lastRefreshAt + this.intervalMs;
    const delay = Math.max(0, dueAt - this.options.clock.now());
    this.timer = this.options.clock.setTimer(() => {
      this.timer = undefined;
      void this.run();
    }, delay);
  }

  private run(): Promise<void> {
    this.cancelTimer();
    this.running = (async () => {
      try {
        const result = await this.options.refresh();
        this.hasWaitingJobs = result.hasWaitingJobs;
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.lastRefreshAt = this.options.clock.now();
      }
    })().finally(() => {
      this.running = undefined;
      if (this.rerunRequested && !this.disposed) {
        this.rerunRequested = false;
        void this.run();
      } else {
        this.reschedule();
      }
    });
    return this.running;
  }
}
