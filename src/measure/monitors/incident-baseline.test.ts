import { describe, expect, it } from 'vitest';
import { initialMonitorState, type MonitorAlert, type MonitorConfig, type MonitorMetric, type MonitorState, monitorStep } from './monitor.js';
import { type MonitorEvent } from './counters.js';
import { rateCheck } from './checks.js';
import { createRng } from '../stats/prng.js';

const T0 = Date.UTC(2026, 11, 7);
const SECOND = 1000;
const key = { action: 'promo-7', placement: 'email', segment: 'all' };

/**
 * The QA report's set-up (open-alert-baseline.test.ts): a step every 2 s, 10-second buckets, a
 * one-minute current window against the five minutes before it, a 3-minute cool-down.
 */
const QA: Partial<MonitorConfig> = { bucketMs: 10 * SECOND, currentWindowMs: 60 * SECOND, baselineWindowMs: 5 * 60 * SECOND, cooldownMs: 3 * 60 * SECOND };

/** A phase: how long (s), the response rate, and exposures a second. */
type Phase = [seconds: number, rate: number, perSecond?: number];

/** Steps every 2 s through the phases; returns every alert and the last state. */
function run(metric: MonitorMetric, phases: Phase[], seed: number): { alerts: MonitorAlert[]; state: MonitorState } {
  const rng = createRng(seed);
  let state = initialMonitorState();
  let t = T0;
  const alerts: MonitorAlert[] = [];
  for (const [seconds, rate, perSecond = 8] of phases) {
    for (let s = 0; s < seconds; s += 2) {
      const events: MonitorEvent[] = [];
      const n = 2 * perSecond;
      for (let i = 0; i < n; i++) {
        const at = t + Math.floor((i * 2 * SECOND) / n);
        events.push({ ...key, at, type: 'exposure' });
        if (rng() < rate) events.push({ ...key, at, type: 'response' });
      }
      t += 2 * SECOND;
      const r = monitorStep(state, events, t - 1, { ...QA, metrics: [metric] });
      state = r.state;
      alerts.push(...r.alerts);
    }
  }
  return { alerts, state };
}

const seen = (alerts: MonitorAlert[]) => alerts.map((a) => `${a.status} ${a.direction}`);

/**
 * The rule under test: readings of a period in alert are left out of the later baselines, as a
 * control chart's trial limits are revised without the samples that had an assignable cause
 * (Montgomery, Introduction to Statistical Quality Control, Phase I control limits), so a baseline
 * keeps estimating the process in control.
 */
describe('an incident is kept out of the baselines of later checks', () => {
  // Before: once the "high" alert resolved (against the baseline frozen at its raise), the next
  // checks took the five minutes before their window as the baseline — the spike in it — and the
  // normal level read low: 5% against a center of ~19%, a "low" alert (a reopening, in the cool-down).
  it('response rate: 5% → 40% for 2 min → back to 5%: the high alert fires and resolves, and no low alert follows', () => {
    for (const seed of [21, 22, 23]) {
      const { alerts, state } = run('response-rate', [[6 * 60, 0.05], [120, 0.4], [6 * 60, 0.05]], seed);
      expect(seen(alerts), `seed ${seed}`).toEqual(['firing high', 'resolved high']);
      // The period kept out: from the window the alert fired on (the spike's start in it) to the step it resolved on.
      const [period] = state.tracks[`promo-7|email|all#response-rate`].incidents ?? [];
      expect(period.from).toBeLessThanOrEqual(T0 + 360 * SECOND);
      expect(period.to).toBeGreaterThanOrEqual(T0 + 480 * SECOND);
      expect(period.to).toBeLessThanOrEqual(alerts[1].at + 10 * SECOND);
    }
  });

  it('volume: 8 a second → 40 a second for 2 min → back to 8: no low alert on the return', () => {
    for (const seed of [31, 32]) {
      const { alerts } = run('volume', [[6 * 60, 0.05], [120, 0.05, 40], [6 * 60, 0.05]], seed);
      expect(seen(alerts), `seed ${seed}`).toEqual(['firing high', 'resolved high']);
    }
  });

  it('a genuine drop below the normal level after a spike still raises "low", against a baseline without the spike', () => {
    // 5% → 40% for 2 min → 5% for 3 min → 0.5%. (Seed 24 fires a chance "high" at 5% before the
    // spike: a one-minute window of ~480 exposures at alpha 0.001 checked every 2 s.)
    for (const seed of [25, 26]) {
      const { alerts } = run('response-rate', [[6 * 60, 0.05], [120, 0.4], [3 * 60, 0.05], [3 * 60, 0.005]], seed);
      expect(seen(alerts), `seed ${seed}`).toEqual(['firing high', 'resolved high', 'firing low']);
      expectCleanLow(alerts[2]);
    }
  });

  it('a drop straight after the spike is judged against the baseline from before it (what is left without the spike is too thin)', () => {
    // A 4-minute spike: without it (and the minute before it that the alert fired on), the
    // five-minute baseline holds under the 500 exposures a rate needs — the baseline the high alert
    // opened against stands in.
    for (const seed of [27, 30]) {
      const { alerts } = run('response-rate', [[6 * 60, 0.05], [240, 0.4], [3 * 60, 0.005]], seed);
      expect(seen(alerts), `seed ${seed}`).toEqual(['firing high', 'resolved high', 'firing low']);
      expect(alerts[2].evidence.baseline).toEqual(alerts[0].evidence.baseline);
      expectCleanLow(alerts[2]);
    }
  });
});

/** A low alert judged against the normal level: its baseline without the spike, its band and p-value that baseline's. */
function expectCleanLow(low: MonitorAlert): void {
  // The baseline's rate is the normal 5%, not the spike's mix (a 2-minute 40% spike in a 5-minute
  // baseline would put it near 19%).
  const b = low.evidence.baseline;
  expect(b.responses / b.exposures).toBeGreaterThan(0.03);
  expect(b.responses / b.exposures).toBeLessThan(0.07);
  // The band's center is the Jeffreys posterior mean (x + ½) / (n + 1) of the baseline (Gelman et al.,
  // Bayesian Data Analysis, 3rd ed., §2.4 and §2.8: the Beta(½, ½) prior; the predictive of a window is
  // Beta-binomial, §2.4), and the alert's p-value is that predictive's lower tail at the window's count.
  expect(low.expected.center).toBeCloseTo((b.responses + 0.5) / (b.exposures + 1), 12);
  const c = low.evidence.current;
  expect(low.pValue).toBeCloseTo(rateCheck({ events: c.responses, trials: c.exposures }, { events: b.responses, trials: b.exposures }, 0.001).pLow, 12);
}
