/** How a webhook is retried. */
export interface RetryPolicy {
  /** Attempts in all (default 6). */
  attempts: number;
  /** First wait in ms; doubles each retry, with ±50% jitter (default 500). */
  baseMs: number;
  /** Longest wait (default 30 s). */
  maxMs: number;
}

/** Six attempts, from half a second, doubling, at most 30 s apart. @example deliver(url, body, DEFAULT_RETRY) */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 30_000 };

/** What happened to one delivery. */
export interface Delivery {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/**
 * The wait before retry `k` (k = 1 for the first retry): base·2^(k−1), capped, times a jitter
 * factor in [0.5, 1.5) so many senders do not retry in step.
 *
 * @example
 * backoffMs(3, DEFAULT_RETRY, () => 0.5); // 2000
 */
export function backoffMs(k: number, p: RetryPolicy, random: () => number = Math.random): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** (k - 1)) * (0.5 + random());
}

/**
 * POSTs a JSON body to a webhook, retrying network errors, 408, 429 and 5xx with exponential
 * backoff (a `Retry-After`, in seconds or as a date, is honoured up to `maxMs`); any other answer
 * is final. A redirect is not followed: a 301/302 would turn the POST into a GET without its body.
 *
 * @example
 * const r = await deliver('https://crm.example.com/hooks/tact', { decisions }, DEFAULT_RETRY);
 * if (!r.ok) console.error(`gave up after ${r.attempts} attempts: ${r.error}`);
 */
export async function deliver(url: string, body: unknown, p: RetryPolicy = DEFAULT_RETRY, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)), headers: Record<string, string> = {}): Promise<Delivery> {
  let last: Delivery = { ok: false, attempts: 0 };
  const payload = JSON.stringify(body);
  for (let attempt = 1; attempt <= p.attempts; attempt++) {
    let retryAfter: number | undefined;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload, signal: AbortSignal.timeout(30_000), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts: attempt, status: res.status };
      const moved = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      last = { ok: false, attempts: attempt, status: res.status, error: moved ? `HTTP ${res.status}: the webhook redirects to ${moved}; give that URL` : `HTTP ${res.status}` };
      if (!(res.status === 408 || res.status === 429 || res.status >= 500)) return last;
      const ra = retryAfterMs(res.headers.get('retry-after'));
      if (ra !== undefined) retryAfter = Math.min(p.maxMs, ra);
    } catch (err) {
      last = { ok: false, attempts: attempt, error: (err as Error).message };
    }
    if (attempt < p.attempts) await sleep(retryAfter ?? backoffMs(attempt, p));
  }
  return last;
}

/** A `Retry-After` header in ms: delay-seconds or an HTTP date; undefined when absent, unreadable or past. @example retryAfterMs('2') // 2000 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header?.trim()) return undefined;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
