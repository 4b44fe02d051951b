/**
 * Coalesces diagnostics publishing: a burst of changes (a paste, many watched-file events,
 * a client replaying edits) results in one computation per document, published as soon as
 * the burst has been applied.
 *
 * vscode-jsonrpc handles one queued message per event-loop turn (each in its own
 * `setImmediate`), so a single `setImmediate` would run between every two messages of a burst.
 * Instead the flush re-queues itself behind the next message for as long as new changes keep
 * arriving, and publishes on the first turn without one: a few microseconds when idle.
 */
export class DiagnosticsScheduler {
  private readonly pending = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  /** Bumped by every schedule() call; a flush waits until it stops moving. */
  private generation = 0;
  /** Work that should not delay pending diagnostics (see afterPending). */
  private readonly deferred: (() => void)[] = [];

  constructor(private readonly publish: (uri: string) => void) {}

  schedule(uris: Iterable<string>): void {
    this.generation++;
    for (const uri of uris) this.pending.add(uri);
    if (this.pending.size > 0 && this.scheduled === undefined) this.waitForQuiet(-1);
  }

  private waitForQuiet(seenGeneration: number): void {
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (this.generation !== seenGeneration) this.waitForQuiet(this.generation);
      else this.flush();
    });
  }

  /**
   * Runs `work` once the diagnostics pending now are published (right away when none are): the
   * first diagnostics of a document that just opened do not wait for it.
   */
  afterPending(work: () => void): void {
    if (this.pending.size === 0) {
      work();
      return;
    }
    this.deferred.push(work);
  }

  /** Publishes everything pending now. */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const uris = [...this.pending];
    this.pending.clear();
    for (const uri of uris) this.publish(uri);
    this.runDeferred();
  }

  /** On a later turn: the connection writes what was just published in turns of its own. */
  private runDeferred(): void {
    if (this.deferred.length === 0) return;
    const work = this.deferred.splice(0);
    setImmediate(() => {
      for (const each of work) each();
    });
  }

  cancel(uri: string): void {
    this.pending.delete(uri);
    if (this.pending.size === 0) this.runDeferred();
  }

  dispose(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pending.clear();
    this.deferred.length = 0;
  }
}
