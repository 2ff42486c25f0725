import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { baselineEstimate, checkReading, isBaselineEstablished } from './baseline-estimate.js';
import { issueForecast, observeReading } from './baseline-update.js';
import { createBaseline, hourOfDay, weekdayOf } from './metric-baseline.js';
import { poolFromSubjects, populationInterval } from './population.js';
import { conformalInterval, weightedQuantile } from './weighted-quantile.js';

const now = '2026-01-01T00:00:00.000Z';

/** A sensor-like stream: daily cycle + weekday effect + AR(1) noise (ρ = 0.7). */
function stream(days: number, seed: number): number[] {
  const rng = new Rng(seed);
  const out: number[] = [];
  let e = 0;
  for (let t = 0; t < days * 24; t++) {
    e = 0.7 * e + 3 * normal(rng);
    out.push(50 + 10 * Math.sin((2 * Math.PI * hourOfDay(t)) / 24) + (weekdayOf(t) >= 5 ? -6 : 0) + e);
  }
  return out;
}

describe('quantile helpers', () => {
  it('weighted quantile: the smallest value reaching the weight share', () => {
    expect(weightedQuantile([3, 1, 2], [1, 1, 1], 0.5)).toBe(2);
    expect(weightedQuantile([1, 2, 3], [0, 0, 1], 0.1)).toBe(3);
  });

  it('split-conformal interval covers a new exchangeable value with probability 1 − 2k/(n+1) = 0.9 for n = 99', () => {
    const rng = new Rng(1);
    let inside = 0;
    const reps = 20_000;
    for (let r = 0; r < reps; r++) {
      const xs = Array.from({ length: 99 }, () => rng.float());
      const [lo, hi] = conformalInterval(xs, 0.9);
      const y = rng.float();
      if (y >= lo && y <= hi) inside++;
    }
    expect(Math.abs(inside / reps - 0.9)).toBeLessThan(5 * Math.sqrt(0.09 / reps));
    expect(conformalInterval([1, 2, 3], 0.9)).toEqual([-Infinity, Infinity]);
  });
});

describe('metric baseline', () => {
  it('learns, then establishes, with calibrated and narrower-than-population day-ahead intervals', () => {
    const ys = stream(70, 2);
    const s = createBaseline();
    let firstEstablished: number | null = null;
    let inside = 0;
    let total = 0;
    let widthPersonal = 0;
    let widthPopulation = 0;
    for (let day = 0; day < 70; day++) {
      if (s.readings > 0) issueForecast(s, day * 24);
      const [pl, ph] = populationInterval(s.population, 0.9);
      for (let h = 0; h < 24; h++) {
        const t = day * 24 + h;
        if (s.readings === 0) continue;
        const e = baselineEstimate(s, t, now);
        expect(e.level).toBe(0.9);
        if (e.status === 'established') {
          firstEstablished ??= day;
          expect(e.source).toBe('personal');
          if (day >= 21) {
            total++;
            if (ys[t] >= e.low && ys[t] <= e.high) inside++;
            widthPersonal += e.high - e.low;
            widthPopulation += ph - pl;
          }
        } else expect(e.source).toBe('population');
      }
      for (let h = 0; h < 24; h++) observeReading(s, day * 24 + h, ys[day * 24 + h]);
    }
    expect(firstEstablished).toBeGreaterThanOrEqual(s.config.minDays);
    expect(firstEstablished).toBeLessThan(21);
    expect(inside / total).toBeGreaterThan(0.85);
    expect(inside / total).toBeLessThan(0.95);
    expect(widthPersonal / widthPopulation).toBeLessThan(0.8);
    expect(JSON.parse(JSON.stringify(s)).scores.length).toBe(5);
  });

  it('raises no anomaly while learning, and flags a wild reading once established', () => {
    const ys = stream(30, 3);
    const s = createBaseline();
    observeReading(s, 0, ys[0]);
    const early = checkReading(s, 1, 500, now);
    expect(early).toMatchObject({ anomaly: false, reason: 'learning' });
    for (let day = 0; day < 30; day++) {
      issueForecast(s, day * 24);
      for (let h = 0; h < 24; h++) if (day * 24 + h > 0) observeReading(s, day * 24 + h, ys[day * 24 + h]);
    }
    expect(isBaselineEstablished(s)).toBe(true);
    issueForecast(s, 30 * 24);
    expect(checkReading(s, 30 * 24 + 5, 500, now)).toMatchObject({ anomaly: true, reason: 'outside-range' });
    const usual = baselineEstimate(s, 30 * 24 + 5, now).value;
    expect(checkReading(s, 30 * 24 + 5, usual, now).anomaly).toBe(false);
  });

  it('numbers hours and weekdays of local time (Monday = 0)', () => {
    const monday9 = Date.UTC(2026, 10, 23, 9) / 3_600_000; // 2026-11-23 was a Monday
    expect(hourOfDay(monday9)).toBe(9);
    expect(weekdayOf(monday9)).toBe(0);
    expect(weekdayOf(monday9 + 6 * 24)).toBe(6);
  });

  it('pools a population from other subjects', () => {
    const pool = poolFromSubjects([[1, 2, 3], [4, 5]], 4);
    expect(pool.values).toEqual([2, 3, 4, 5]);
  });
});
