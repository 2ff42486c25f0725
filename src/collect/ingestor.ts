import { newProfileId } from '../identity/profile-id.js';
import { trackingPlanKind } from './tracking-plan-kind.js';
import { featuresKind } from '../profiles/features/features-kind.js';
import { mergeRulesKind } from '../identity/merge-rules-kind.js';
import type { Settings } from '../config/settings.js';
import { TactError, type FieldProblem } from '../errors/tact-error.js';
import type { Store } from '../store/store.js';
import { StaleConfigError, type IngestItem, type IngestWrites, type Violation } from './collect-store.js';
import type { Message } from './message.js';
import { identifiersFor, processBatch } from './process-batch.js';

/** What happened to one submitted message. */
export interface IngestOutcome {
  /** `rejected`: under the merge rules in force it has no usable identifier (see `problems`); nothing of it was stored. */
  outcome: 'stored' | 'duplicate' | 'blocked' | 'rejected';
  violations: Violation[];
  /** Why it was rejected, each problem naming its field. */
  problems?: FieldProblem[];
}

/** A message to store: as the write path reads it, and its JSON as stored. */
export interface Submitted {
  message: Message;
  json: string;
  /**
   * Set when `message` is only a projection (parse/slim.ts) made for the configuration of this
   * settings epoch: under any other configuration the whole message is read back from `json`.
   */
  projected?: number;
}

interface Pending {
  items: Submitted[];
  resolve: (r: IngestOutcome[]) => void;
  reject: (e: unknown) => void;
}

export interface IngestorOptions {
  /** Most messages folded into one commit. */
  maxBatch?: number;
  /** Most messages waiting; past it, new requests get 503 and the client retries. */
  maxQueued?: number;
  /** Errors a store marks retryable (serialization failures, deadlocks). */
  isRetryable?: (err: unknown) => boolean;
  onCommit?: (stats: { messages: number; ms: number; outcomes: IngestOutcome[] }) => void;
  /** What a batch wrote, once the store took it (merges and identity conflicts are counted from it). */
  onWrites?: (w: IngestWrites) => void;
}

/**
 * Group commit: requests queue their messages; one loop folds everything queued into a single
 * store transaction and answers every request only after that transaction committed. Under load
 * a commit carries many requests; when idle, a request commits on its own at once.
 */
