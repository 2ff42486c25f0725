/**
 * The longest delay Node's timers hold: 2^31 − 1 ms (≈ 24.8 days). A longer one is set to 1 ms
 * with a TimeoutOverflowWarning — a monitor interval of "30d" would then step every millisecond.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that can be cancelled. */
export interface LongTimer {
  cancel(): void;
}

/**
 * Calls `fn` once after `ms`, however long: a delay beyond {@link MAX_TIMER_MS} is a chain of
 * timeouts of at most that. The timers are unref'd (they never keep the process alive).
 *
 * @example
 * const t = longTimeout(() => void tick(), 30 * 86_400_000); // fires after 30 days, not after 1 ms
 * t.cancel();
 */
export function longTimeout(fn: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number) => {
    const now = Math.min(left, MAX_TIMER_MS);
    timer = setTimeout(() => (left > now ? arm(left - now) : fn()), now);
    timer.unref();
  };
  arm(Math.max(0, ms));
  return { cancel: () => clearTimeout(timer) };
}

/**
 * An abort signal that times out after `ms` (as `AbortSignal.timeout`, whose delay overflows past
 * {@link MAX_TIMER_MS} and aborts after 1 ms — and throws past 2^32 − 1); cancel it once done.
 *
 * @example
 * const t = timeoutSignal(hook.timeoutMs);
 * try { await fetch(url, { signal: t.signal }); } finally { t.cancel(); }
 */
export function timeoutSignal(ms: number): LongTimer & { signal: AbortSignal } {
  const c = new AbortController();
  const t = longTimeout(() => c.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  return { signal: c.signal, cancel: t.cancel };
}
