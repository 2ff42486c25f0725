/** How a webhook is retried. */
export interface RetryPolicy {
  /** Attempts in all (default 10). */
  attempts: number;
  /** First wait in ms; doubles each retry, with ±50% jitter (default 500). */
  baseMs: number;
  /** Longest wait of the backoff (default 30 s); a receiver's `Retry-After` may ask for longer. */
  maxMs: number;
  /**
   * Longest `Retry-After` honoured (default 300 s, `--max-retry-after`): a receiver asking for
   * longer fails the batch at once, rather than being retried early or waited for for hours.
   */
  maxRetryAfterMs?: number;
}

/**
 * Ten attempts, from half a second, doubling, at most 30 s apart — about two minutes in all (at
 * least one, whatever the jitter), so a receiver restarting or deployed is waited for; six (15 s)
 * failed batches through such an outage. A Retry-After of up to 300 s.
 * @example deliver(url, body, DEFAULT_RETRY)
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 300_000 };

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
 * backoff; any other answer is final. A `Retry-After` (seconds or a date) is honoured up to
 * `maxRetryAfterMs`; longer fails the delivery at once, saying so. A redirect is not followed: a
 * 301/302 would turn the POST into a GET without its body. `signal` ends the attempts (and a wait
 * between them) early: the delivery then fails with the signal's reason.
 *
 * @example
 * const r = await deliver('https://crm.example.com/hooks/tact', { decisions }, DEFAULT_RETRY);
 * if (!r.ok) console.error(`gave up after ${r.attempts} attempts: ${r.error}`);
 */
export async function deliver(url: string, body: unknown, p: RetryPolicy = DEFAULT_RETRY, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Delivery> {
  let last: Delivery = { ok: false, attempts: 0 };
  const payload = JSON.stringify(body);
  const target = withoutCredentials(url, headers);
  url = target.url;
  headers = target.headers;
  const maxRetryAfterMs = p.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs ?? 300_000;
  const stopped = (attempts: number): Delivery => ({ ...last, ok: false, attempts, error: `${abortText(signal)}${last.error ? ` (last attempt: ${last.error})` : ''}` });
  for (let attempt = 1; attempt <= p.attempts; attempt++) {
    if (signal?.aborted) return stopped(attempt - 1);
    let retryAfter: number | undefined;
    try {
      const timeout = AbortSignal.timeout(30_000);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload, signal: signal ? AbortSignal.any([timeout, signal]) : timeout, redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, attempts: attempt, status: res.status };
      const moved = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      const why = moved ? `: the webhook redirects to ${moved}; give that URL` : res.status === 413 ? ': the webhook takes no batch this large; give a smaller --webhook-batch (decisions per request, 100 unless given)' : '';
      last = { ok: false, attempts: attempt, status: res.status, error: `HTTP ${res.status}${why}` };
      if (!(res.status === 408 || res.status === 429 || res.status >= 500)) return last;
      retryAfter = retryAfterMs(res.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) {
        return { ...last, error: `receiver asked to wait ${Math.ceil(retryAfter / 1000)} s, more than --max-retry-after ${maxRetryAfterMs / 1000} s (HTTP ${res.status})` };
      }
    } catch (err) {
      if (signal?.aborted) return stopped(attempt);
      last = { ok: false, attempts: attempt, error: networkError(err) };
    }
    if (attempt < p.attempts) {
      const wait = sleep(retryAfter ?? backoffMs(attempt, p));
      if (!signal) await wait;
      else if (!signal.aborted) {
        let onAbort = () => {};
        await new Promise<void>((r) => (void wait.then(r), signal.addEventListener('abort', (onAbort = () => r()), { once: true })));
        signal.removeEventListener('abort', onAbort);
      }
    }
  }
  return last;
}

/**
 * A URL with a user name and password (`https://user:pass@host/…`, as ESPs hand out for webhooks)
 * is sent without them, as Basic authentication — what curl does; fetch refuses such a URL
 * outright, and its refusal quotes the URL, password included. An Authorization header given
 * wins over them.
 *
 * @example
 * withoutCredentials('https://a:b@esp.example.com/h', {}); // { url: 'https://esp.example.com/h', headers: { authorization: 'Basic YTpi' } }
 */
function withoutCredentials(url: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, headers };
  }
  if (!u.username && !u.password) return { url, headers };
  const basic = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  const given = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  return { url: u.toString(), headers: given ? headers : { ...headers, authorization: basic } };
}

/**
 * What a failed fetch says, with its cause: undici's own message is only "fetch failed", and the
 * reason (ECONNREFUSED 127.0.0.1:9, ENOTFOUND esp.example.com, a TLS error) is on its `cause`.
 */
function networkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string; address?: string; port?: number; hostname?: string } };
  const c = e.cause;
  if (!c) return e.message;
  const where = c.address ? `${c.address}${c.port ? `:${c.port}` : ''}` : c.hostname;
  return `${e.message} (${c.code ? `${c.code}${where ? ` ${where}` : ''}` : (c.message ?? String(c))})`;
}

const abortText = (signal: AbortSignal | undefined) => (signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? 'stopped'));

/**
 * The three forms of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
 * RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994". Anything else
 * is not read as a date (Date.parse would take "foo 2031" for one).
 */
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT|${DAY} ${MONTH} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4})$`,
);

/** A `Retry-After` header in ms: delay-seconds or an HTTP date; undefined when absent, unreadable or past. @example retryAfterMs('2') // 2000 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header?.trim()) return undefined;
  const h = header.trim();
  const ms = /^\d+(\.\d+)?$/.test(h) ? Number(h) * 1000 : HTTP_DATE.test(h) ? Date.parse(h.includes('-') || h.endsWith('GMT') ? h : `${h} GMT`) - now : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
