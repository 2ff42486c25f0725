import type { CommitTiming } from './store.js';

/**
 * The listeners of a store's commits (`Store.onCommit`): each hears every committed transaction's
 * timing; one that throws holds up neither the others nor the writes' answers.
 *
 * @example
 * const l = new CommitListeners(); l.add((t) => console.log(t.commitMs)); l.emit({ writes: 1, writeMs: 0.2, commitMs: 0.4 });
 */
export class CommitListeners {
  private readonly listeners: ((t: CommitTiming) => void)[] = [];

  add(listener: (t: CommitTiming) => void): void {
    this.listeners.push(listener);
  }

  emit(t: CommitTiming): void {
    for (const l of this.listeners) {
      try {
        l(t);
      } catch {
        // A metrics or log listener's failure is not the write's.
      }
    }
  }
}
