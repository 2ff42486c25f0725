import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelStore, TrainingLease } from '../registry/model-store.js';

/** This process, as a training lease names it for people. */
export const HOLDER = `process ${process.pid} on ${hostname()}`;

/** A training lease lapses this long after its last renewal (it is renewed every third of it). */
const TRAINING_LEASE_MS = 5 * 60_000;

/** What to do when another process (or registry) trains the model: wait for it, or skip it. */
export interface LeaseOptions {
  ifBusy: 'wait' | 'skip';
  /** Hears, once, why a training waits. */
  onBusy?: (sentence: string) => void;
  /** Hears the lease once taken (before `fn` runs). */
  onTaken?: (lease: TrainingLease) => void;
  /** With `ifBusy: 'wait'`: gives up after waiting this long, answering why (default: waits on). */
  waitMs?: number;
  /** Stops waiting at once when aborted (Ctrl-C of `tact train`); a training already running is not stopped. */
  signal?: AbortSignal;
  /** How often a waiting training looks again (default 1 s). */
  pollMs?: number;
  ttlMs?: number;
  log?: (msg: string, data?: object) => void;
}

/**
 * Says who holds a training lease.
 *
 * @example
 * busySentence(lease); // "send-time is being trained by process 4121 on web-2 (for schedule) since 2026-01-05T02:00:00.000Z"
 */
export function busySentence(l: TrainingLease): string {
  return `${l.name} is being trained by ${l.holder} (for ${l.actor}) since ${new Date(l.since).toISOString()}`;
}

/**
 * Runs `fn` holding the training lease of model `name` in the store, so that processes sharing
 * the store train a model one at a time. The lease is a row with an expiry, renewed while `fn`
 * runs and released after it, failed or not: a process that dies stops holding the model once
 * its lease lapses (`ttlMs`, 5 minutes), where a lock held by a connection would need a
 * connection kept open for the whole training and could not say who holds it. When another
 * holds it, waits (polling; at most `waitMs`, and not past `signal`) or skips, as `ifBusy` says,
 * and returns why (`stopped` when the signal ended the wait).
 *
 * @example
 * const r = await withTrainingLease(registry.store, 'send-time', 'schedule', { ifBusy: 'skip' }, () => train());
 * if ('busy' in r) log(r.busy);
 */
export async function withTrainingLease<T>(store: ModelStore, name: string, actor: string, o: LeaseOptions, fn: () => Promise<T>): Promise<{ value: T } | { busy: string } | { stopped: true }> {
  const ttl = o.ttlMs ?? TRAINING_LEASE_MS;
  const token = randomUUID();
  const deadline = Date.now() + (o.waitMs ?? Infinity);
  for (let told = false; ; ) {
    if (o.signal?.aborted) return { stopped: true };
    const now = Date.now();
    const held = await store.takeTraining({ name, token, holder: HOLDER, actor, since: now, until: now + ttl });
    if (held.token === token) {
      o.onTaken?.(held);
      break;
    }
    const busy = busySentence(held);
    if (o.ifBusy === 'skip' || Date.now() >= deadline) return { busy };
    if (!told) o.onBusy?.(busy);
    told = true;
    const stopped = await sleep(Math.min(o.pollMs ?? 1000, deadline - Date.now()), false, { signal: o.signal }).catch(() => true);
    if (stopped) return { stopped: true };
  }
  // A training that blocks the event loop longer than the lease can lose it: another process may then train too (promotion stays safe: the live version is compared-and-set).
  const renew = setInterval(() => {
    store.renewTraining(name, token, Date.now() + ttl).then(
      (still) => still || o.log?.('the training lease lapsed and another process took it', { model: name }),
      (err: Error) => o.log?.('the training lease could not be renewed', { model: name, error: err.message }),
    );
  }, ttl / 3);
  renew.unref();
  try {
    return { value: await fn() };
  } finally {
    clearInterval(renew);
    await store.releaseTraining(name, token).catch((err: Error) => o.log?.('the training lease could not be released; it lapses by itself', { model: name, error: err.message }));
  }
}
