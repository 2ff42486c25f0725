/**
 * Running a pure computation off the main thread. A training's fit (EASE's matrix inverse: 1 s at
 * 1,000 items, 26 s at 3,000) run on the server's thread left collection, decisions and
 * recommendations unanswered for as long as it lasted — though POST /v1/models/{name}/train says it
 * trains "in the background". Here the function runs in a worker thread of its own; the main
 * thread only waits on a promise. Arguments and result cross by structured clone (typed arrays,
 * plain objects and arrays, Maps — no functions, no class instances' methods), so the function
 * must be an export of a module that needs nothing but its arguments.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { currentAbandonSignal } from './abandon.js';

/** What the worker entry (off-thread-worker.ts) is given. */
export interface OffThreadCall {
  /** The module's URL (its `import.meta.url`). */
  module: string;
  /** The exported function's name. */
  name: string;
  args: unknown[];
}

/** What the worker entry answers: the function's result, or the message of what it threw. */
export type OffThreadAnswer = { result: unknown } | { error: string };

/**
 * Starts a worker thread on the module `entry` (a path without extension, relative to `base`, an
 * `import.meta.url`): its `.js` build, or — run from the TypeScript sources (vitest, tsx) — its
 * `.ts` file, with tsx registered in the worker first (a worker does not inherit the loader).
 *
 * @example
 * const w = startModuleWorker(import.meta.url, './off-thread-worker', { workerData });
 */
export function startModuleWorker(base: string, entry: string, options: WorkerOptions = {}): Worker {
  if (!base.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, base), options);
  const require = createRequire(base);
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
  const url = new URL(`${entry}.ts`, base).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`, { ...options, eval: true });
}

/**
 * Calls the exported function `name` of the module at `module` (pass that module's
 * `import.meta.url`) with `args`, in a worker thread started for this call and ended after it,
 * and answers its result. It rejects with the function's own message when it throws, and with a
 * sentence when the worker dies without answering (out of memory, killed): a training that awaits
 * it fails as any failed training does. The type parameter is the function's type, so arguments
 * and result are checked as for a direct call. Once `signal` aborts — by default the signal of the
 * training this runs for (abandon.ts: the server stopping) — the worker is terminated and the call
 * rejects: a fit of minutes no longer outlives the shutdown that abandoned its training.
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
    let worker: Worker;
    const call: OffThreadCall = { module, name, args };
    try {
      worker = startModuleWorker(import.meta.url, './off-thread-worker', { workerData: call });
    } catch (err) {
      reject(new Error(`\`${name}\` could not start its worker thread: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    const onAbort = () => settle(() => reject(stopped()));
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: OffThreadAnswer) => settle(() => ('error' in m ? reject(new Error(m.error)) : resolve(m.result as Awaited<ReturnType<F>>))));
    worker.on('error', (err) => settle(() => reject(new Error(`\`${name}\` failed in its worker thread: ${err.message}`))));
    worker.on('exit', (code) => settle(() => reject(new Error(`\`${name}\`'s worker thread stopped (exit code ${code}) before answering`))));
  });
}
