/** The logger a {@link FaultLog} writes to (pino's `error`). */
export interface ErrorLog {
  error(obj: object, msg: string): void;
}

/** How many faults a {@link FaultLog} logs in full, and how often it sums up the rest. */
export interface FaultLogOptions {
  /** Faults logged in full before the rest are summed up (default 10). */
  full?: number;
  /** Least time between two summaries while faults go on, in ms (default 10 s). */
  everyMs?: number;
  /** Error ids a summary lists (default 100): each line the client got names one. */
  maxIds?: number;
  /** Distinct fault messages a summary tells apart (default 10); the others are counted together. */
  maxKinds?: number;
  now?: () => number;
}

/** The faults summed up since the last summary. */
interface Pending {
  count: number;
  since: number;
  ids: string[];
  kinds: Map<string, { type: string; message: string; count: number }>;
  otherKinds: number;
}

/**
 * The log of the faults of one stream, one per subject (a decision that failed while a batch run
 * went on): when a whole run fails, one full line per subject would be thousands of lines of the
 * same fault. The first `full` are logged as they are; after that the faults are counted, and a
 * summary line — how many, of which type and message, their error ids — is logged at most every
 * `everyMs` while they go on, and once more by {@link end} when the stream ends.
 *
 * @example
 * const faults = new FaultLog(tact.log);
 * try { for (…) errorForClient(err, faults, { route }, 'internal_subject'); } finally { faults.end(); }
 */
export class FaultLog implements ErrorLog {
  private logged = 0;
  private pending: Pending | undefined;
  private lastSummary: number;
  private about: object = {};
  private ended = false;
  private readonly full: number;
  private readonly everyMs: number;
  private readonly maxIds: number;
  private readonly maxKinds: number;
  private readonly now: () => number;

  constructor(private readonly log: ErrorLog, opts: FaultLogOptions = {}) {
    this.full = opts.full ?? 10;
    this.everyMs = opts.everyMs ?? 10_000;
    this.maxIds = opts.maxIds ?? 100;
    this.maxKinds = opts.maxKinds ?? 10;
    this.now = opts.now ?? Date.now;
    this.lastSummary = this.now();
  }

  error(obj: object, msg: string): void {
    // After the stream ended only its decisions still in flight can fail: a few, logged as they are.
    if (this.logged < this.full || this.ended) {
      this.logged += 1;
      this.log.error(obj, msg);
      return;
    }
    const o = obj as { errorId?: unknown; err?: { name?: unknown; message?: unknown; constructor?: { name?: string } } };
    const p: Pending = (this.pending ??= { count: 0, since: this.now(), ids: [], kinds: new Map(), otherKinds: 0 });
    // What the lines have in common (code, status, route), without what is each one's own.
    const { errorId: _id, err: _err, ...about } = obj as Record<string, unknown>;
    this.about = about;
    p.count += 1;
    if (typeof o.errorId === 'string' && p.ids.length < this.maxIds) p.ids.push(o.errorId);
    const type = String(o.err?.constructor?.name ?? o.err?.name ?? 'Error');
    const message = String(o.err?.message ?? msg);
    const key = `${type}\u0000${message}`;
    const kind = p.kinds.get(key);
    if (kind) kind.count += 1;
    else if (p.kinds.size < this.maxKinds) p.kinds.set(key, { type, message, count: 1 });
    else p.otherKinds += 1;
    if (this.now() - this.lastSummary >= this.everyMs) this.flush();
  }

  /** The stream ended: the faults not logged in full are summed up now, any later one is logged in full. */
  end(): void {
    this.flush();
    this.ended = true;
  }

  /** Logs the summary of the faults not logged in full since the last one, if any. */
  flush(): void {
    const p = this.pending;
    this.lastSummary = this.now();
    if (!p) return;
    this.pending = undefined;
    this.log.error({
      ...this.about,
      faults: p.count,
      since: new Date(p.since).toISOString(),
      kinds: [...p.kinds.values(), ...(p.otherKinds ? [{ type: 'other', message: 'faults of other messages', count: p.otherKinds }] : [])],
      errorIds: p.ids,
      ...(p.count > p.ids.length ? { errorIdsLeftOut: p.count - p.ids.length } : {}),
    }, `request failed: ${p.count} more faults of this stream, summed up (the first ${this.full} were logged in full)`);
  }
}
