import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readBatch, type BatchRead } from './batch-body.js';
import type { ParseRequest } from './parse-worker.js';
import type { Projection } from './slim.js';
import { unpackBatch, type PackedBatch } from './wire.js';

export interface BatchReaderOptions {
  /** Parse workers (0: every batch is read on the request's thread). Default: TACT_PARSE_WORKERS, else 1 when the machine has four cores or more. */
  workers?: number;
  /** Bodies shorter than this (characters) are read on the request's thread: the hand-off costs more than they do. */
  minChars?: number;
  /** Told when a worker fails (its requests are read on the request's thread instead). */
  onWorkerFailure?: (message: string) => void;
}

interface Waiting {
  text: string;
  receivedAt: number;
  resolve: (r: BatchRead) => void;
  reject: (err: unknown) => void;
}

/** Reads a batch on this thread for a request that was waiting on a worker. */
function readHere(p: Waiting): void {
  try {
    p.resolve(readBatch(p.text, p.receivedAt));
  } catch (err) {
    p.reject(err);
  }
}

interface Slot {
  worker: Worker;
  pending: Map<number, Waiting>;
}

/** How many times failed workers are replaced before every batch is read on the main thread. */
const MAX_RESTARTS = 3;

/**
 * Parse workers from TACT_PARSE_WORKERS, else one on four cores or more. On two cores a worker
 * saves the main thread ≈ 10% of its time per event but adds ≈ 20% more CPU per event in all, and
 * both cores are already in use (the writer, the collector's helpers, the clients): measured, it
 * did not raise the rate (docs/benchmarks.md, ingest), so it is off there.
 */
export function defaultParseWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.TACT_PARSE_WORKERS;
  if (v !== undefined && v !== '') {
    const n = /^\d+$/.test(v) ? Number(v) : NaN; // not Number(v): it reads 0x1 and 1e0 as 1
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`TACT_PARSE_WORKERS must be a whole number from 0 to 64; it was "${v}".`);
    return n;
  }
  return availableParallelism() >= 4 ? 1 : 0;
}

/**
 * Reads collection batch bodies (batch-body.ts); with parse workers, the large ones in a worker, so
 * that the main thread — which alone resolves identities and folds profiles — spends about half as
 * much on reading them. That helps where the worker has a core to itself, not on two busy cores
 * (docs/adr/0004-collection-parse-worker.md). A body gives the same answer on either path; if a
 * worker fails, what it held is read on the main thread and nothing is lost.
 */
export class BatchReader {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private restarts = 0;
  private closed = false;
  private readonly size: number;
  private readonly minChars: number;
  /** How many parse workers it may start. */
  get workers(): number {
    return this.size;
  }

  /** Batches read in a worker and on the main thread (for the metrics and tests). */
  readonly counts = { worker: 0, main: 0 };

  constructor(private readonly opts: BatchReaderOptions = {}) {
    this.size = opts.workers ?? defaultParseWorkers();
    this.minChars = opts.minChars ?? 16 * 1024;
  }

  /**
   * Reads one batch body received at `receivedAt` (ms). Read in a worker, its messages come back
   * projected by `projection` (what the write path reads under the current configuration).
   */
  read(text: string, receivedAt: number, projection: Projection): Promise<BatchRead> {
    const slot = text.length >= this.minChars ? this.slot() : undefined;
    if (!slot) {
      this.counts.main += 1;
      try {
        return Promise.resolve(readBatch(text, receivedAt));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.counts.worker += 1;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { text, receivedAt, resolve, reject });
      slot.worker.postMessage({ id, text, receivedAt, projection } satisfies ParseRequest);
    });
  }

  /** Stops the workers; batches they still held are read on the main thread. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const s of slots) this.failOver(s);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** The least busy worker, started on first use; none when workers are off or have failed too often. */
  private slot(): Slot | undefined {
    if (this.closed || this.size === 0) return undefined;
    if (this.slots.length < this.size && this.restarts <= MAX_RESTARTS) {
      const s = this.start();
      if (s) return s;
    }
    let best: Slot | undefined;
    for (const s of this.slots) if (!best || s.pending.size < best.pending.size) best = s;
    return best;
  }

  private start(): Slot | undefined {
    let worker: Worker;
    try {
      worker = spawnParseWorker();
    } catch (err) {
      this.restarts = MAX_RESTARTS + 1;
      this.opts.onWorkerFailure?.(`a parse worker could not start: ${(err as Error).message}`);
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (m: { id: number; batch?: PackedBatch; error?: string }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (!m.batch) return readHere(p); // the worker threw: this thread's own reading answers (or fails) the request
      try {
        p.resolve(unpackBatch(m.batch));
      } catch (err) {
        p.reject(err);
      }
    });
    const down = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      this.restarts += 1;
      this.failOver(slot);
      if (!this.closed) this.opts.onWorkerFailure?.(why);
    };
    worker.on('error', (err) => down(`a parse worker failed: ${err.message}`));
    worker.on('exit', (code) => down(`a parse worker stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  /** Reads on the main thread whatever a stopped worker still held. */
  private failOver(slot: Slot): void {
    for (const p of slot.pending.values()) {
      this.counts.main += 1;
      readHere(p);
    }
    slot.pending.clear();
  }
}

/**
 * Starts parse-worker.js next to this file. Run from the TypeScript sources (tests, tsx), the
 * worker registers tsx before loading parse-worker.ts.
 */
function spawnParseWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', here));
  const require = createRequire(here);
  const tsx = pathToFileURL(join(dirname(require.resolve('tsx/esm/api')), 'index.mjs')).href;
  const entry = new URL('./parse-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}
