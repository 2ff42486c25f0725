import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { beforeEach, describe, expect, it } from 'vitest';
import { WorkerPool } from './off-thread-pool.js';
import { offThreadWorkers, runOffThread, stopOffThreadWorkers } from './off-thread.js';

/**
 * QA 2026-12-06: every runOffThread call started a worker thread of its own (0.35–0.5 s run from
 * the sources), and a training makes several. A thread's environment data (node:worker_threads
 * `setEnvironmentData`, read back by `getEnvironmentData`) is its own: a probe set in one call is
 * read by the next only when that call ran in the same thread — the check needs no hook of the pool.
 */
const PROBE = 'off-thread-pool.test probe';
const mark = () => runOffThread<(k: string, v: string) => void>('node:worker_threads', 'setEnvironmentData', [PROBE, 'seen']);
const probe = () => runOffThread<(k: string) => unknown>('node:worker_threads', 'getEnvironmentData', [PROBE]);
const slow = (ms: number, signal?: AbortSignal) => runOffThread<(ms: number, v: string) => Promise<string>>('node:timers/promises', 'setTimeout', [ms, 'done'], signal);

describe('runOffThread reuses its worker threads', () => {
  // Other test files of this process may have left threads idle: each test starts from none.
  beforeEach(() => stopOffThreadWorkers());

  it('runs calls one after another in one thread', async () => {
    const before = offThreadWorkers().started;
    await mark();
    for (let i = 0; i < 4; i++) expect(await probe()).toBe('seen');
    expect(offThreadWorkers()).toEqual({ started: before + 1, idle: 1, busy: 0 });
  }, 30_000);

  it('terminates the thread of an abandoned call, and starts a fresh one for the next call', async () => {
    await mark();
    const before = offThreadWorkers().started;
    const a = new AbortController();
    const t0 = Date.now();
    const p = slow(3_000, a.signal);
    setTimeout(() => a.abort(), 100);
    await expect(p).rejects.toThrow('`setTimeout` was stopped in its worker thread');
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(offThreadWorkers()).toMatchObject({ started: before, idle: 0, busy: 0 });
    // The marked thread ran the abandoned call: the next call's thread is a new one.
    expect(await probe()).toBeUndefined();
    expect(offThreadWorkers()).toMatchObject({ started: before + 1, idle: 1 });
  }, 30_000);

  it('runs calls made at once each in a thread of its own, and keeps two of them idle', async () => {
    const before = offThreadWorkers().started;
    // None answered before all three were made: each found no idle thread and started its own.
    expect(await Promise.all([slow(600), slow(600), slow(600)])).toEqual(['done', 'done', 'done']);
    expect(offThreadWorkers()).toEqual({ started: before + 3, idle: 2, busy: 0 });
  }, 30_000);

  it('keeps a thread that died in a call out of the pool, and one whose call threw in it', async () => {
    await mark();
    await expect(runOffThread<(m: string) => never>('node:assert', 'fail', ['no inverse'])).rejects.toThrow('no inverse');
    expect(await probe()).toBe('seen');
    await expect(runOffThread<(code: number) => never>('node:process', 'exit', [7])).rejects.toThrow('(exit code 7) before answering');
    expect(offThreadWorkers()).toMatchObject({ idle: 0, busy: 0 });
    expect(await probe()).toBeUndefined();
  }, 30_000);

  it('ends every idle thread at stop, and a busy one once its call answered', async () => {
    const [a, b] = [slow(300), slow(2_500)];
    await expect(a).resolves.toBe('done');
    await stopOffThreadWorkers(); // a's thread idle, b's busy
    expect(offThreadWorkers()).toMatchObject({ idle: 0, busy: 1 });
    await expect(b).resolves.toBe('done');
    expect(offThreadWorkers()).toMatchObject({ idle: 0, busy: 0 });
  }, 30_000);

  it('ends an idle thread after its idle time', async () => {
    const pool = new WorkerPool(() => new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m))", { eval: true }), { maxIdle: 2, idleMs: 100 });
    const w = pool.acquire({ message: () => pool.release(w), error: () => undefined, exit: () => undefined });
    const exited = new Promise((r) => w.worker.once('exit', r));
    w.worker.postMessage('ping');
    await exited;
    expect(pool.stats()).toEqual({ started: 1, idle: 0, busy: 0 });
  });

  it('never holds the process open while idle, and holds it while a call runs', async () => {
    // A process of its own: it awaits one call of 300 ms, prints the answer, and must then exit
    // without waiting for its idle thread's 30 s.
    const offThread = fileURLToPath(new URL('./off-thread.ts', import.meta.url));
    const script = `import(${JSON.stringify(offThread)}).then((m) => m.runOffThread('node:timers/promises', 'setTimeout', [300, 'answered'])).then((v) => console.log(v));`;
    const t0 = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('answered');
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 30_000);
});
