import { httpUrl } from '../../cli/options.js';
import { DEFAULT_RETRY, type RetryPolicy } from './webhook.js';

/**
 * A count given on the command line (`--name`), refused unless a whole number of at least `min`:
 * a count that is not one would run the campaign wrong (NaN attempts deliver nothing; a NaN batch
 * size sends all at once). Undefined when not given.
 *
 * @example
 * countFlag('limit', '500', 1); // 500
 */
export function countFlag(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}; got ${String(v)}.`);
  return n;
}

/**
 * The webhook's retry policy from `--attempts` (in all, at least 1), or `--retries` (after the
 * first attempt, at least 0: `--retries 2` is `--attempts 3`), and `--max-retry-after` (seconds).
 * Until 2026-12-03 `--retries` counted attempts in all; it now means what it says, so a script
 * passing `--retries N` gets one retry more than before.
 *
 * @example
 * retryFlags({ retries: '2', maxRetryAfter: '300' }); // { ...DEFAULT_RETRY, attempts: 3, maxRetryAfterMs: 300000 }
 */
export function retryFlags(o: { attempts?: unknown; retries?: unknown; maxRetryAfter?: unknown }): RetryPolicy {
  const attempts = countFlag('attempts', o.attempts, 1);
  const retries = countFlag('retries', o.retries, 0);
  if (attempts !== undefined && retries !== undefined) throw new Error('Give --attempts (in all) or --retries (after the first attempt), not both.');
  const maxRetryAfter = countFlag('max-retry-after', o.maxRetryAfter ?? '300', 0) as number;
  return { ...DEFAULT_RETRY, attempts: attempts ?? (retries !== undefined ? retries + 1 : DEFAULT_RETRY.attempts), maxRetryAfterMs: maxRetryAfter * 1000 };
}

/**
 * The `--webhook` URL, refused unless http(s) — before any decision is made: a campaign whose
 * receiver is a typo would be logged and count against caps for no one. Kept as given (a trailing
 * slash may matter to the receiver).
 *
 * @example
 * webhookFlag('https://esp.example.com/hooks/tact'); // the same
 */
export function webhookFlag(v: string): string {
  httpUrl('--webhook', v, 'https://esp.example.com/hooks/tact');
  return v;
}
