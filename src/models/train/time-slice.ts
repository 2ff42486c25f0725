/**
 * Yielding to the event loop on a time slice. The SQLite store's async methods are synchronous
 * underneath (a read is `.all()` or the profile cache), so a loop that only `await`s them never
 * lets the server answer anything: a training or a segment sweep over 25,000 subjects held every
 * request for 2–20 s. A loop that calls the slicer's `pause()` on every item gives the event loop
 * a turn (`setImmediate`: pending I/O and timers run first) once `sliceMs` have passed since the
 * last turn — a check of the clock otherwise, so it costs next to nothing when nothing waits.
 */
import { performance } from 'node:perf_hooks';

/** How long a sliced loop runs between two turns of the event loop, ms. */
export const SLICE_MS = 15;

const resolved: Promise<void> = Promise.resolve();
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A loop's slicer: `pause()` on every item; `due()` says whether the slice has run out. */
export interface TimeSlicer {
  /** Resolves at once while the slice lasts; after a turn of the event loop once it has run out. */
  pause(): Promise<void>;
  /** Whether `sliceMs` have passed since the last turn (for a loop that would rather not await). */
  due(): boolean;
}

/**
 * A slicer for one loop: `await slicer.pause()` between items keeps the loop from holding the
 * event loop for more than about `sliceMs` at a time (plus the length of one item).
 *
 * @example
 * const slice = timeSlicer();
 * for (const row of rows) { await slice.pause(); handle(row); }
 */
export function timeSlicer(sliceMs = SLICE_MS, now: () => number = () => performance.now()): TimeSlicer {
  let last = now();
  const due = () => now() - last >= sliceMs;
  return {
    due,
    pause() {
      if (!due()) return resolved;
      return nextTurn().then(() => {
        last = now();
      });
    },
  };
}

/**
 * Runs `fn` on every item of `items` in order, giving the event loop a turn whenever a slice of
 * `sliceMs` has run out: for a pure pass over many items (a comparator's scoring, a replay) that
 * would otherwise hold the server for its whole length.
 *
 * @example
 * await forEachSliced(points, (p) => { scores.push(score(p)); });
 */
export async function forEachSliced<T>(items: Iterable<T>, fn: (item: T, index: number) => void, sliceMs = SLICE_MS): Promise<void> {
  const slice = timeSlicer(sliceMs);
  let i = 0;
  for (const item of items) {
    if (slice.due()) await slice.pause();
    fn(item, i++);
  }
}

/**
 * Maps `items` with `fn` as {@link forEachSliced} runs it: the same array as `items.map(fn)`.
 *
 * @example
 * const scores = await mapSliced(held, (h) => logPredictive(model, h.counts, h.slot));
 */
export async function mapSliced<T, R>(items: readonly T[], fn: (item: T, index: number) => R, sliceMs = SLICE_MS): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachSliced(items, (item, i) => {
    out[i] = fn(item, i);
  }, sliceMs);
  return out;
}
