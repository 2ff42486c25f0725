import { nextAttemptAt } from './backoff.js';
import { longTimeout, type LongTimer } from './long-timer.js';
import type { AlertDelivery, AlertNotice, MonitorStore, StoredAlert } from './monitor-store.js';
import type { MonitorsSettings } from './monitors-kind.js';
import { eventOf, postNotice, signingKey, type AlertEvent, type PostResult } from './webhook-post.js';

export { DEFAULT_MAX_ATTEMPTS, nextAttemptAt, retryAfterMs } from './backoff.js';
export { FETCH_BAD_PORTS, webhookBody } from './webhook-post.js';

type Hook = NonNullable<MonitorsSettings['webhook']>;

/** What the deliverer tells about each attempt (metrics and logs). */
export interface DeliveryReport {
  /** The alert, with the delivery this attempt changed as recorded. */
  alert: StoredAlert;
  /** What the attempt told: the alert raised, reopened or resolved. */
  event: AlertEvent;
  /** Attempts of that notice so far. */
  attempts: number;
  result: 'delivered' | 'retry' | 'failed';
  error?: string;
  status?: number;
}

/** What a test injects: the random source of the backoff's jitter, and the environment the signing key is read from. */
export interface DelivererOptions {
  random?: () => number;
  env?: NodeJS.ProcessEnv;
}

/** How long a notice waits, due, for a process that can sign it before one that cannot takes it. */
export const SECRETLESS_DELAY_MS = 60_000;

/** Most alerts one run claims. */
const CLAIM = 50;

/** Past any notice's next attempt (backoff and lease alike): a run with no webhook claims every pending notice within it, to withdraw it. */
const EVERY_PENDING_MS = 1_000 * 365 * 24 * 3_600_000;

const iso = (t: number) => new Date(t).toISOString();

/**
 * Sends alerts to the operator's webhook: each alert's opening (`tact.alert`, or
 * `tact.alert.reopened` after a relapse) and its resolution (`tact.alert.resolved`), POSTed as JSON
 * and signed ({@link postNotice}). A resolution is sent only after its opening: while the opening
 * is pending the store does not hand it out, and when the opening was given up it is posted again
 * first, in the same attempt. A failed attempt (network error, timeout, non-2xx — a redirect
 * included) is retried with jittered exponential backoff (or after the receiver's Retry-After on a
 * 429 or 503, when longer) up to `maxAttempts`, then given up (`failed`). Deliveries are claimed
 * from the store with a lease, so with several processes each notice is sent by one. Runs beside
 * the decisions, never in their path.
 *
 * @example
 * const d = new WebhookDeliverer(store.monitors, () => settings.get(monitorsKind), Date.now);
 * await d.deliverDue();
 */
