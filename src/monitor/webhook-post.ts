import { createHmac } from 'node:crypto';
import { alertView } from './alerts.js';
import { timeoutSignal } from './long-timer.js';
import { retryAfterMs } from './backoff.js';
import type { AlertNotice, StoredAlert } from './monitor-store.js';
import type { MonitorsSettings } from './monitors-kind.js';

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

/** What a receiver is told: an alert raised, reopened by a relapse, or resolved. */
export type AlertEvent = 'raised' | 'reopened' | 'resolved';

const TYPES: Record<AlertEvent, string> = { raised: 'tact.alert', reopened: 'tact.alert.reopened', resolved: 'tact.alert.resolved' };

/**
 * The event a notice of the alert tells: its resolution, or its opening — a reopening once a relapse reopened it.
 * @example eventOf(alert, 'opening') // 'raised' (alert.reopenCount 0)
 */
export function eventOf(a: StoredAlert, notice: AlertNotice): AlertEvent {
  if (notice === 'resolution') return 'resolved';
  return a.reopenCount > 0 ? 'reopened' : 'raised';
}

/**
 * The body Tact posts: the event's type and the alert as the API shows it, without its delivery
 * states (which this very post changes).
 * @example JSON.parse(webhookBody(alert)) // { type: 'tact.alert', alert: { id, metric, action, … } }
 * @example JSON.parse(webhookBody(alert, 'resolution')).type // 'tact.alert.resolved'
 */
export function webhookBody(a: StoredAlert, notice: AlertNotice = 'opening'): string {
  const { delivery: _delivery, resolvedDelivery: _resolvedDelivery, ...alert } = alertView(a);
  return JSON.stringify({ type: TYPES[eventOf(a, notice)], alert });
}

/**
 * The key a receiver drops a repeat by: the alert, the event, and how many times the alert had
 * reopened (a reopened alert is told again; a repeat of the same post is not news).
 * @example eventId(alert, 'resolution') // 'alert-3f2a…:resolved:0'
 */
export function eventId(a: StoredAlert, notice: AlertNotice): string {
  return `${a.id}:${eventOf(a, notice)}:${a.reopenCount}`;
}

/**
 * The signing key: `webhook.secret`, or the variable `webhook.secretEnv` names, read now (so a
 * restart with a new value rotates it) — an error when that variable is gone, as nothing may be sent
 * unsigned then.
 * @example signingKey({ secretEnv: 'TACT_ALERT_SECRET', … }, process.env) // { key: '…' }
 */
export function signingKey(hook: NonNullable<MonitorsSettings['webhook']>, env: NodeJS.ProcessEnv): { key?: string; error?: string } {
  if (hook.secret) return { key: hook.secret };
  if (!hook.secretEnv) return {};
  const key = env[hook.secretEnv];
  return key ? { key } : { error: `the environment variable ${hook.secretEnv} (webhook.secretEnv) is not set: nothing was sent unsigned` };
}

/** How one post went: an error when it was not a delivery, the receiver's status, and the wait its Retry-After asked for. */
export interface PostResult {
  error?: string;
  status?: number;
  waitMs?: number;
}

/**
 * Posts one notice of an alert: JSON, `x-tact-alert` and `x-tact-event`, signed with HMAC-SHA256 of
 * the body in `x-tact-signature` when there is a key. Redirects are not followed (a 301/302/303 would
 * re-send the post as a GET without its body): a 3xx is a failed post.
 * @example await postNotice(hook, alert, 'resolution', key, Date.now) // {} when delivered
 */
export async function postNotice(hook: NonNullable<MonitorsSettings['webhook']>, a: StoredAlert, notice: AlertNotice, key: string | undefined, now: () => number): Promise<PostResult> {
  const body = webhookBody(a, notice);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tact-monitors', 'x-tact-alert': a.id, 'x-tact-event': eventId(a, notice) };
  if (key) headers['x-tact-signature'] = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
  // Not AbortSignal.timeout: past 2^31 − 1 ms (≈ 24.8 days) its timer fires after 1 ms.
  const timeout = timeoutSignal(hook.timeoutMs);
  try {
    const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: timeout.signal });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 300 && res.status < 400) return { status: res.status, error: `the webhook answered ${res.status} (a redirect, not followed: set webhook.url to the address it points to)` };
    if (res.ok) return { status: res.status };
    // A receiver that is rate limiting (429) or down for a while (503) may say when to come back (RFC 6585 §4, RFC 9110 §15.6.4).
    const waitMs = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after'), now()) : undefined;
    return { status: res.status, waitMs, error: `the webhook answered ${res.status}${waitMs === undefined ? '' : ` (it asked to retry after ${Math.round(waitMs / 1000)} s)`}` };
  } catch (e) {
    return { error: failure(e, hook.timeoutMs) };
  } finally {
    timeout.cancel();
  }
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
