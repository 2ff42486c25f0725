import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { beta as betaDraw } from '../math/samplers.js';
import { reportIntervals, resamplesFor } from './report-intervals.js';

/** 500 subjects of 40 outcomes, true rates from Beta(2, 8); everyone predicted the population rate 0.2. */
function pooled() {
  const rng = new Rng(5);
  const outcome: number[] = [];
  const subject: number[] = [];
  for (let i = 0; i < 500; i++) {
    const p = betaDraw(rng, 2, 8);
    for (let n = 0; n < 40; n++) {
      outcome.push(rng.float() < p ? 1 : 0);
      subject.push(i);
    }
  }
  return { predicted: new Float64Array(outcome.length).fill(0.2), outcome: Float64Array.from(outcome), subject };
}

describe('95% intervals of a reliability report', () => {
  it('resamples whole subjects: the Brier interval has the width of Kish\'s design effect 1 + (m − 1)ρ, resampling rows would be 2.1× too narrow', () => {
    // With the constant prediction 0.2, Brier = 0.04 + 0.6·ȳ. Outcomes of one subject share its rate:
    // Var(ȳ) = (Var p + E[p(1 − p)]/m) / K = (0.014545 + 0.145455/40) / 500 (Beta(2, 8): Var p = 16/1100),
    // i.e. p̄q̄/N times the design effect 1 + 39 · 0.0909 = 4.55 (Kish, Survey Sampling, 1965).
    const halfWidth = 1.959964 * 0.6 * Math.sqrt((16 / 1100 + (0.2 - 16 / 1100 - 0.04) / 40) / 500); // 0.00709
    const rowsHalfWidth = 1.959964 * 0.6 * Math.sqrt(0.16 / 20_000); // 0.00333
    const { predicted, outcome, subject } = pooled();
    const bySubject = reportIntervals(predicted, outcome, { clusters: subject });
    expect((bySubject.brier.high - bySubject.brier.low) / 2).toBeGreaterThan(0.8 * halfWidth);
    expect((bySubject.brier.high - bySubject.brier.low) / 2).toBeLessThan(1.2 * halfWidth);
    const byRow = reportIntervals(predicted, outcome, {});
    expect([bySubject.groups, byRow.groups]).toEqual([500, 20_000]);
    expect((byRow.brier.high - byRow.brier.low) / 2).toBeGreaterThan(0.8 * rowsHalfWidth);
    expect((byRow.brier.high - byRow.brier.low) / 2).toBeLessThan(1.2 * rowsHalfWidth);
  });

  it('is seeded: the same predictions give the same intervals, and says how many resamples it drew', () => {
    const { predicted, outcome, subject } = pooled();
    const a = reportIntervals(predicted.subarray(0, 400), outcome.subarray(0, 400), { clusters: subject.slice(0, 400) });
    const b = reportIntervals(predicted.subarray(0, 400), outcome.subarray(0, 400), { clusters: subject.slice(0, 400) });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ level: 0.95, resamples: 1000, groups: 10 });
    expect(a.ece.low).toBeGreaterThanOrEqual(0);
  });

  it('draws fewer resamples on many predictions (a budget of 10 million rows, between 200 and 1,000)', () => {
    expect(resamplesFor(30)).toBe(1000);
    expect(resamplesFor(20_000)).toBe(500);
    expect(resamplesFor(50_000)).toBe(200);
    expect(resamplesFor(1_000_000)).toBe(200);
  });

  it('with no predictions has no intervals (NaN, null in JSON)', () => {
    const r = reportIntervals([], [], {});
    expect(r.resamples).toBe(0);
    expect(r.ece.low).toBeNaN();
    expect(r.brier.high).toBeNaN();
  });
});
