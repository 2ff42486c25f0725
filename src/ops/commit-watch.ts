import type { CommitTiming, Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

/** A commit this slow (ms) is logged: every acknowledgement in it waited that long for the disk. */
export const SLOW_COMMIT_MS = 500;
/** At most one slow-commit line this often (ms); the line counts the others. */
const LOG_EVERY_MS = 60_000;

type Warn = (data: Record<string, unknown>, msg: string) => void;

interface Watch {
  metrics: Metrics;
  warn: Warn;
  now: () => number;
  /** Slow commits not yet logged, the slowest of them, and when the last line was written. */
  slow: number;
  worst: CommitTiming | undefined;
  loggedAt: number;
  /** Runs `fn` after `ms` (an unref'd timer in service): the tally of a quiet minute is still logged. */
  later?: (fn: () => void, ms: number) => void;
  /** A flush of the tally is scheduled. */
  flushing?: boolean;
}

const WATCHES = new WeakMap<Store, Watch>();

/**
 * Folds a commit's timing into `tact_store_commit_duration_seconds{phase="write"|"commit"}` (not
 * a transaction that wrote nothing: the embedded store's /health probe) and keeps a tally of
 * slow commits (≥ {@link SLOW_COMMIT_MS}) for a warning at most once a minute — written when the
 * minute is over, whether or not another slow commit comes (`later`).
 * Pure but for the watch it updates; `onCommit` wires it to a store.
 *
 * @example
 * observeCommit(watch, { writes: 3, writeMs: 0.4, commitMs: 812 }); // counted, maybe logged
 */
export function observeCommit(w: Watch, t: CommitTiming): void {
  // Nothing written (a /health probe's empty transaction, writes a stopped writer refused): no commit anyone waited on.
  if (t.writes === 0) return;
  w.metrics.storeCommit.observe({ phase: 'write' }, t.writeMs / 1000);
  w.metrics.storeCommit.observe({ phase: 'commit' }, t.commitMs / 1000);
  if (t.commitMs < SLOW_COMMIT_MS) return;
  w.slow += 1;
  if (!w.worst || t.commitMs > w.worst.commitMs) w.worst = t;
  const now = w.now();
  if (now - w.loggedAt < LOG_EVERY_MS) {
    // Logged when the minute is over even if no slow commit follows to trigger it.
    if (w.later && !w.flushing) {
      w.flushing = true;
      w.later(() => {
        w.flushing = false;
        if (w.slow > 0) logTally(w, w.now());
      }, w.loggedAt + LOG_EVERY_MS - now);
    }
    return;
  }
  logTally(w, now);
}

function logTally(w: Watch, now: number): void {
  const worst = w.worst!;
  w.warn(
    { slowCommits: w.slow, worstCommitMs: Math.round(worst.commitMs), worstWriteMs: Number(worst.writeMs.toFixed(2)), writes: worst.writes },
    `${w.slow === 1 ? 'A store commit' : `${w.slow} store commits`} took ${SLOW_COMMIT_MS} ms or more (the slowest ${Math.round(worst.commitMs)} ms, after ${worst.writeMs.toFixed(1)} ms of statements): the answers in them waited for the disk to make them durable`,
  );
  w.slow = 0;
  w.worst = undefined;
  w.loggedAt = now;
}

/**
 * Watches the store's commits (both stores time them; a test double may not) into `metrics` and
 * `warn`. Watching the same store again (a restart in one process) only points it at the new
 * metrics and log.
 *
 * @example
 * watchCommits(store, metrics, (data, msg) => log.warn(data, msg));
 */
export function watchCommits(store: Store, metrics: Metrics, warn: Warn, now: () => number = Date.now): void {
  const existing = WATCHES.get(store);
  if (existing) {
    Object.assign(existing, { metrics, warn, now });
    return;
  }
  if (!store.onCommit) return;
  const later = (fn: () => void, ms: number) => void setTimeout(fn, ms).unref();
  const w: Watch = { metrics, warn, now, slow: 0, worst: undefined, loggedAt: -Infinity, later };
  WATCHES.set(store, w);
  store.onCommit((t) => observeCommit(w, t));
}
