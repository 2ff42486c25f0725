import { describe, expect, it } from 'vitest';
import { KeyQueue } from './key-queue.js';

/** A promise settled from outside, so a test decides when each task ends. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const drain = () => new Promise<void>((r) => setImmediate(r));

describe('KeyQueue', () => {
  it('runs the tasks of one key in the order they came, each after the previous one settled', async () => {
    const q = new KeyQueue();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((g, i) =>
      q.run('p-1', async (waited) => {
        log.push(`start ${i}${waited ? ' (waited)' : ''}`);
        await g.promise;
        log.push(`end ${i}`);
        return i;
      }),
    );
    // The first starts in the call itself; the others wait for it.
    expect(log).toEqual(['start 0']);
    await drain();
    expect(log).toEqual(['start 0']);
    // Released out of order: the third cannot start (or end) before the second.
    gates[2].resolve();
    gates[0].resolve();
    await drain();
    expect(log).toEqual(['start 0', 'end 0', 'start 1 (waited)']);
    gates[1].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1 (waited)', 'end 1', 'start 2 (waited)', 'end 2']);
  });

  it('a task that fails passes its error to its caller and lets the next one run', async () => {
    const q = new KeyQueue();
    const first = deferred();
    const failing = q.run('p-1', () => first.promise.then(() => Promise.reject(new Error('moved'))));
    const next = q.run('p-1', async (waited) => (waited ? 'after' : 'at once'));
    first.resolve();
    await expect(failing).rejects.toThrow('moved');
    await expect(next).resolves.toBe('after');
  });

  it('runs the tasks of different keys side by side', async () => {
    const q = new KeyQueue();
    const gate = deferred();
    const started: string[] = [];
    const a = q.run('p-1', async () => (started.push('p-1'), gate.promise));
    const b = q.run('p-2', async (waited) => (started.push('p-2'), waited));
    // p-2 started, and finished, while p-1 still runs.
    expect(started).toEqual(['p-1', 'p-2']);
    await expect(b).resolves.toBe(false);
    gate.resolve();
    await a;
  });

  it('holds a key only while it has a task running or waiting', async () => {
    const q = new KeyQueue();
    const gates = [deferred(), deferred()];
    const runs = [q.run('p-1', () => gates[0].promise), q.run('p-1', () => gates[1].promise), q.run('p-2', () => Promise.reject(new Error('no')))];
    expect(q.size).toBe(2);
    await expect(runs[2]).rejects.toThrow('no');
    await drain();
    expect(q.size).toBe(1);
    gates[0].resolve();
    await runs[0];
    await drain();
    // The second task of p-1 still runs: the key stays.
    expect(q.size).toBe(1);
    gates[1].reject(new Error('late'));
    await expect(runs[1]).rejects.toThrow('late');
    await drain();
    expect(q.size).toBe(0);
    // A key seen thousands of times leaves nothing behind.
    await Promise.all(Array.from({ length: 5000 }, (_, i) => q.run(`s-${i % 50}`, async () => i)));
    await drain();
    expect(q.size).toBe(0);
  });
});
