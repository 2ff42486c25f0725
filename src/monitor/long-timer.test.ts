import { afterEach, describe, expect, it, vi } from 'vitest';
import { longTimeout, MAX_TIMER_MS, timeoutSignal } from './long-timer.js';

describe('long timers', () => {
  afterEach(() => vi.useRealTimers());

  it('fire once after a delay past 2^31 − 1 ms, as a chain of shorter timeouts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // 3,000,000,000 ms = MAX_TIMER_MS (2,147,483,647) + 852,516,353.
    let fired = 0;
    longTimeout(() => fired++, 3_000_000_000);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(852_516_352);
    expect(fired).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_MS);
    expect(fired).toBe(1);
    const t = longTimeout(() => fired++, 5 * MAX_TIMER_MS);
    await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_MS);
    t.cancel();
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_MS);
    expect(fired).toBe(1);
  });

  it('abort a signal with a TimeoutError after the delay, short or long, and not once cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const short = timeoutSignal(5_000);
    const long = timeoutSignal(50 * 86_400_000); // 50 days = 4,320,000,000 ms > 2^32 − 1 (AbortSignal.timeout throws there)
    const cancelled = timeoutSignal(5_000);
    cancelled.cancel();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(short.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((short.signal.reason as Error).name).toBe('TimeoutError');
    await vi.advanceTimersByTimeAsync(50 * 86_400_000 - 5_000 - 1);
    expect(long.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(long.signal.aborted).toBe(true);
    expect(cancelled.signal.aborted).toBe(false);
  });
});
