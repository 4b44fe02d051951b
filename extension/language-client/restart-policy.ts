/**
 * When the language server dies, restart it a few times; if it keeps dying, stop and tell the user
 * once (vscode-eslint does the same), instead of a crash loop with a popup per keystroke.
 */

export interface RestartPolicyOptions {
  /** Restarts allowed within `windowMs` before giving up. */
  maxRestarts: number;
  windowMs: number;
}

export type CloseVerdict =
  /** Restart the server silently. */
  | { action: "restart"; attempt: number }
  /** Give up; `notify` is true only the first time, so the user sees one message. */
  | { action: "give-up"; notify: boolean; crashes: number };

export const defaultRestartPolicy: RestartPolicyOptions = { maxRestarts: 4, windowMs: 3 * 60_000 };

export class RestartPolicy {
  private restartTimes: number[] = [];
  private gaveUp = false;

  constructor(private readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** The connection to the server closed unexpectedly at time `now` (ms). */
  serverClosed(now: number): CloseVerdict {
    this.restartTimes = this.restartTimes.filter((time) => now - time < this.options.windowMs);
    if (this.gaveUp || this.restartTimes.length >= this.options.maxRestarts) {
      const notify = !this.gaveUp;
      this.gaveUp = true;
      return { action: "give-up", notify, crashes: this.restartTimes.length + 1 };
    }
    this.restartTimes.push(now);
    return { action: "restart", attempt: this.restartTimes.length };
  }

  /** The user restarted the server by hand: start counting afresh. */
  reset(): void {
    this.restartTimes = [];
    this.gaveUp = false;
  }
}

/**
 * Reading or writing the connection failed (`count` = errors in a row, reset by any message that
 * got through). A few are tolerated; more mean the connection is broken.
 */
export function shouldShutDownAfterConnectionErrors(count: number | undefined): boolean {
  return (count ?? 1) > 3;
}
