/**
 * The worker threads `runOffThread` (off-thread.ts) calls into, kept between calls. Starting one
 * costs 0.35–0.5 s run from the TypeScript sources (tsx registered in it, the modules imported
 * again) and a training makes several calls — a fit, the held-out refit, the comparison — so until
 * 2026-12-06 each call paid it once more. A thread is started when a call finds none idle (so
 * calls at once still run at once, as before), goes back to the pool once its call answered, and
 * is ended after IDLE_MS without a call, or at once beyond MAX_IDLE idle. An idle thread is
 * unref'd: it never holds the process open (a thread busy with a call does, as the call's caller
 * waits on it). A thread whose call was abandoned, or which died, is terminated and never reused.
 */
import type { Worker } from 'node:worker_threads';

/** How many idle threads are kept. */
export const MAX_IDLE = 2;
/** How long an idle thread is kept before it is ended, ms. */
export const IDLE_MS = 30_000;

/** What the thread running a call tells it: its answer, an error it threw outside the call, or its end. */
export interface CallListener {
  message(m: unknown): void;
  error(err: Error): void;
  exit(code: number): void;
}

/** A thread of the pool. */
export interface PooledWorker {
  readonly worker: Worker;
  /** The call it runs now (undefined while idle). */
  call?: CallListener;
  idleTimer?: NodeJS.Timeout;
  /** Set once terminated or dead: never reused. */
  ended: boolean;
}

/** A pool of threads started by `start`; `stats()` counts them (tests, the report of a slow training). */
export class WorkerPool {
  private readonly idle: PooledWorker[] = [];
  private readonly busy = new Set<PooledWorker>();
  private started = 0;
  /** Set by `close()`: a thread whose call ends then is ended, not kept. */
  private closing = false;

  constructor(private readonly start: () => Worker, private readonly o: { maxIdle: number; idleMs: number } = { maxIdle: MAX_IDLE, idleMs: IDLE_MS }) {}

  /**
   * An idle thread, or a new one (it may throw: the thread could not start), running `call` until
   * `release` or `discard`.
   */
  acquire(call: CallListener): PooledWorker {
    this.closing = false;
    let w = this.idle.pop();
    if (w) {
      clearTimeout(w.idleTimer);
      w.idleTimer = undefined;
    } else {
      w = this.spawn();
    }
    w.call = call;
    w.worker.ref();
    this.busy.add(w);
    return w;
  }

  /** `w`'s call answered: it waits for the next call (unref'd, ended after idleMs), or ends when enough wait. */
  release(w: PooledWorker): void {
    w.call = undefined;
    this.busy.delete(w);
    if (w.ended) return;
    if (this.closing || this.idle.length >= this.o.maxIdle) {
      this.end(w);
      return;
    }
    w.worker.unref();
    w.idleTimer = setTimeout(() => {
      this.idle.splice(this.idle.indexOf(w), 1);
      this.end(w);
    }, this.o.idleMs);
    w.idleTimer.unref();
    this.idle.push(w);
  }

  /** `w`'s call was abandoned or its thread failed: it is terminated, never reused. */
  discard(w: PooledWorker): void {
    w.call = undefined;
    this.busy.delete(w);
    this.end(w);
  }

  /**
   * Ends every idle thread now, and every busy one as its call ends (a call in flight is its
   * caller's: a training's is terminated by the signal that abandons it). Resolves once the idle
   * ones are gone.
   */
  async close(): Promise<void> {
    this.closing = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((w) => this.end(w)));
  }

  /** Threads started since the pool was made, and those alive now (idle and busy). */
  stats(): { started: number; idle: number; busy: number } {
    return { started: this.started, idle: this.idle.length, busy: this.busy.size };
  }

  private spawn(): PooledWorker {
    const w: PooledWorker = { worker: this.start(), ended: false };
    this.started++;
    w.worker.on('message', (m: unknown) => w.call?.message(m));
    w.worker.on('error', (err) => {
      const call = w.call;
      this.forget(w);
      call?.error(err);
    });
    w.worker.on('exit', (code) => {
      const call = w.call;
      this.forget(w);
      call?.exit(code);
    });
    return w;
  }

  /** A thread that died on its own (an error outside a call, process.exit): out of the pool. */
  private forget(w: PooledWorker): void {
    w.ended = true;
    clearTimeout(w.idleTimer);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private async end(w: PooledWorker): Promise<void> {
    if (w.ended) return;
    w.ended = true;
    clearTimeout(w.idleTimer);
    await w.worker.terminate();
  }
}
