import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { inSlices, runOffThread } from './off-thread.js';
import { postCall, SLICE_ITEMS } from './off-thread-send.js';

/** A worker that records what it is posted, each post holding the thread `holdMs` as a large clone does. */
function recordingWorker(holdMs = 0) {
  const posted: unknown[] = [];
  const worker = {
    postMessage(m: unknown) {
      const until = performance.now() + holdMs;
      while (performance.now() < until);
      posted.push(structuredClone(m));
    },
  } as unknown as Worker;
  return { worker, posted };
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ record: { id: `d${i}`, at: i }, followed: new Set(i % 2 ? ['conversion'] : []), delays: new Map([['conversion', i]]) }));

describe('an argument marked inSlices goes to the worker a slice at a time (QA 2026-12-06)', () => {
  it('posts its slices, then the call without it', async () => {
    const { worker, posted } = recordingWorker();
    const big = rows(2 * SLICE_ITEMS + 1);
    await postCall(worker, 'file:///m.ts', 'fit', ['goal', inSlices(big), [1, 2]], () => false);
    expect(posted.map((m) => ('items' in (m as object) ? (m as { arg: number; items: unknown[] }).items.length : 'call'))).toEqual([SLICE_ITEMS, SLICE_ITEMS, 1, 'call']);
    expect(posted[3]).toEqual({ module: 'file:///m.ts', name: 'fit', args: ['goal', null, [1, 2]], sliced: [1] });
    // An array not marked goes whole, with the call.
    const plain = recordingWorker();
    const whole = rows(2 * SLICE_ITEMS + 1);
    await postCall(plain.worker, 'file:///m.ts', 'fit', [whole], () => false);
    expect(plain.posted).toEqual([{ module: 'file:///m.ts', name: 'fit', args: [whole] }]);
  });

  it('gives the event loop a turn between slices once a time slice has run out', async () => {
    // 16 slices of 25 ms each: sent in one piece they would hold the loop for the whole 400 ms.
    const { worker, posted } = recordingWorker(25);
    let last = performance.now();
    let stall = 0;
    const timer = setInterval(() => {
      stall = Math.max(stall, performance.now() - last);
      last = performance.now();
    }, 2);
    const t0 = performance.now();
    try {
      await postCall(worker, 'file:///m.ts', 'fit', [inSlices(rows(16 * SLICE_ITEMS))], () => false);
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - t0;
    expect(posted).toHaveLength(17);
    // One slice (25 ms) and its clone between two turns; half the run leaves room for a loaded host's pauses.
    expect(stall, `${Math.round(stall)} of ${Math.round(took)} ms`).toBeLessThan(took / 2);
  });

  it('stops sending once the call is abandoned', async () => {
    const { worker, posted } = recordingWorker(10);
    let over = false;
    setTimeout(() => (over = true), 30);
    await postCall(worker, 'file:///m.ts', 'fit', [inSlices(rows(40 * SLICE_ITEMS))], () => over);
    expect(posted.length).toBeLessThan(40);
    expect(posted.every((m) => 'items' in (m as object))).toBe(true);
  });

  it('gives the worker the whole array, in order, and the other arguments as they were', async () => {
    const big = rows(3 * SLICE_ITEMS + 7);
    const twin = rows(3 * SLICE_ITEMS + 7);
    expect(await runOffThread<(a: unknown, b: unknown) => boolean>('node:util', 'isDeepStrictEqual', [inSlices(big), twin])).toBe(true);
    twin[SLICE_ITEMS].record.at = -1;
    expect(await runOffThread<(a: unknown, b: unknown) => boolean>('node:util', 'isDeepStrictEqual', [inSlices(big), twin])).toBe(false);
    // The next call of the same worker starts from no slices.
    expect(await runOffThread<(a: unknown, b: unknown) => boolean>('node:util', 'isDeepStrictEqual', [inSlices([] as unknown[]), []])).toBe(true);
  }, 30_000);

  it('rejects, saying so, when a slice does not clone, and the next call still answers', async () => {
    const bad = [...rows(SLICE_ITEMS), { f: () => 1 }];
    await expect(runOffThread<(a: unknown) => unknown>('node:util', 'inspect', [inSlices(bad)])).rejects.toThrow("`inspect`'s arguments could not be sent to its worker thread");
    expect(await runOffThread<typeof import('node:path').join>('node:path', 'join', ['a', 'b'])).toBe('a/b');
  }, 30_000);
});