export class Ingestor {
  private queue: Pending[] = [];
  private queued = 0;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Holds in force (hold()): while any is, no queued message is taken into a commit. */
  private holds = 0;
  private holdWaiters: (() => void)[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(private readonly store: Store, private readonly settings: Settings, private readonly opts: IngestorOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 5000;
    this.maxQueued = opts.maxQueued ?? 200_000;
  }

  /** Queues messages and resolves once they are durably committed (or known duplicates, blocked, or rejected). */
  submit(items: Submitted[]): Promise<IngestOutcome[]> {
    if (this.closed || this.queued + items.length > this.maxQueued) return Promise.reject(new TactError('overloaded'));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Messages waiting for a commit. */
  get depth(): number {
    return this.queued;
  }

  /** Stops taking new messages and waits for the queued ones to commit. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async drain(): Promise<void> {
    // A store that resolves a batch before committing it (the embedded one) takes the next batch
    // while the previous ones commit, up to its depth; others take one at a time. When the queue
    // runs dry the loop ends without waiting for the commits in flight, so a request that arrives
    // meanwhile is resolved at once rather than after them.
    const depth = this.store.collect.pipelineDepth ?? 1;
    while (this.queue.length && this.holds === 0) {
      if (this.inflight.size >= depth) {
        await Promise.race(this.inflight);
        continue;
      }
      const group: Pending[] = [];
      let n = 0;
      while (this.queue.length && (n === 0 || n + this.queue[0].items.length <= this.maxBatch)) {
        const p = this.queue.shift() as Pending;
        group.push(p);
        n += p.items.length;
      }
      this.queued -= n;
      const done: Promise<void> = this.commitGroup(group).finally(() => {
        this.inflight.delete(done);
        this.settle();
      });
      this.inflight.add(done);
      // Let the event loop read more requests so the next commit can carry them together.
      await new Promise((r) => setImmediate(r));
    }
    this.running = false;
    this.settle();
  }

  /** Wakes the callers of hold() once nothing is committing, and of idle() once nothing is queued or draining either. */
  private settle(): void {
    if (this.inflight.size) return;
    for (const r of this.holdWaiters.splice(0)) r();
    if (this.running || this.queue.length) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    const flat = group.flatMap((p) => p.items);
    try {
      const started = performance.now();
      const outcomes = await this.commit(flat);
      this.opts.onCommit?.({ messages: flat.length, ms: performance.now() - started, outcomes });
      let i = 0;
      for (const p of group) {
        p.resolve(outcomes.slice(i, i + p.items.length));
        i += p.items.length;
      }
    } catch (err) {
      for (const p of group) p.reject(err);
    }
  }

  /**
   * Stops taking queued messages into commits and resolves, once the commits in flight are over,
   * with the function that lets them go on. Before a configuration change: what was taken
   * finishes under the settings it was taken with, what waits is taken under the new ones. Waiting
   * for idle() instead could wait as long as clients keep sending, since under steady load
   * something is always queued or committing.
   */
  async hold(): Promise<() => void> {
    this.holds += 1;
    if (this.inflight.size) await new Promise<void>((r) => this.holdWaiters.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds === 0 && this.queue.length && !this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    };
  }

  /** Resolves when nothing is queued or committing (before closing). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0 && this.inflight.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async commit(flat: Submitted[]): Promise<IngestOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      const rules = this.settings.get(mergeRulesKind);
      const plan = this.settings.get(trackingPlanKind);
      const features = this.settings.get(featuresKind);
      const epoch = this.settings.epoch;
      // The merge rules say which identifiers count, so a message left with none is found here,
      // under the rules of this commit, and answered without reaching the store.
      const outcomes: (IngestOutcome | undefined)[] = new Array(flat.length);
      const items: IngestItem[] = [];
      const at: number[] = [];
      flat.forEach(({ message: m, json, projected }, i) => {
        // A projection made under another configuration may lack what this one reads.
        const message = projected !== undefined && projected !== epoch ? (JSON.parse(json) as Message) : m;
        const { violations, blocked } = plan.check(message);
        // A message with no usable identifier could never be stored: it is refused for that, in
        // any plan mode, and its violations are not counted (until 2026-12-06, under a plan that
        // blocked its event, it was refused naming only the property and counted as blocked).
        const { ids, lookups, ignored, problems } = identifiersFor(message, rules);
        if (problems) outcomes[i] = { outcome: 'rejected', violations: [], problems };
        else {
          items.push(blocked ? { message, json, ids: [], lookups: [], ignored: undefined, violations, blocked } : { message, json, ids, lookups, ignored, violations, blocked });
          at.push(i);
        }
      });
      if (items.length === 0) {
        // No transaction checks the epoch for them: refuse them under the rules in force, not stale ones.
        if (attempt < 8 && (await this.settings.refreshIfStale())) continue;
        return outcomes as IngestOutcome[];
      }
      // The blocked messages whose violations were counted are remembered by the store, in the
      // batch's transaction (blocked-ids.ts): a retry through any process is not counted again.
      try {
        const w = await this.store.collect.ingest(items, (snap) => processBatch(snap, items, { rules, features, newId: () => newProfileId(), now: Date.now() }), epoch);
        this.opts.onWrites?.(w);
        w.outcomes.forEach((outcome, k) => (outcomes[at[k]] = { outcome, violations: items[k].violations }));
        return outcomes as IngestOutcome[];
      } catch (err) {
        if (attempt < 8 && err instanceof StaleConfigError) {
          await this.settings.reload();
          continue;
        }
        if (attempt < 8 && this.opts.isRetryable?.(err)) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
          continue;
        }
        throw err;
      }
    }
  }
}