export class WebhookDeliverer {
  private running: Promise<number> | undefined;
  /**
   * When each retry this process recorded and has not attempted yet falls due. Every one is kept,
   * not only the earliest: a run claims what is due at its moment, and the retries due a little
   * later — several alerts failing in one run draw their jittered waits apart — need the timer
   * too (until 2026-12-05 they waited for the next monitors step, an hour with `interval: 1h`).
   */
  private dueTimes: number[] = [];
  /** Set by {@link start}: a timer for the soonest of {@link dueTimes}, so a retry is not left to the next monitors step. */
  private retrying: { timer?: LongTimer } | undefined;
  private readonly random: () => number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly store: MonitorStore,
    private readonly settings: () => MonitorsSettings,
    private readonly now: () => number,
    private readonly onReport: (r: DeliveryReport) => void = () => {},
    options: DelivererOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    // Read at each send, not copied: the variable `webhook.secretEnv` names is the one in force.
    this.env = options.env ?? process.env;
  }

  /**
   * Waits for the attempts in flight to be recorded, at most `graceMs` (a clean shutdown: the store
   * closed under a post would lose its result, and the alert would be posted again after its lease).
   */
  async settle(graceMs: number): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.running.then(() => undefined, () => undefined), grace]);
    clearTimeout(timer);
  }

  /**
   * Attempts each retry this process schedules when it falls due (a timer), rather than at the
   * next monitors step — which with the default 10-s `interval` made the first waits 10 s, and
   * with a long one made every wait that long. Until {@link stop}.
   */
  start(): void {
    this.retrying ??= {};
    this.arm();
  }

  /** Cancels the retry timer (a shutdown); retries are then left to whoever calls {@link deliverDue}. */
  stop(): void {
    this.retrying?.timer?.cancel();
    this.retrying = undefined;
  }

  /** Attempts every delivery due now; returns how many alerts were attempted. One run at a time. */
  deliverDue(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.arm();
    });
    return this.running;
  }

  private arm(): void {
    if (!this.retrying) return;
    this.retrying.timer?.cancel();
    // A failed run (the store unreachable) is the steps' to report: the timer only tries again.
    const soonest = this.dueTimes.length ? Math.min(...this.dueTimes) : undefined;
    this.retrying.timer = soonest === undefined ? undefined : longTimeout(() => void this.deliverDue().catch(() => undefined), soonest - this.now());
  }

  private async run(): Promise<number> {
    const hook = this.settings().webhook;
    const now = this.now();
    // What is due now is claimed now (a retry it records adds its time); with no webhook, nothing is.
    this.dueTimes = hook ? this.dueTimes.filter((t) => t > now) : [];
    if (!hook) {
      await this.withdrawPending(now);
      return 0;
    }
    // A process whose environment lacks the signing secret takes a notice only once it has been due
    // a while and no process that has it took it (then its attempt records why nothing was sent):
    // until 2026-12-05 such a process could claim every retry of an alert, each failing, while the
    // others, which could sign, delivered nothing of it.
    const late = hook.secretEnv && !this.env[hook.secretEnv] ? SECRETLESS_DELAY_MS : 0;
    const due = await this.store.claimDeliveries(now - late, hook.timeoutMs * 2 + 1_000 + late, CLAIM);
    // A full claim may have left more that are due: the timer comes back at once.
    if (due.length === CLAIM) this.dueTimes.push(now);
    await Promise.all(due.map((a) => this.attempt(a, hook)));
    return due.length;
  }

  /**
   * With no webhook (it was removed from the configuration), the notices still pending — queued
   * while there was one — are withdrawn: `none`, their `lastError` saying so, never sent — not
   * hours later, when a webhook is set again, as if they were news (until 2026-12-05 they were). A
   * notice arising while there is no webhook is `none` from the start (the step queues none).
   */
  private async withdrawPending(now: number): Promise<void> {
    // Each claimed notice leaves the claim's range (withdrawn, or leased past it): the loop ends.
    for (let claimed = await this.store.claimDeliveries(now + EVERY_PENDING_MS, 1, CLAIM); claimed.length; claimed = await this.store.claimDeliveries(now + EVERY_PENDING_MS, 1, CLAIM)) {
      await Promise.all(claimed.map((a) => {
        const notice: AlertNotice = a.delivery.state === 'pending' ? 'opening' : 'resolution';
        const d = notice === 'opening' ? a.delivery : (a.resolvedDelivery as AlertDelivery);
        const last = d.lastError ? ` (${d.attempts} attempt${d.attempts === 1 ? '' : 's'} made; the last: ${d.lastError})` : '';
        const withdrawn: AlertDelivery = { state: 'none', attempts: d.attempts, nextAttemptAt: null, lastError: `not sent: the webhook was removed from the monitors configuration (noticed at ${iso(now)}) before it was delivered${last}`, deliveredAt: null };
        return this.store.recordDelivery(a.id, withdrawn, { notice, reopenCount: a.reopenCount });
      }));
    }
  }

  /** One attempt of the notice the store handed out: the opening when pending, else the resolution (after the opening, if that was given up). */
  private async attempt(a: StoredAlert, hook: Hook): Promise<void> {
    const notice: AlertNotice = a.delivery.state === 'pending' ? 'opening' : 'resolution';
    const made = notice === 'opening' ? a.delivery : (a.resolvedDelivery as AlertDelivery);
    // Its last allowed attempt was started by a process that stopped before recording the result: given up, not one more.
    if (made.attempts >= hook.maxAttempts) return void (await this.record(a, notice, { error: made.lastError ?? 'no result was recorded' }, hook, false, false));
    const { key, error } = signingKey(hook, this.env);
    let r: PostResult = { error };
    // Never a lonely "resolved": an opening that was given up goes first, and must arrive.
    if (!error && notice === 'resolution' && a.delivery.state === 'failed') {
      await this.started(a, 'opening');
      const first = await postNotice(hook, a, 'opening', key, this.now);
      // Failed again, it stays given up: the resolution's retries carry it.
      a = await this.record(a, 'opening', first, hook, false);
      if (first.error) r = { ...first, error: `the ${eventOf(a, 'opening') === 'raised' ? 'raise' : 'reopening'}, sent first: ${first.error}` };
    }
    if (!r.error) {
      await this.started(a, notice);
      r = await postNotice(hook, a, notice, key, this.now);
    }
    await this.record(a, notice, r, hook);
  }

  /**
   * Records an attempt as made before its post goes out — committed, so a process killed mid-post
   * (kill -9) leaves it counted in `attempts`, its `lastError` saying its result is unknown, and the
   * lease still held (until 2026-12-05 only the result was recorded, and such an attempt was lost).
   * Its result, recorded after, replaces this with the same count.
   */
  private async started(a: StoredAlert, notice: AlertNotice): Promise<void> {
    const d = notice === 'opening' ? a.delivery : (a.resolvedDelivery as AlertDelivery);
    const n = d.attempts + 1;
    const unknown = `attempt ${n} (started ${iso(this.now())}) has no recorded result: the process making it stopped during it (or it is still in flight)`;
    await this.store.recordDelivery(a.id, { ...d, attempts: n, lastError: unknown }, { notice, reopenCount: a.reopenCount });
  }

  /**
   * Records the result of one post of a notice — retried when it failed, unless `retry` is false or
   * it was the last attempt (a result for an earlier opening, the alert reopened since, is dropped by
   * the store). `made` false: no post went out now, so the count stays.
   */
  private async record(a: StoredAlert, notice: AlertNotice, r: PostResult, hook: Hook, retry = true, made = true): Promise<StoredAlert> {
    const before = notice === 'opening' ? a.delivery : (a.resolvedDelivery as AlertDelivery);
    const attempts = before.attempts + (made ? 1 : 0);
    const now = this.now();
    let d: AlertDelivery;
    let result: DeliveryReport['result'];
    if (!r.error) {
      d = { state: 'delivered', attempts, nextAttemptAt: null, lastError: null, deliveredAt: now };
      result = 'delivered';
    } else if (!retry || attempts >= hook.maxAttempts) {
      d = { state: 'failed', attempts, nextAttemptAt: null, lastError: r.error, deliveredAt: null };
      result = 'failed';
    } else {
      d = { state: 'pending', attempts, nextAttemptAt: nextAttemptAt(now, attempts, hook.backoffMs, r.waitMs, this.random), lastError: r.error, deliveredAt: null };
      result = 'retry';
      this.dueTimes.push(d.nextAttemptAt as number);
    }
    await this.store.recordDelivery(a.id, d, { notice, reopenCount: a.reopenCount });
    const alert = notice === 'opening' ? { ...a, delivery: d } : { ...a, resolvedDelivery: d };
    this.onReport({ alert, event: eventOf(a, notice), attempts, result, error: r.error, status: r.status });
    return alert;
  }
}
