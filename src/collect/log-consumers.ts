import { randomUUID } from 'node:crypto';
import type { Job } from '../config/document-store.js';
import type { Store } from '../store/store.js';
import type { Message } from './message.js';

/** One event of the log as a consumer sees it. */
export interface LoggedEvent {
  seq: number;
  /** The profile the event was stored under (follow merges with the profile store for the live one). */
  profileId: string;
  message: Message;
}

/**
 * Something that follows the event log: outcome mapping, audience membership, baselines …
 * It sees every stored event exactly in log order, at least once: after a crash it may see the
 * last events again, so `handle` must be idempotent (key what it writes by message id or seq).
 *
 * @example
 * consumers.register({ name: 'outcomes', handle: async (events) => { … } });
 */
export interface LogConsumer {
  /** Stable name: its position in the log is kept under it. */
  name: string;
  /**
   * The events it reads, by the message's type and event name (as the log holds them, before any
   * message is parsed): the others are not parsed for it, and a chunk without one is not handed to
   * it at all — its position moves past them all the same. Absent: every event.
   */
  wants?: (type: string, event: string | null) => boolean;
  handle(events: LoggedEvent[]): Promise<void>;
}

/**
 * Runs the registered consumers over the event log: each keeps its position (a job row, leased so
 * that one process runs it), is woken right after every committed batch, and polls once a second
 * besides. A consumer that fails is retried from the same position.
 *
 * The position is written at most once every {@link SAVE_EVERY_MS} per consumer (and at
 * {@link flush}), not after every chunk: each write is a commit — an fsync that any decision
 * logged at that moment waits behind. Consumers are idempotent (they must be: a failed chunk is
 * retried), so after a crash seeing up to a second of events again costs only the replay.
 */
