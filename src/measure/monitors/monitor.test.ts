import { describe, expect, it } from 'vitest';
import { initialMonitorState, type MonitorState, monitorStep, P_VALUE_FLOOR, spanWords } from './monitor.js';
import { type MonitorEvent, windowCounts, windowSums } from './counters.js';
import { createRng, type Rng } from '../stats/prng.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const KEYS = ['promo-7', 'promo-8', 'winback'].flatMap((action) => ['vip', 'new'].map((segment) => ({ action, placement: 'email', segment })));

/** Seeded traffic for `hours` hours: `perHour` exposures per key per hour at the given rates. */
function traffic(rng: Rng, from: number, hours: number, rates: (key: (typeof KEYS)[number]) => { unsub: number; response: number; predicted?: number }, perHour = 200): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  const span = hours * HOUR;
  for (const k of KEYS) {
    const r = rates(k);
    for (let i = 0; i < Math.round(perHour * hours); i++) {
      const at = from + Math.floor(rng() * span);
      // Fields named, not spread: a week of traffic is 200,000 events (spread, 0.9 s of a test).
      const { action, placement, segment } = k;
      events.push({ action, placement, segment, at, type: 'exposure', predicted: r.predicted });
      if (rng() < r.response) events.push({ action, placement, segment, at, type: 'response' });
      if (rng() < r.unsub) events.push({ action, placement, segment, at, type: 'negative' });
    }
  }
  return events;
}

const normal = () => ({ unsub: 0.002, response: 0.03 });
const baselineEnd = T0 + 7 * 24 * HOUR;

/** The baselines built, by seed, with how many numbers their traffic drew (monitorStep is pure: a state can be shared). */
const baselines = new Map<number, { state: MonitorState; draws: number }>();

/** A week of normal traffic from `seed` stepped into a state, and the generator where that traffic left it. */
function withBaseline(seed = 1): { state: MonitorState; rng: Rng } {
  let draws = 0;
  const inner = createRng(seed);
  const rng: Rng = () => (draws++, inner());
  const known = baselines.get(seed);
  if (known) {
    for (let i = 0; i < known.draws; i++) rng();
    return { state: known.state, rng };
  }
  const { state, alerts } = monitorStep(initialMonitorState(), traffic(rng, T0, 7 * 24, normal), baselineEnd);
  expect(alerts).toEqual([]);
  baselines.set(seed, { state, draws });
  return { state, rng };
}

