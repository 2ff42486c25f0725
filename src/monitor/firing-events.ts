import type { MonitorEvent } from '../measure/monitors/counters.js';

const H = 3_600_000;

/**
 * Seven hours of one key's events whose last hour fires a negative-rate alert (unsubscribes from
 * 1% to 20%) at `7 h − 1 ms` with a 6-hour baseline — the fixture of the monitors' tests.
 *
 * @example
 * monitorStep(initialMonitorState(), firingNegativeRate(), 7 * 3_600_000 - 1, { baselineWindowMs: 6 * 3_600_000 });
 */
export function firingNegativeRate(): MonitorEvent[] {
  const key = { action: 'promo', placement: 'email', segment: 'all' };
  const ev = (at: number, type: 'exposure' | 'negative') => ({ ...key, at, type });
  return [...Array.from({ length: 1000 }, (_, i) => ev(i * 6 * H / 1000, 'exposure')), ...Array.from({ length: 10 }, (_, i) => ev(i * H, 'negative')),
    ...Array.from({ length: 200 }, (_, i) => ev(6 * H + i * H / 200, 'exposure')), ...Array.from({ length: 40 }, (_, i) => ev(6 * H + i * H / 40, 'negative'))];
}
