/**
 * A tiny sequential test framework for the extension host (no mocha: nothing to install). Tests
 * register with `test`, `run` executes them in order with a timeout each and reports every result
 * through console.log, which the runner receives from the workbench.
 */

export type TestBody = () => Promise<void> | void;

interface RegisteredTest {
  name: string;
  body: TestBody;
  timeoutMs: number;
}

const registered: RegisteredTest[] = [];
const defaultTimeoutMs = 20_000;

/** Registers a test; `run` executes tests in registration order. */
export function test(name: string, body: TestBody, options: { timeoutMs?: number } = {}): void {
  registered.push({ name, body, timeoutMs: options.timeoutMs ?? defaultTimeoutMs });
}

export interface RunSummary {
  passed: number;
  failed: number;
}

/** Prefix of the result lines the runner counts; one line per test. */
export const resultPrefix = "[exthost-test]";

function withTimeout(body: TestBody, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    Promise.resolve()
      .then(body)
      .then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs every registered test once, in order; never throws (failures are counted). */
export async function runRegisteredTests(): Promise<RunSummary> {
  const summary: RunSummary = { passed: 0, failed: 0 };
  const suiteStarted = Date.now();
  console.log(`[exthost-metric] suite started at ${suiteStarted}`);
  for (const { name, body, timeoutMs } of registered) {
    const started = Date.now();
    try {
      await withTimeout(body, timeoutMs);
      summary.passed++;
      console.log(`${resultPrefix} ok ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      summary.failed++;
      console.log(`${resultPrefix} FAILED ${name} (${Date.now() - started} ms)\n${describeError(error)}`);
    }
  }
  console.log(`[exthost-metric] suite: ${registered.length} tests in ${Date.now() - suiteStarted} ms`);
  console.log(`${resultPrefix} summary ${summary.passed} passed, ${summary.failed} failed`);
  return summary;
}

/** Polls `probe` until it returns something other than undefined, or fails with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
