/**
 * Running a pure computation off the main thread. A training's fit (EASE's matrix inverse: 1 s at
 * 1,000 items, 26 s at 3,000 until 2026-12-07; 0.2 s and 2.2 s since, minutes at 20,000) run on
 * the server's thread left collection, decisions and recommendations unanswered for as long as it lasted — though POST /v1/models/{name}/train says it
 * trains "in the background". Here the function runs in a worker thread (one of a small pool,
 * off-thread-pool.ts); the main thread only waits on a promise. Arguments and result cross by
 * structured clone (typed arrays, plain objects and arrays, Maps — no functions, no class
 * instances' methods), so the function must be an export of a module that needs nothing but its
 * arguments.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { currentAbandonSignal } from './abandon.js';
import { WorkerPool, type PooledWorker } from './off-thread-pool.js';
import { postCall } from './off-thread-send.js';

export { inSlices, type OffThreadCall, type OffThreadPart } from './off-thread-send.js';

/** What the worker entry answers: the function's result, or the message of what it threw. */
export type OffThreadAnswer = { result: unknown } | { error: string };

/**
 * Starts a worker thread on the module `entry` (a path without extension, relative to `base`, an
 * `import.meta.url`): its `.js` build, or — run from the TypeScript sources (vitest, tsx) — its
 * `.ts` file, with tsx registered in the worker first (a worker does not inherit the loader).
 *
 * @example
 * const w = startModuleWorker(import.meta.url, './off-thread-worker');
 */
export function startModuleWorker(base: string, entry: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, base), options);
  const require = createRequire(base);
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
  const url = new URL(`${entry}.ts`, base).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`, { ...options, eval: true });
}

const pool = new WorkerPool(() => startModuleWorker(import.meta.url, './off-thread-worker'));

/**
 * Calls the exported function `name` of the module at `module` (pass that module's
 * `import.meta.url`) with `args`, in a worker thread of the pool (off-thread-pool.ts: an idle one,
 * else one started for it, kept for the next call once this one answered), and answers its result.
 * It rejects with the function's own message when it throws, and with a sentence when the worker
 * dies without answering (out of memory, killed): a training that awaits it fails as any failed
 * training does. The type parameter is the function's type, so arguments and result are checked as
 * for a direct call. Once `signal` aborts — by default the signal of the training this runs for
 * (abandon.ts: the server stopping) — the worker is terminated and the call rejects: a fit of
 * minutes no longer outlives the shutdown that abandoned its training (the pool starts a fresh
 * worker for the next call). An argument marked `inSlices` (off-thread-send.ts) is sent a slice at
 * a time, the event loop free between two.
 *
 * @example
 * // in fit-neighbours.ts, next to `export function fitRecommendations(data, cfg) { … }`:
 * const fitted = await runOffThread<typeof fitRecommendations>(import.meta.url, 'fitRecommendations', [data, cfg]);
 */
export function runOffThread<F extends (...args: never[]) => unknown>(module: string, name: string, args: Parameters<F>, signal: AbortSignal | undefined = currentAbandonSignal()): Promise<Awaited<ReturnType<F>>> {
  return new Promise((resolve, reject) => {
    const stopped = () => new Error(`\`${name}\` was stopped in its worker thread: the call was abandoned (the server is stopping)`);
    if (signal?.aborted) {
      reject(stopped());
      return;
    }
    let settled = false;
    let w: PooledWorker | undefined;
    // `reusable`: the worker answered and may take the next call; otherwise it is terminated.
    const settle = (fn: () => void, reusable: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (w) (reusable ? pool.release(w) : pool.discard(w));
      fn();
    };
    const onAbort = () => settle(() => reject(stopped()), false);
    try {
      w = pool.acquire({
        message: (m) => settle(() => ('error' in (m as OffThreadAnswer) ? reject(new Error((m as { error: string }).error)) : resolve((m as { result: unknown }).result as Awaited<ReturnType<F>>)), true),
        error: (err) => settle(() => reject(new Error(`\`${name}\` failed in its worker thread: ${err.message}`)), false),
        exit: (code) => settle(() => reject(new Error(`\`${name}\`'s worker thread stopped (exit code ${code}) before answering`)), false),
      });
    } catch (err) {
      reject(new Error(`\`${name}\` could not start its worker thread: ${(err as Error).message}`));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    postCall(w.worker, module, name, args, () => settled).catch((err: Error & { sent?: number }) => {
      // An argument that does not clone (a function): the worker takes the next call, unless it holds slices of this one.
      settle(() => reject(new Error(`\`${name}\`'s arguments could not be sent to its worker thread: ${err.message}`)), !err.sent);
    });
  });
}

/**
 * Ends the idle worker threads now, and the busy ones as their calls end (each training's own are
 * terminated by the signal that abandons it): for the server's stop, and tests.
 *
 * @example
 * await stopOffThreadWorkers();
 */
export function stopOffThreadWorkers(): Promise<void> {
  return pool.close();
}

/**
 * The pool's threads: how many were started in this process, how many are idle and busy now.
 *
 * @example
 * offThreadWorkers(); // { started: 1, idle: 1, busy: 0 } after any number of calls one at a time
 */
export function offThreadWorkers(): { started: number; idle: number; busy: number } {
  return pool.stats();
}
