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
  handle(events: LoggedEvent[]): Promise<void>;
}

/**
 * Runs the registered consumers over the event log: each keeps its position (a job row, leased so
 * that one process runs it), is woken right after every committed batch, and polls once a second
 * besides. A consumer that fails is retried from the same position.
 */
export class LogConsumers {
  private readonly consumers: LogConsumer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly owner = `consumer-${process.pid}-${Math.floor(performance.now())}`;
  /** Until when this process holds each consumer's lease, as it took it. */
  private readonly leasedUntil = new Map<string, number>();
  private readonly now: () => number;

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

  /** Events each consumer has not handled yet. */
  async lag(): Promise<Record<string, number>> {
    const upto = await this.store.profiles.maxEventSeq();
    const out: Record<string, number> = {};
    for (const c of this.consumers) {
      const job = await this.store.documents.getJob(`consumer:${c.name}`);
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
    let job = await docs.getJob(id);
    if (!job) {
      const now = Date.now();
      job = { id, kind: 'consumer', state: 'running', progress: { afterSeq: 0 }, createdAt: now, updatedAt: now };
      await docs.saveJob(job);
    }
    const upto = await this.store.profiles.maxEventSeq();
    let after = Number(job.progress.afterSeq ?? 0);
    if (after >= upto) return;
    if (!(await this.lease(id))) return;
    while (after < upto) {
      const rows = await this.store.profiles.scanEvents(after, upto, this.opts.chunk ?? 2000);
      if (!rows.length) break;
      const events = rows.map((r) => ({ seq: r.seq, profileId: r.profileId, message: JSON.parse(r.json) as Message }));
      try {
        await c.handle(events);
      } catch (err) {
        this.opts.log?.('log consumer failed; it will retry from the same position', { consumer: c.name, afterSeq: after, error: (err as Error).message });
        return;
      }
      after = rows[rows.length - 1].seq;
      job.progress = { ...job.progress, afterSeq: after };
      job.updatedAt = Date.now();
      await docs.saveJob(job);
    }
  }

  /**
   * Takes or renews the consumer's 30-s lease — but only when less than 20 s of the lease this
   * process holds are left. Each lease is a commit (an fsync): taken on every wake-up, it put a
   * commit ahead of any decision logged right after an event, on top of the consumer's own two.
   * No other process can take a lease before it expires, so holding it for 10 s without renewing
   * is safe for clocks that disagree by less than 20 s.
   */
  private async lease(id: string): Promise<boolean> {
    const now = this.now();
    if ((this.leasedUntil.get(id) ?? 0) - now > LEASE_RENEW_MS) return true;
    const ok = await this.store.documents.leaseJob(id, this.owner, LEASE_MS);
    if (ok) this.leasedUntil.set(id, now + LEASE_MS);
    else this.leasedUntil.delete(id);
    return ok;
  }
}

const LEASE_MS = 30_000;
/** A held lease is renewed once less than this is left. */
const LEASE_RENEW_MS = 20_000;
