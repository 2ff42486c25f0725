/**
 * Sending a call's arguments to its worker thread. `postMessage` clones them synchronously on the
 * server's thread: the uplift fit's 16,000 logged decisions (facts, scores, sets of outcomes) took
 * 0.2–0.8 s to clone on a loaded 2-core host, 2.3 s once (QA 2026-12-06) — one gap of the event
 * loop as long. An array marked {@link inSlices} is sent a slice of SLICE_ITEMS items at a time,
 * with a turn of the event loop whenever a time slice has run out, and put back together in the
 * worker before the call.
 */
import type { Worker } from 'node:worker_threads';
import { timeSlicer } from './time-slice.js';

/** Items of a marked array one message carries. */
export const SLICE_ITEMS = 500;

/** What the worker entry (off-thread-worker.ts) is sent, one call at a time. */
export interface OffThreadCall {
  /** The module's URL (its `import.meta.url`). */
  module: string;
  /** The exported function's name. */
  name: string;
  args: unknown[];
  /** The arguments sent before the call a slice at a time ({@link OffThreadPart}): null in `args`. */
  sliced?: number[];
}

/** A slice of the argument `arg` of the call about to be sent. */
export interface OffThreadPart {
  arg: number;
  items: unknown[];
}

const marked = new WeakSet<readonly unknown[]>();

/**
 * Marks `items` to be sent to the worker a slice at a time when passed as an argument of
 * runOffThread, and answers it: for an array of thousands of objects, whose one-piece clone would
 * hold the event loop. It must not change until the call answers.
 *
 * @example
 * await runOffThread<typeof fitUpliftOnTables>(import.meta.url, 'fitUpliftOnTables', [inSlices(rows), goals, windows, windowMs, now]);
 */
export function inSlices<T extends readonly unknown[]>(items: T): T {
  marked.add(items);
  return items;
}

/**
 * Posts the call of `fn` with `args` to `worker`: the marked arrays a slice at a time, then the
 * call. Stops as soon as `over()` (the call was abandoned meanwhile). Answers how many slices were
 * sent; a clone that fails throws with their count on the error (`sent`), so that the caller does
 * not reuse a worker left holding slices of a call that never came.
 */
export async function postCall(worker: Worker, module: string, name: string, args: readonly unknown[], over: () => boolean): Promise<void> {
  const sliced = args.flatMap((a, i) => (Array.isArray(a) && marked.has(a) ? [i] : []));
  const slice = timeSlicer();
  let sent = 0;
  try {
    for (const i of sliced) {
      const items = args[i] as unknown[];
      for (let j = 0; j < items.length; j += SLICE_ITEMS) {
        if (slice.due()) await slice.pause();
        if (over()) return;
        worker.postMessage({ arg: i, items: items.slice(j, j + SLICE_ITEMS) } satisfies OffThreadPart);
        sent++;
      }
    }
    if (over()) return;
    const call: OffThreadCall = { module, name, args: args.map((a, i) => (sliced.includes(i) ? null : a)), ...(sliced.length ? { sliced } : {}) };
    worker.postMessage(call);
  } catch (err) {
    throw Object.assign(err as Error, { sent });
  }
}
