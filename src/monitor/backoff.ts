/** The longest wait between two attempts, whatever the backoff or the receiver's Retry-After. */
export const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * The default `webhook.maxAttempts`: with the default 1-s backoff the jittered waits are at least
 * 0.5 s, 1 s, 2 s … 1,024 s (34 minutes in all), then half an hour each, so 24 attempts span at
 * least ≈ 6.1 h — the default cool-down — and at most ≈ 12.1 h (≈ 9 h on average): a receiver
 * down for a night's incident, a deploy or a restart still gets the alert. (Before the waits were
 * jittered, 18 attempts spanned exactly 6.1 h; eight gave up after 127 s.)
 */
export const DEFAULT_MAX_ATTEMPTS = 24;

/**
 * When the attempt after `attempts` failed ones is due: exponential backoff from `backoffMs`
 * (1×, 2×, 4×, … capped at one hour) with "equal jitter" — half the step, plus a random share of
 * the other half — so servers whose posts failed together do not all retry at the same instant
 * (Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015). Equal rather than
 * full jitter: a wait is never shorter than half its step, so the attempts still span the hours a
 * receiver may be down. The receiver's Retry-After (`atLeastMs`) wins when longer (still at most an hour).
 * @example nextAttemptAt(1_000, 3, 1_000, 0, () => 1) // 1_000 + 4_000
 * @example nextAttemptAt(1_000, 3, 1_000, 0, () => 0) // 1_000 + 2_000
 * @example nextAttemptAt(1_000, 1, 1_000, 120_000) // 1_000 + 120_000
 */
export function nextAttemptAt(now: number, attempts: number, backoffMs: number, atLeastMs = 0, random: () => number = Math.random): number {
  const step = Math.min(backoffMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  const wait = Math.round(step / 2 + (random() * step) / 2);
  return now + Math.min(Math.max(wait, atLeastMs), MAX_BACKOFF_MS);
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
