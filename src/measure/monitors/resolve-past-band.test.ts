import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from './counters.js';
import { initialMonitorState, type MonitorAlert, type MonitorConfig, monitorStep } from './monitor.js';

const T0 = Date.UTC(2026, 11, 8);
const SECOND = 1000;
const key = { action: 'shoes-offer', placement: 'home', segment: 'all' };
/** The QA set-up of 2026-12-08: a step every 2 s, 10-second buckets, a one-minute window against the five before it. */
const QA: Partial<MonitorConfig> = { bucketMs: 10 * SECOND, currentWindowMs: 60 * SECOND, baselineWindowMs: 5 * 60 * SECOND, cooldownMs: 3 * 60 * SECOND, metrics: ['volume'] };

/** Steps every 2 s through phases of (seconds, exposures a second). */
function run(phases: [seconds: number, perSecond: number][]): MonitorAlert[] {
  let state = initialMonitorState();
  let t = T0;
  const alerts: MonitorAlert[] = [];
  for (const [seconds, perSecond] of phases) {
    for (let s = 0; s < seconds; s += 2) {
      const events: MonitorEvent[] = [];
      const n = perSecond * 2;
      for (let i = 0; i < n; i++) events.push({ ...key, at: t + Math.floor((i * 2 * SECOND) / n), type: 'exposure' });
      t += 2 * SECOND;
      const r = monitorStep(state, events, t - 1, QA);
      state = r.state;
      alerts.push(...r.alerts);
    }
  }
  return alerts;
}

describe('a volume alert whose metric leaves its band on the other side', () => {
  it('is resolved as no longer above its band but below it, not "back within its expected band"', () => {
    // Steady, then a burst of two seconds, then nothing at all: when the burst leaves the window the
    // volume there is 0 (the QA's run: 343 in a second, then silence).
    const alerts = run([[6 * 60, 4], [2, 200], [70, 0]]);
    const fired = alerts.find((a) => a.status === 'firing');
    expect(fired?.direction).toBe('high');
    const resolved = alerts.find((a) => a.status === 'resolved');
    expect(resolved, JSON.stringify(alerts.map((a) => a.status))).toBeDefined();
    expect(resolved!.observed).toBeLessThan(resolved!.expected.low);
    expect(resolved!.message).toMatch(/^Volume for action "shoes-offer" in placement "home", segment "all" is no longer above its expected band but below it: /);
    expect(resolved!.message).not.toContain('back within');
  });

  it('is resolved as back within its band when it is', () => {
    const alerts = run([[6 * 60, 4], [60, 20], [120, 4]]);
    const resolved = alerts.find((a) => a.status === 'resolved');
    expect(resolved?.message).toContain('is back within its expected band');
    expect(resolved!.observed).toBeGreaterThanOrEqual(resolved!.expected.low);
  });
});
