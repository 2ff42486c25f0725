import { createHmac } from 'node:crypto';
import { alertView } from './alerts.js';
import { timeoutSignal } from './long-timer.js';
import type { AlertDelivery, MonitorStore, StoredAlert } from './monitor-store.js';
import type { MonitorsSettings } from './monitors-kind.js';

/** The longest wait between two attempts, whatever the backoff. */
const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * When the attempt after `attempts` failed ones is due: exponential backoff from `backoffMs`
 * (1×, 2×, 4×, …), capped at one hour.
 * @example nextAttemptAt(1_000, 3, 1_000) // 1_000 + 4_000
 */
export function nextAttemptAt(now: number, attempts: number, backoffMs: number): number {
  return now + Math.min(backoffMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
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
 * error, timeout, non-2xx — a redirect included) is retried with exponential backoff up to
 * `maxAttempts`, then given up (`failed`). Deliveries are
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
    // Not AbortSignal.timeout: past 2^31 − 1 ms (≈ 24.8 days) its timer fires after 1 ms.
    const timeout = timeoutSignal(hook.timeoutMs);
    try {
      // Redirects are not followed: a 301/302/303 would re-send the post as a GET without its body.
      const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: timeout.signal });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 300 && res.status < 400) error = `the webhook answered ${res.status} (a redirect, not followed: set webhook.url to the address it points to)`;
      else if (!res.ok) error = `the webhook answered ${res.status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `no answer within ${hook.timeoutMs} ms` : (e as Error).message;
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
      d = { state: 'pending', attempts, nextAttemptAt: nextAttemptAt(now, attempts, hook.backoffMs), lastError: error, deliveredAt: null };
      result = 'retry';
    }
    await this.store.recordDelivery(a.id, d);
    this.onReport({ alert: { ...a, delivery: d }, result, error, status });
  }
}
