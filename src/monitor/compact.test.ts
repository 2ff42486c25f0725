import { describe, expect, it } from 'vitest';
import { windowCounts, type BucketCounts, type MonitorEvent } from '../measure/monitors/counters.js';
import { initialMonitorState, monitorStep, type MonitorState } from '../measure/monitors/monitor.js';
import { createRng } from '../measure/stats/prng.js';
import { compactState } from './compact.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const keys = ['promo', 'winback'].map((action) => ({ action, placement: 'email', segment: 'all' }));

/** Seeded traffic: `perHour` exposures per key, 3% responses, unsubscribes at `unsub(action)`. */
function traffic(seed: number, from: number, hours: number, unsub: (action: string) => number, perHour = 200): MonitorEvent[] {
  const rng = createRng(seed);
  const out: MonitorEvent[] = [];
  for (const k of keys) {
    for (let i = 0; i < perHour * hours; i++) {
      const at = from + Math.floor(rng() * hours * HOUR);
      out.push({ ...k, at, type: 'exposure', predicted: 0.03 });
      if (rng() < 0.03) out.push({ ...k, at, type: 'response' });
      if (rng() < unsub(k.action)) out.push({ ...k, at, type: 'negative' });
    }
  }
  return out;
}

/** Equal counts; sums of predictions equal up to the order of floating-point additions. */
function sameCounts(x: BucketCounts, y: BucketCounts): void {
  expect({ ...x, predicted: 0, predictedSq: 0 }).toEqual({ ...y, predicted: 0, predictedSq: 0 });
  expect(x.predicted).toBeCloseTo(y.predicted, 9);
  expect(x.predictedSq).toBeCloseTo(y.predictedSq, 9);
}

const buckets = (s: MonitorState) => Object.values(s.series).reduce((n, x) => n + Object.keys(x.buckets).length, 0);

describe('compactState', () => {
  it('keeps every count and the current window exact, and shrinks a week of 5-minute buckets about tenfold', () => {
    const now = T0 + 7 * 24 * HOUR + 30 * 60_000;
    const { state } = monitorStep(initialMonitorState(), traffic(1, T0, 7 * 24 + 0.5, () => 0.002), now);
    const compact = compactState(state, now - HOUR, 5 * 60_000);
    expect(buckets(state)).toBe(2 * (7 * 24 * 12 + 6));
    expect(buckets(compact)).toBeLessThan(buckets(state) / 9);
    for (const id of Object.keys(state.series)) {
      const [a, b] = [state.series[id], compact.series[id]];
      sameCounts(windowCounts(b, 0, Infinity), windowCounts(a, 0, Infinity));
      expect(windowCounts(b, now - HOUR, now + 1)).toEqual(windowCounts(a, now - HOUR, now + 1));
      expect(Math.min(...Object.keys(b.buckets).map(Number))).toBe(Math.min(...Object.keys(a.buckets).map(Number)));
    }
    // pure: the input is not modified, and a compact state compacts to itself
    expect(buckets(state)).toBe(2 * (7 * 24 * 12 + 6));
    expect(compactState(compact, now - HOUR, 5 * 60_000)).toEqual(compact);
  });

  it('raises and resolves the same alerts, at the same steps, as the uncompacted monitor', () => {
    const end = T0 + 7 * 24 * HOUR;
    const base = traffic(2, T0, 7 * 24, () => 0.002);
    let plain = monitorStep(initialMonitorState(), base, end).state;
    let compact = compactState(plain, end - HOUR, 5 * 60_000);
    const seen: { plain: string[]; compact: string[] } = { plain: [], compact: [] };
    // Two hours of a spike on "promo", then two normal hours, checked every 10 minutes.
    for (let i = 0; i < 24; i++) {
      const from = end + i * HOUR / 6;
      const events = traffic(100 + i, from, 1 / 6, (action) => (action === 'promo' && i < 12 ? 0.05 : 0.002));
      const now = from + HOUR / 6;
      const p = monitorStep(plain, events, now);
      const c = monitorStep(compact, events, now);
      plain = p.state;
      compact = compactState(c.state, now - HOUR, 5 * 60_000);
      seen.plain.push(...p.alerts.map((a) => `${i}:${a.status}:${a.key.action}:${a.metric}:${a.observed}`));
      seen.compact.push(...c.alerts.map((a) => `${i}:${a.status}:${a.key.action}:${a.metric}:${a.observed}`));
    }
    expect(seen.plain.some((s) => s.includes(':firing:promo:negative-rate:'))).toBe(true);
    expect(seen.plain.some((s) => s.includes(':resolved:promo:negative-rate:'))).toBe(true);
    expect(seen.compact).toEqual(seen.plain);
  });

  it('keeps an incident\'s buckets apart from the rest of their hour, so they stay out of the baseline', () => {
    // One exposure a minute in 5-minute buckets from 10:00; a response-rate alert open from 10:20
    // to 10:40, and an earlier one from 09:00 to 09:10.
    const at10 = T0 + 10 * HOUR;
    const events: MonitorEvent[] = Array.from({ length: 120 }, (_, i) => ({ ...keys[0], at: at10 - HOUR + i * 60_000, type: 'exposure' }));
    const { state } = monitorStep(initialMonitorState(), events, at10 + HOUR - 1, { metrics: [] });
    const track = { active: false, firedAt: at10 + 30 * 60_000, lastFiredAt: at10 + 30 * 60_000, incidents: [{ from: at10 - HOUR, to: at10 - 50 * 60_000 }, { from: at10 + 20 * 60_000, to: at10 + 40 * 60_000 }] };
    const closed = compactState({ ...state, tracks: { 'promo|email|all#response-rate': track } }, at10 + 2 * HOUR, 5 * 60_000);
    const sizes = (s: MonitorState) => Object.fromEntries(Object.entries(s.series['promo|email|all'].buckets).map(([t, c]) => [(Number(t) - at10) / 60_000, c.exposures]));
    // Minutes from 10:00 → exposures: each hour split at the incident's start and end.
    expect(sizes(closed)).toEqual({ '-60': 10, '-50': 50, 0: 40, 20: 20 });
    // An alert still open since 10:20: its period runs on, so the hour splits in two.
    const open = { active: true, direction: 'high' as const, firedAt: at10 + 30 * 60_000, lastFiredAt: at10 + 30 * 60_000, incidentFrom: at10 + 20 * 60_000 };
    expect(sizes(compactState({ ...state, tracks: { 'promo|email|all#response-rate': open } }, at10 + 2 * HOUR, 5 * 60_000))).toEqual({ '-60': 60, 0: 20, 20: 40 });
    // Without incidents, an hour is one bucket, as before.
    expect(sizes(compactState(state, at10 + 2 * HOUR, 5 * 60_000))).toEqual({ '-60': 60, 0: 60 });
  });
});
