import { createHmac } from 'node:crypto';
import { alertView } from './alerts.js';
import { timeoutSignal } from './long-timer.js';
import type { AlertDelivery, MonitorStore, StoredAlert } from './monitor-store.js';
import type { MonitorsSettings } from './monitors-kind.js';

/** The longest wait between two attempts, whatever the backoff or the receiver's Retry-After. */
const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * The default `webhook.maxAttempts`: with the default 1-s backoff the waits are 1 s, 2 s, 4 s …
 * 2,048 s (68 minutes in all), then an hour each, so 18 attempts span ≈ 6.1 h — the default
 * cool-down — and a receiver down for a night's incident, a deploy or a restart still gets the
 * alert. (Eight attempts gave up after 127 s.)
 */
export const DEFAULT_MAX_ATTEMPTS = 18;

/**
 * The ports `fetch` refuses to connect to ("bad ports" of the Fetch standard,
 * https://fetch.spec.whatwg.org/#port-blocking, as Node.js's undici lists them): a webhook on one
 * fails every attempt with "bad port", so the monitors document refuses it.
 */
export const FETCH_BAD_PORTS: readonly number[] = [
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119,
  123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
  993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
];

/**
 * When the attempt after `attempts` failed ones is due: exponential backoff from `backoffMs`
 * (1×, 2×, 4×, …), or later when the receiver asked for more (`atLeastMs`, its Retry-After),
 * capped at one hour.
 * @example nextAttemptAt(1_000, 3, 1_000) // 1_000 + 4_000
 * @example nextAttemptAt(1_000, 1, 1_000, 120_000) // 1_000 + 120_000
 */
export function nextAttemptAt(now: number, attempts: number, backoffMs: number, atLeastMs = 0): number {
  return now + Math.min(Math.max(backoffMs * 2 ** Math.max(0, attempts - 1), atLeastMs), MAX_BACKOFF_MS);
}

/**
 * The wait a Retry-After header asks for (RFC 9110 §10.2.3: delay-seconds, or an HTTP date),
 * in ms; undefined when absent or unreadable.
 * @example retryAfterMs('120', now) // 120_000
 * @example retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT', now) // the time until then (0 if past)
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date starts with its weekday and holds a time of day (IMF-fixdate, and the obsolete forms); a bare word is not one.
  if (!/^[A-Za-z]{3,9},? .*\d{2}:\d{2}:\d{2}/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Why a post failed, in words an operator can act on: fetch says only "fetch failed", and the
 * cause (refused, closed by the other side, no such host, a certificate) is in `cause`.
 * @example failure(new TypeError('fetch failed', { cause: new Error('other side closed') }), 5_000) // 'fetch failed: other side closed'
 */
function failure(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: unknown };
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err?.cause as (Error & { code?: string; errors?: Error[] }) | undefined;
  if (!cause) return String(err?.message ?? e);
  // Several addresses tried (IPv4 and IPv6): an AggregateError, its message empty.
  const why = cause.errors?.length ? cause.errors.map((x) => x.message).join('; ') : cause.message || cause.code || String(cause);
  const code = cause.code && !why.includes(cause.code) ? ` (${cause.code})` : '';
  return `${err.message}: ${why}${code}`;
}

/**
 * The body Tact posts: the alert as the API shows it, without its delivery state (which this very
 * post changes).
 * @example JSON.parse(webhookBody(alert)) // { type: 'tact.alert', alert: { id, metric, action, … } }
 */
export function webhookBody(a: StoredAlert): string {
  const { delivery: _delivery, ...alert } = alertView(a);
  return JSON.stringify({ type: 'tact.alert', alert });
}

/** What the deliverer tells about each attempt (metrics and logs). */
export interface DeliveryReport {
  alert: StoredAlert;
  result: 'delivered' | 'retry' | 'failed';
  error?: string;
  status?: number;
}

/**
 * Sends alerts to the operator's webhook: POST with JSON, signed with HMAC-SHA256 of the body in
 * `X-Tact-Signature` when a secret is set. Redirects are not followed. A failed attempt (network
 * error, timeout, non-2xx — a redirect included) is retried with exponential backoff (or after
 * the receiver's Retry-After on a 429 or 503, when longer) up to `maxAttempts`, then given up
 * (`failed`). Deliveries are
 * claimed from the store with a lease, so with several processes each alert is sent by one.
 * Runs beside the decisions, never in their path.
 *
 * @example
 * const d = new WebhookDeliverer(store.monitors, () => settings.get(monitorsKind), Date.now);
 * await d.deliverDue();
 */
export class WebhookDeliverer {
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: MonitorStore,
    private readonly settings: () => MonitorsSettings,
    private readonly now: () => number,
    private readonly onReport: (r: DeliveryReport) => void = () => {},
  ) {}

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

  /** Attempts every delivery due now; returns how many were attempted. One run at a time. */
  deliverDue(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    const hook = this.settings().webhook;
    if (!hook) return 0;
    const due = await this.store.claimDeliveries(this.now(), hook.timeoutMs * 2 + 1_000, 50);
    await Promise.all(due.map((a) => this.attempt(a, hook)));
    return due.length;
  }

  private async attempt(a: StoredAlert, hook: NonNullable<MonitorsSettings['webhook']>): Promise<void> {
    const body = webhookBody(a);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tact-monitors', 'x-tact-alert': a.id };
    if (hook.secret) headers['x-tact-signature'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
    let error: string | undefined;
    let status: number | undefined;
    let waitMs: number | undefined;
    // Not AbortSignal.timeout: past 2^31 − 1 ms (≈ 24.8 days) its timer fires after 1 ms.
    const timeout = timeoutSignal(hook.timeoutMs);
    try {
      // Redirects are not followed: a 301/302/303 would re-send the post as a GET without its body.
      const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: timeout.signal });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 300 && res.status < 400) error = `the webhook answered ${res.status} (a redirect, not followed: set webhook.url to the address it points to)`;
      else if (!res.ok) {
        // A receiver that is rate limiting (429) or down for a while (503) may say when to come back (RFC 6585 §4, RFC 9110 §15.6.4).
        waitMs = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after'), this.now()) : undefined;
        error = `the webhook answered ${res.status}${waitMs === undefined ? '' : ` (it asked to retry after ${Math.round(waitMs / 1000)} s)`}`;
      }
    } catch (e) {
      error = failure(e, hook.timeoutMs);
    } finally {
      timeout.cancel();
    }
    const attempts = a.delivery.attempts + 1;
    const now = this.now();
    let d: AlertDelivery;
    let result: DeliveryReport['result'];
    if (!error) {
      d = { state: 'delivered', attempts, nextAttemptAt: null, lastError: null, deliveredAt: now };
      result = 'delivered';
    } else if (attempts >= hook.maxAttempts) {
      d = { state: 'failed', attempts, nextAttemptAt: null, lastError: error, deliveredAt: null };
      result = 'failed';
    } else {
      d = { state: 'pending', attempts, nextAttemptAt: nextAttemptAt(now, attempts, hook.backoffMs, waitMs), lastError: error, deliveredAt: null };
      result = 'retry';
    }
    await this.store.recordDelivery(a.id, d);
    this.onReport({ alert: { ...a, delivery: d }, result, error, status });
  }
}
