import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How long stopping the server waits for the trainings in flight (scheduled, on demand, `sync=true`)
 * before abandoning them: a second less than the 5 s the server gives its requests
 * (server/shutdown.ts), and counted from the same moment (the app's close), so that a `sync=true`
 * request cut so is still answered (503) before its connection is closed, and a SIGTERM during a
 * scheduled run no longer holds the process until every due model has trained (47.8 s measured,
 * QA 2026-12-06) — a supervisor's 10–30 s timeout SIGKILLed it mid-training.
 */
export const TRAINING_STOP_GRACE_MS = 4_000;

/** Why an abandoned training trained nothing, as its record and the log say. */
export const STOPPED_BY_SHUTDOWN = "stopped by the server's shutdown";

/**
 * A training abandoned at shutdown: nothing of it was stored, its lease is given back. Its own
 * class so that callers tell it from a training that failed (the schedule records no failure for
 * it, the `sync=true` route answers 503).
 */
export class TrainingStopped extends Error {
  constructor(readonly model: string) {
    super(`The training of ${model} was ${STOPPED_BY_SHUTDOWN} before it was over: nothing was trained. Ask again to train ${model}.`);
    this.name = 'TrainingStopped';
  }
}

const scope = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs a trainer's `fn` with `signal` as the signal that abandons it, so that every fit it starts
 * in a worker thread (runOffThread) is terminated once it aborts — without each trainer having to
 * pass it on (they may: `ctx.signal` is the same signal).
 *
 * @example
 * const outcome = await withAbandonSignal(signal, () => trainer.train(ctx));
 */
export function withAbandonSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return signal ? scope.run(signal, fn) : fn();
}

/** The signal abandoning the training this code runs for (undefined outside one). */
export function currentAbandonSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/**
 * `p`, or a TrainingStopped rejection as soon as `signal` aborts: the caller stops waiting on work
 * that may not notice the signal (a trainer's reads), and what `p` does after is ignored — its
 * failure too, which would otherwise be an unhandled rejection.
 *
 * @example
 * const outcome = await untilAbandoned(trainer.train(ctx), signal, 'rates');
 */
export function untilAbandoned<T>(p: Promise<T>, signal: AbortSignal | undefined, model: string): Promise<T> {
  if (!signal) return p;
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new TrainingStopped(model));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TrainingStopped(model));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
