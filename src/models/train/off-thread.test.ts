import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { withAbandonSignal } from './abandon.js';
import { runOffThread } from './off-thread.js';

// Node's own modules stand in for "a module with a pure export": no fixture file to keep.
describe('runOffThread', () => {
  it('answers the exported function\'s result', async () => {
    expect(await runOffThread<typeof import('node:path').join>('node:path', 'join', ['a', 'b'])).toBe('a/b');
  });

  it('keeps typed arrays, nested arrays and every bit of a float through the round trip', async () => {
    const arg = { bySubject: [Int32Array.from([1, 5, 9]), Int32Array.from([])], w: [[0.1 + 0.2, -1e-300, Number.MAX_VALUE]] };
    // The worker rebuilds it from v8's serialization and sends it back: two crossings.
    expect(await runOffThread<(b: Uint8Array) => unknown>('node:v8', 'deserialize', [serialize(arg)])).toStrictEqual(arg);
  });

  it('rejects with the function\'s own message when it throws', async () => {
    await expect(runOffThread<(m: string) => never>('node:assert', 'fail', ['the fit could not invert XᵀX'])).rejects.toThrow(/^the fit could not invert XᵀX$/);
  });

  it('rejects, saying so, when the module has no such function', async () => {
    await expect(runOffThread<() => void>('node:path', 'noSuchFit', [])).rejects.toThrow('node:path exports no function `noSuchFit`');
  });

  it('rejects with a sentence when the worker dies without answering (killed, out of memory)', async () => {
    // process.exit in a worker ends that thread only.
    await expect(runOffThread<(code: number) => never>('node:process', 'exit', [7])).rejects.toThrow("`exit`'s worker thread stopped (exit code 7) before answering");
  });

  it('terminates the worker and rejects at once when its signal aborts, or the signal of the training it runs for', async () => {
    // node:timers/promises' setTimeout stands in for a fit of 3 s.
    const slow = (signal?: AbortSignal) => runOffThread<(ms: number) => Promise<void>>('node:timers/promises', 'setTimeout', [3_000], signal);
    for (const run of [(a: AbortController) => slow(a.signal), (a: AbortController) => withAbandonSignal(a.signal, () => slow())]) {
      const a = new AbortController();
      const t0 = Date.now();
      const p = run(a);
      setTimeout(() => a.abort(), 100);
      await expect(p).rejects.toThrow('`setTimeout` was stopped in its worker thread');
      expect(Date.now() - t0).toBeLessThan(1_500);
    }
  });
});
