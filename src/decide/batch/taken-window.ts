/**
 * How far a batch run may decide ahead of its client: the decision lines it sent (or has in hand)
 * may exceed those the client has taken — delivered to its webhook, or written to the failed file
 * — by at most `ahead`. Each decision is logged and counts against caps and budgets, so a slow or
 * failing webhook must hold the run back; the socket's buffers alone let it run thousands ahead.
 *
 * @example
 * const w = new TakenWindow(200); w.take(100); await w.next(stop); // resolves on the next take, or the stop
 */
export class TakenWindow {
  private count = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly ahead: number) {}

  /** The decision lines the client has taken so far. */
  get taken(): number {
    return this.count;
  }

  /** The client has taken `n` decision lines in all (a smaller count than one before changes nothing). */
  take(n: number): void {
    if (n <= this.count) return;
    this.count = n;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Resolves once the client takes more, or `stop` fires (at once if it has). */
  next(stop?: AbortSignal): Promise<void> {
    if (stop?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        stop?.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.push(done);
      stop?.addEventListener('abort', done, { once: true });
    });
  }
}
