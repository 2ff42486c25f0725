/**
 * Runs tasks one after another per key, each once the previous one for its key has settled
 * (fulfilled or rejected); tasks for different keys run side by side. A key is held only while it
 * has a task running or waiting, so the queue holds at most one entry per key with work in flight,
 * and none once everything settled.
 *
 * @example
 * const q = new KeyQueue();
 * q.run('p-1', async (waited) => decide(waited)); // starts now when nothing runs for p-1, else after it
 */
export class KeyQueue {
  /** key → the end of its queue: settles (never rejects) when the last task queued for it has. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` after every task queued for `key` before it; it starts at once (in this call) when
   * none is running, and learns whether it had to wait.
   */
  run<T>(key: string, task: (waited: boolean) => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    const result = prev ? prev.then(() => task(true)) : task(false);
    const tail = result.then(settled, settled);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}

const settled = () => undefined;