export class LogConsumers {
  private readonly consumers: LogConsumer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Unique per instance: two of them in one process (tests, or servers embedded side by side) must not share leases. */
  private readonly owner = `consumer-${process.pid}-${randomUUID().slice(0, 8)}`;
  /** Until when this process holds each consumer's lease, as it took it. */
  private readonly leasedUntil = new Map<string, number>();
  private readonly now: () => number;
  /** Each consumer's position as this process last advanced it, and whether it is written yet. */
  private readonly jobs = new Map<string, { job: Job; savedAt: number; dirty: boolean }>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, private readonly opts: { chunk?: number; log?: (msg: string, data?: object) => void; now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  register(c: LogConsumer): void {
    this.consumers.push(c);
    this.notify();
  }

  /** Stops running a consumer (its position is kept). */
  unregister(name: string): void {
    const i = this.consumers.findIndex((c) => c.name === name);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.notify(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes every position advanced since it was last written (at shutdown, and a second after a deferred one). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const entry of this.jobs.values()) if (entry.dirty) await this.write(entry);
  }

  /**
   * Writes one consumer's position as it stands now — only while this process holds its lease:
   * false when another process took it (this one stalled past it), which has gone on from the
   * position stored then; this process forgets its own and stops running the consumer until it
   * holds the lease again.
   */
  private async write(entry: { job: Job; savedAt: number; dirty: boolean }): Promise<boolean> {
    entry.dirty = false;
    entry.savedAt = this.now();
    const id = entry.job.id;
    if (await this.store.documents.saveJob({ ...entry.job, progress: { ...entry.job.progress }, holder: this.owner })) return true;
    if (this.jobs.get(id) === entry) this.jobs.delete(id);
    this.leasedUntil.delete(id);
    this.opts.log?.('a log consumer lost its lease to another process, which goes on from the position it stored', { consumer: id, afterSeq: entry.job.progress.afterSeq });
    return false;
  }

  /** Events each consumer has not handled yet. */
  async lag(): Promise<Record<string, number>> {
    const upto = await this.store.profiles.maxEventSeq();
    const out: Record<string, number> = {};
    for (const c of this.consumers) {
      const job = this.jobs.get(`consumer:${c.name}`)?.job ?? (await this.store.documents.getJob(`consumer:${c.name}`));
      out[c.name] = Math.max(0, upto - Number(job?.progress.afterSeq ?? 0));
    }
    return out;
  }

  /** New events were committed: run the consumers soon. */
  notify(): void {
    if (this.running) this.again = true;
    else this.runAll().catch((err: Error) => this.opts.log?.('log consumers stopped early; the next commit wakes them again', { error: err.message }));
  }

  /** Runs every consumer up to the end of the log (tests call it to wait for consumers). */
  runAll(): Promise<void> {
    if (!this.running) {
      this.running = (async () => {
        do {
          this.again = false;
          for (const c of [...this.consumers]) await this.runOne(c);
        } while (this.again);
      })().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async runOne(c: LogConsumer): Promise<void> {
    const id = `consumer:${c.name}`;
    const docs = this.store.documents;
    let entry = this.jobs.get(id);
    if (!entry) {
      let job = await docs.getJob(id);
      if (!job) {
        const now = Date.now();
        // Created once: a process that also found none takes the row another just created (and maybe advanced).
        job = await docs.createJob({ id, kind: 'consumer', state: 'running', progress: { afterSeq: 0 }, createdAt: now, updatedAt: now });
      }
      entry = { job, savedAt: this.now(), dirty: false };
      this.jobs.set(id, entry);
    }
    const upto = await this.store.profiles.maxEventSeq();
    if (Number(entry.job.progress.afterSeq ?? 0) >= upto) return;
    for (;;) {
      // Before every chunk: catching up on a long backlog outlasts a lease, which is renewed as it
      // runs low; a process that stalled past it (and lost it) stops here.
      const lease = await this.lease(id);
      if (!lease) return;
      if (lease === 'taken') {
        // Another process may have run it while we did not hold the lease: start from the further position.
        const stored = await docs.getJob(id);
        if (stored && Number(stored.progress.afterSeq ?? 0) > Number(entry.job.progress.afterSeq ?? 0)) entry.job = stored;
      }
      const job = entry.job;
      const after = Number(job.progress.afterSeq ?? 0);
      if (after >= upto) return;
      const rows = await this.store.profiles.scanEvents(after, upto, this.opts.chunk ?? 2000);
      if (!rows.length) break;
      const wanted = c.wants ? rows.filter((r) => (c.wants as NonNullable<LogConsumer['wants']>)(r.type, r.event)) : rows;
      const events = wanted.map((r) => ({ seq: r.seq, profileId: r.profileId, message: JSON.parse(r.json) as Message }));
      try {
        if (events.length) await c.handle(events);
      } catch (err) {
        this.opts.log?.('log consumer failed; it will retry from the same position', { consumer: c.name, afterSeq: after, error: (err as Error).message });
        return;
      }
      job.progress = { ...job.progress, afterSeq: rows[rows.length - 1].seq };
      job.updatedAt = Date.now();
      entry.dirty = true;
      if (this.now() - entry.savedAt >= SAVE_EVERY_MS) {
        if (!(await this.write(entry))) return;
      } else {
        this.flushTimer ??= setTimeout(() => void this.flush().catch((err: Error) => this.opts.log?.('a log consumer position could not be written; it is written with the next one', { error: err.message })), SAVE_EVERY_MS);
        this.flushTimer.unref?.();
      }
      // A turn of the event loop between chunks: the store reads and the consumer's work are
      // synchronous underneath (SQLite), and a backlog of chunks would hold every request.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Takes or renews the consumer's 30-s lease — but only when less than 20 s of the lease this
   * process holds are left. Each lease is a commit (an fsync): taken on every wake-up, it put a
   * commit ahead of any decision logged right after an event, on top of the consumer's own two.
   * No other process can take a lease before it expires, so holding it for 10 s without renewing
   * is safe for clocks that disagree by less than 20 s.
   */
  private async lease(id: string): Promise<'held' | 'taken' | false> {
    const now = this.now();
    const until = this.leasedUntil.get(id) ?? 0;
    if (until - now > LEASE_RENEW_MS) return 'held';
    const ok = await this.store.documents.leaseJob(id, this.owner, LEASE_MS);
    if (ok) this.leasedUntil.set(id, now + LEASE_MS);
    else this.leasedUntil.delete(id);
    return ok ? (until > now ? 'held' : 'taken') : false;
  }
}

const LEASE_MS = 30_000;
/** A consumer's position is written at most this often (ms). */
export const SAVE_EVERY_MS = 1000;
/** A held lease is renewed once less than this is left. */
const LEASE_RENEW_MS = 20_000;