describe('monitorStep', () => {
  it('steady traffic in hour buckets raises no volume alert a minute past the hour; a real drop still does', () => {
    // Bucket and current window both an hour: at 02:01 the window's first whole bucket began at
    // 02:00, so one minute is compared with one minute's share of the baseline, not with an hour.
    const cfg = { bucketMs: HOUR, currentWindowMs: HOUR, baselineWindowMs: 24 * HOUR, metrics: ['volume' as const] };
    const steady = (from: number, to: number) => Array.from({ length: Math.round((to - from) / 3_600) }, (_, i) => ({ ...KEYS[0], at: from + i * 3_600, type: 'exposure' as const }));
    let state = initialMonitorState();
    for (let h = 0; h < 48; h++) state = monitorStep(state, steady(T0 + h * HOUR, T0 + (h + 1) * HOUR), T0 + (h + 1) * HOUR - 1, cfg).state;
    const at = T0 + 48 * HOUR;
    for (const minute of [1, 7, 30, 59]) {
      const now = at + minute * 60_000;
      const r = monitorStep(state, steady(at, now), now, cfg);
      expect(r.alerts.map((a) => a.message), `${minute} min past`).toEqual([]);
    }
    // no traffic at all for the hour after: volume low
    const silent = monitorStep(state, [], at + HOUR + 60_000, cfg);
    expect(silent.alerts.map((a) => [a.metric, a.direction])).toEqual([['volume', 'low']]);
    // Its sentence names the span it counted (the whole buckets so far: one minute), not the configured hour.
    expect(silent.alerts[0].message).toContain('0 over the last minute (0 exposures)');
  });

  it('names a span under a minute in seconds (a window of seconds read "the last minute")', () => {
    expect([spanWords(4_060), spanWords(1_000), spanWords(200), spanWords(45_000), spanWords(60_000), spanWords(90 * 60_000), spanWords(2 * HOUR)])
      .toEqual(['4 seconds', 'second', 'second', '45 seconds', 'minute', '90 minutes', '2 hours']);
  });

  it('an unsubscribe spike on one action and segment raises exactly that alert', () => {
    const { state, rng } = withBaseline();
    const spike = traffic(rng, baselineEnd, 1, (k) => (k.action === 'promo-7' && k.segment === 'vip' ? { unsub: 0.05, response: 0.03 } : normal()));
    const { alerts } = monitorStep(state, spike, baselineEnd + HOUR);
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    expect(a).toMatchObject({ status: 'firing', metric: 'negative-rate', direction: 'high', key: { action: 'promo-7', placement: 'email', segment: 'vip' } });
    expect(a.observed).toBeGreaterThan(a.expected.high);
    expect(a.pValue).toBeLessThan(0.001);
    expect(a.evidence.current.exposures).toBeGreaterThan(150);
    expect(a.message).toMatch(/action "promo-7" in placement "email", segment "vip"/);
    expect(a.window).toEqual({ from: baselineEnd, to: baselineEnd + HOUR });
  });

  it('does not alert on thin data, even at a 15% unsubscribe rate', () => {
    const { state, rng } = withBaseline();
    const thin: MonitorEvent[] = traffic(rng, baselineEnd, 1, normal);
    for (let i = 0; i < 20; i++) thin.push({ action: 'brand-new', placement: 'email', segment: 'vip', at: baselineEnd + i * 1000, type: 'exposure' });
    for (let i = 0; i < 3; i++) thin.push({ action: 'brand-new', placement: 'email', segment: 'vip', at: baselineEnd + i * 1000, type: 'negative' });
    expect(monitorStep(state, thin, baselineEnd + HOUR).alerts).toEqual([]);
  });

  it('holds an active alert (no storm), resolves with hysteresis, and respects the cool-down', () => {
    const { state: s0, rng } = withBaseline(2);
    const spikeRates = (k: (typeof KEYS)[number]) => (k.action === 'winback' && k.segment === 'new' ? { unsub: 0.05, response: 0.03 } : normal());
    let state = s0;
    let t = baselineEnd;
    const seen: Record<string, string[]> = { firing: [], resolved: [], reopened: [] };
    const ids: string[] = [];
    const step = (hours: number, rates: typeof spikeRates) => {
      for (let h = 0; h < hours * 6; h++) {
        const r = monitorStep(state, traffic(rng, t, 1 / 6, rates), t + HOUR / 6);
        state = r.state;
        t += HOUR / 6;
        for (const a of r.alerts) {
          seen[a.status].push(`${a.key.action}/${a.key.segment}/${a.metric}`);
          ids.push(a.id);
        }
      }
    };
    step(2, spikeRates); // spike for two hours, checked every 10 minutes
    expect(seen.firing).toEqual(['winback/new/negative-rate']);
    step(2, normal); // back to normal
    expect(seen.resolved).toEqual(['winback/new/negative-rate']);
    // A relapse inside the 6-hour cool-down: no new alert, and not silence either — the same alert
    // (same id) reopens, once, and resolves again when the rate is back.
    step(1, spikeRates);
    expect(seen.firing).toHaveLength(1);
    expect(seen.reopened).toEqual(['winback/new/negative-rate']);
    step(2, normal);
    expect(seen.resolved).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('a relapse after the cool-down (counted from the alert\'s last opening) is a new alert, not a reopening', () => {
    const { state: s0, rng } = withBaseline(2);
    const spikeRates = (k: (typeof KEYS)[number]) => (k.action === 'winback' && k.segment === 'new' ? { unsub: 0.05, response: 0.03 } : normal());
    let state = s0;
    let t = baselineEnd;
    const seen: string[] = [];
    const run = (hours: number, rates: typeof spikeRates) => {
      for (let h = 0; h < hours * 6; h++) {
        const r = monitorStep(state, traffic(rng, t, 1 / 6, rates), t + HOUR / 6, { cooldownMs: 3 * HOUR });
        state = r.state;
        t += HOUR / 6;
        for (const a of r.alerts) seen.push(`${a.status} ${a.id.slice(a.id.lastIndexOf('@') + 1)}`);
      }
    };
    run(1, spikeRates);
    run(4, normal); // resolved; more than the 3-hour cool-down since it fired
    run(1, spikeRates);
    const [fired, resolved, again] = seen;
    expect([fired.split(' ')[0], resolved.split(' ')[0], again.split(' ')[0]]).toEqual(['firing', 'resolved', 'firing']);
    expect(again.split(' ')[1]).not.toBe(fired.split(' ')[1]);
  });

  it('flags calibration drift when the rate model over-predicts', () => {
    const rng = createRng(9);
    const calibrated = traffic(rng, T0, 7 * 24, () => ({ unsub: 0.002, response: 0.03, predicted: 0.03 }));
    const { state } = monitorStep(initialMonitorState(), calibrated, baselineEnd);
    const drift = traffic(rng, baselineEnd, 1, (k) => (k.action === 'promo-8' ? { unsub: 0.002, response: 0.01, predicted: 0.06 } : { unsub: 0.002, response: 0.03, predicted: 0.03 }), 1000);
    const { alerts } = monitorStep(state, drift, baselineEnd + HOUR);
    const calibration = alerts.filter((a) => a.metric === 'calibration');
    expect(calibration.map((a) => a.key.action).sort()).toEqual(['promo-8', 'promo-8']);
    expect(calibration.every((a) => a.direction === 'low')).toBe(true);
  });

  it('an active rate alert is kept, not resolved, through a window with no or too few exposures to judge', () => {
    // Before: an hour without exposures gave pHigh = pLow = 1 and the alert "resolved", "back within its
    // expected band (0.00% …)" — on no data; 20 exposures without an unsubscribe did the same.
    const cfg = { metrics: ['negative-rate' as const] };
    const { state: s0, rng } = withBaseline(2);
    const spikeRates = (k: (typeof KEYS)[number]) => (k.action === 'winback' && k.segment === 'new' ? { unsub: 0.05, response: 0.03 } : normal());
    let state = s0;
    let t = baselineEnd;
    const statuses: string[] = [];
    for (let i = 0; i < 6; i++, t += HOUR / 6) {
      const r = monitorStep(state, traffic(rng, t, 1 / 6, spikeRates), t + HOUR / 6, cfg);
      state = r.state;
      statuses.push(...r.alerts.map((a) => a.status));
    }
    expect(statuses).toEqual(['firing']);
    const silent = monitorStep(state, [], t + HOUR, cfg);
    expect(silent.alerts.map((a) => a.message)).toEqual([]);
    expect(Object.values(silent.state.tracks).filter((x) => x.active)).toHaveLength(1);
    // 20 exposures (under minTrials = 100), no unsubscribe: still too little to say it recovered.
    const few = Array.from({ length: 20 }, (_, i) => ({ action: 'winback', placement: 'email', segment: 'new', at: t + HOUR + i * 1000, type: 'exposure' as const }));
    const thin = monitorStep(silent.state, few, t + 2 * HOUR - 1, cfg);
    expect(thin.alerts.map((a) => a.message)).toEqual([]);
    // An hour of normal traffic is evidence: it resolves.
    const back = monitorStep(thin.state, traffic(rng, t + 2 * HOUR, 1, normal), t + 3 * HOUR, cfg);
    expect(back.alerts.map((a) => `${a.status} ${a.key.action}/${a.key.segment}`)).toEqual(['resolved winback/new']);
  });

  it('an active calibration alert is kept through a window too thin to judge (under 20 predicted responses)', () => {
    // Before: 10 exposures predicted at 0.06 and none answered (z = −0.6 / √0.564 ≈ −0.8, p ≈ 0.21) resolved it.
    const cfg = { metrics: ['calibration' as const] };
    const key = { action: 'promo-8', placement: 'email', segment: 'vip' };
    const hourOf = (h: number, n: number, p: number, responses: number): MonitorEvent[] => [
      ...Array.from({ length: n }, (_, i) => ({ ...key, at: T0 + h * HOUR + Math.floor((i * HOUR) / n), type: 'exposure' as const, predicted: p })),
      ...Array.from({ length: responses }, (_, i) => ({ ...key, at: T0 + h * HOUR + Math.floor((i * HOUR) / responses), type: 'response' as const })),
    ];
    const fired = monitorStep(initialMonitorState(), hourOf(0, 1000, 0.06, 13), T0 + HOUR - 1, cfg);
    expect(fired.alerts.map((a) => `${a.status} ${a.direction}`)).toEqual(['firing low']);
    const thin = monitorStep(fired.state, hourOf(1, 10, 0.06, 0), T0 + 2 * HOUR - 1, cfg);
    expect(thin.alerts.map((a) => a.message)).toEqual([]);
    const back = monitorStep(thin.state, hourOf(2, 1000, 0.03, 30), T0 + 3 * HOUR - 1, cfg);
    expect(back.alerts.map((a) => a.status)).toEqual(['resolved']);
  });

  it('says a calibration band comes from the rate model\'s predictions, not from a baseline', () => {
    const rng = createRng(9);
    const cfg = { metrics: ['calibration' as const] };
    const { state } = monitorStep(initialMonitorState(), traffic(rng, T0, 2, () => ({ unsub: 0, response: 0.03, predicted: 0.03 })), T0 + 2 * HOUR, cfg);
    const drift = traffic(rng, T0 + 2 * HOUR, 1, (k) => (k.action === 'promo-8' && k.segment === 'vip' ? { unsub: 0, response: 0.01, predicted: 0.06 } : { unsub: 0, response: 0.03, predicted: 0.03 }), 1000);
    const [a] = monitorStep(state, drift, T0 + 3 * HOUR, cfg).alerts;
    expect(a.message).not.toContain('baseline');
    expect(a.message).toContain(`expected ${a.expected.low.toFixed(1)}–${a.expected.high.toFixed(1)} from the rate model's predictions (their sum, ${a.expected.center.toFixed(1)})`);
  });

  it('counts the exposures without a prediction at the predicted ones\' mean (like with like)', () => {
    // 20,000 exposures of one action in an hour, 19,000 predicted at 0.03 and 1,000 shown as a held
    // choice's stand-in with no prediction of their own; 600 responses, 3% of all (a calibrated
    // model). Before: the 600 against the 19,000's Σp̂ = 570 — sd √(19,000·0.03·0.97) ≈ 23.5, z ≈
    // 1.28 — and with 4,000 stand-ins of 24,000 (the 95% floor crossed at 83%) no check at all; the
    // bias grows with the share. Now Σp̂ counts the stand-ins at 0.03: expected 600, no alert.
    const cfg = { metrics: ['calibration' as const], alpha: 0.2 };
    const key = { action: 'promo-7', placement: 'email', segment: 'vip' };
    const at = (i: number) => T0 + 2 * HOUR + Math.floor(i * 0.18);
    const window = (n: number, predicted: number, responses: number) => {
      const events: MonitorEvent[] = [];
      for (let i = 0; i < n; i++) events.push({ ...key, at: at(i), type: 'exposure', ...(i < predicted ? { predicted: 0.03 } : {}) });
      for (let i = 0; i < responses; i++) events.push({ ...key, at: at(Math.floor((i * n) / responses)), type: 'response' });
      return events;
    };
    expect(monitorStep(initialMonitorState(), window(20_000, 19_000, 600), T0 + 3 * HOUR, cfg).alerts).toEqual([]);
    // Under-prediction is still caught with the stand-ins in the window: 900 responses against 600.
    expect(monitorStep(initialMonitorState(), window(20_000, 19_000, 900), T0 + 3 * HOUR, cfg).alerts.map((a) => [a.metric, a.direction])).toEqual([['calibration', 'high']]);
    // Fewer than 95% of exposures predicted: not judged.
    expect(monitorStep(initialMonitorState(), window(20_000, 18_000, 900), T0 + 3 * HOUR, cfg).alerts).toEqual([]);
  });

  it('reports an extreme surge\'s p-value as the bound 1e-300, never as 0', () => {
    // 100 exposures an hour for a day, then 5,000 in an hour: P(X ≥ 5000) is far below the smallest
    // double (checks.test.ts bounds it in closed form), so the tail underflowed and pValue read 0.
    const cfg = { bucketMs: HOUR, currentWindowMs: HOUR, baselineWindowMs: 24 * HOUR, metrics: ['volume' as const] };
    const hourOf = (h: number, n: number) => Array.from({ length: n }, (_, i) => ({ ...KEYS[0], at: T0 + h * HOUR + Math.floor((i * HOUR) / n), type: 'exposure' as const }));
    const { state } = monitorStep(initialMonitorState(), Array.from({ length: 24 }, (_, h) => hourOf(h, 100)).flat(), T0 + 24 * HOUR - 1, cfg);
    const [a] = monitorStep(state, hourOf(24, 5000), T0 + 25 * HOUR - 1, cfg).alerts;
    expect([a.metric, a.direction]).toEqual(['volume', 'high']);
    expect(a.pValue).toBe(P_VALUE_FLOOR);
    expect(P_VALUE_FLOOR).toBe(1e-300);
  });

  it('is pure: the input state is not modified', () => {
    const { state, rng } = withBaseline(3);
    const snapshot = JSON.stringify(state);
    monitorStep(state, traffic(rng, baselineEnd, 1, normal), baselineEnd + HOUR);
    expect(JSON.stringify(state)).toBe(snapshot);
  });
  it('shares the buckets no event touched with its input, and copies those that changed', () => {
    const { state, rng } = withBaseline(4);
    const next = monitorStep(state, traffic(rng, baselineEnd, 0.1, normal), baselineEnd + HOUR / 10).state;
    const id = Object.keys(state.series)[0];
    const [before, after] = [state.series[id].buckets, next.series[id].buckets];
    const oldest = Object.keys(before).sort((a, b) => Number(a) - Number(b))[1];
    expect(after[oldest]).toBe(before[oldest]);
    const latest = String(Math.floor((baselineEnd + HOUR / 20) / 300_000) * 300_000);
    expect(after[latest]).not.toBe(before[latest]);
    expect(after[latest].exposures).toBeGreaterThan(before[latest]?.exposures ?? 0);
  });
  it('sums the current window and the baseline in one pass, as two window sums do', () => {
    const { state } = withBaseline(5);
    for (const s of Object.values(state.series)) {
      const now = baselineEnd;
      const r = windowSums(s, now - 8 * 24 * HOUR, now - HOUR, now + 1);
      expect(r.cur).toEqual(windowCounts(s, now - HOUR, now + 1));
      expect(r.base).toEqual(windowCounts(s, now - 8 * 24 * HOUR, now - HOUR));
      expect(r.first).toBe(Math.min(...Object.keys(s.buckets).map(Number)));
    }
  });
});
