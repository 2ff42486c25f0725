import { describe, expect, it } from 'vitest';
import { baselineEstimate } from '../../learn/baselines/baseline-estimate.js';
import type { BaselineState } from '../../learn/baselines/metric-baseline.js';
import { Rng } from '../../learn/math/prng.js';
import { normal } from '../../learn/math/samplers.js';
import { baselineStep, newBaselineState } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

/**
 * What one flagged reading, or a run of them, does to a baseline, through the product's own step
 * (baselineStep: check at 98%, then learn). Sessions: log-normal around e⁵ ≈ 148 s (σ = 0.3 in
 * logs), at 09:00 and 20:00 every day, cadence "events" (pooled horizons).
 */
const [sessions] = metricsKind.compile([{ name: 'session_length', event: 'Session Ended', property: 'duration' }]);
const [sensor] = metricsKind.compile([{ name: 'temp', event: 'Sensor Reading', property: 'celsius', cadence: 'hourly' }]);

function sessionStream(seed: number) {
  const rng = new Rng(seed);
  const s = newBaselineState(sessions);
  const usual = () => Math.exp(5 + 0.3 * normal(rng));
  const step = (t: number, y: number) => !!baselineStep(s, t, y, 0.98, null).anomaly;
  /** Days [from, to) of usual readings (times `factor`); the number flagged. */
  const days = (from: number, to: number, factor = 1) => {
    let flags = 0;
    for (let d = from; d < to; d++) for (const h of [9, 20]) flags += step(d * 24 + h, factor * usual()) ? 1 : 0;
    return flags;
  };
  return { s, step, days };
}

const range90 = (s: BaselineState, t: number) => baselineEstimate(s, t, null);

describe('a flagged reading', () => {
  it('is learned winsorised: one session of 5000 s neither blows up the typical range nor hides a second one', () => {
    // Until 2026-12-05 a flagged reading was learned in full: on this stream the 90% range went from
    // about [80, 296] to [−51, 19780] the next day and was still [9.6, 572] two weeks on, and a
    // second 5000 s 2–30 days later was not flagged (the first one's score, ~140 where usual ones are
    // about 1, set the flag radius for the 42 days of the score window).
    for (const gap of [2, 10, 30]) {
      const { s, step, days } = sessionStream(5);
      days(0, 60);
      const before = range90(s, 60 * 24 + 21);
      expect(before.status).toBe('established');
      expect(step(60 * 24 + 11, 5000), 'the first one').toBe(true);
      days(60, 61);
      const next = range90(s, 61 * 24 + 21);
      // Bounded: its score is kept at twice the flag radius, its learning at the flag range's edge.
      expect(next.low, `gap ${gap}`).toBeGreaterThan(0);
      expect(next.high, `gap ${gap}`).toBeLessThan(4 * before.high);
      days(61, 60 + gap);
      expect(step((60 + gap) * 24 + 11, 5000), `a second one ${gap} days later`).toBe(true);
    }
    const { s, step, days } = sessionStream(5);
    days(0, 60);
    const before = range90(s, 60 * 24 + 21);
    step(60 * 24 + 11, 5000);
    days(60, 75);
    const after = range90(s, 74 * 24 + 21);
    expect(after.high - after.low).toBeLessThan(1.5 * (before.high - before.low));
  });

  it('three in a row on one side are a shift: every session ten times longer from day 60 is adopted within days', () => {
    // Winsorised and nothing more, each flagged reading would move the profile only to the flag
    // range's edge: such a stream was flagged at every reading for 20 days (44 flags in 70 days).
    const { s, days } = sessionStream(7);
    days(0, 60);
    const first = days(60, 63, 10);
    expect(first, 'the shift is flagged at first').toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(6);
    // Then at most the usual rate (2% of the 134 readings, three binomial standard errors above).
    const later = days(63, 130, 10);
    expect(later).toBeLessThanOrEqual(Math.ceil(134 * 0.02 + 3 * Math.sqrt(134 * 0.02 * 0.98)));
    const e = range90(s, 130 * 24 + 9);
    expect(e.low).toBeLessThan(10 * Math.exp(5));
    expect(e.high).toBeGreaterThan(10 * Math.exp(5));
  });

  it('an hourly sensor whose level jumps by 10 standard deviations is adopted on the day of the jump', () => {
    const rng = new Rng(3);
    const s = newBaselineState(sensor);
    const flagsOn = (from: number, to: number, shift: number) => {
      let flags = 0;
      for (let t = from * 24; t < to * 24; t++) flags += baselineStep(s, t, 20 + shift + normal(rng), 0.98, null).anomaly ? 1 : 0;
      return flags;
    };
    flagsOn(0, 60, 0);
    const day = flagsOn(60, 61, 10);
    expect(day).toBeGreaterThan(0);
    expect(day).toBeLessThanOrEqual(6);
    const later = flagsOn(61, 90, 10);
    expect(later).toBeLessThanOrEqual(Math.ceil(29 * 24 * 0.02 + 3 * Math.sqrt(29 * 24 * 0.02 * 0.98)));
    const e = range90(s, 90 * 24 + 9);
    expect(e.low).toBeLessThan(30);
    expect(e.high).toBeGreaterThan(30);
  });
});
