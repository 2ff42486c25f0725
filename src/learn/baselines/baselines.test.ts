import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { baselineEstimate, checkReading, isBaselineEstablished } from './baseline-estimate.js';
import { issueForecast, observeReading } from './baseline-update.js';
import { createBaseline, hourOfDay, weekdayOf } from './metric-baseline.js';
import { poolFromSubjects, populationInterval } from './population.js';
import { conformalInterval, weightedConformalBounded, weightedConformalInterval } from './weighted-quantile.js';

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
  it('weighted conformal interval: the test point takes the newest weight, and each tail leaves out (1 − level)/2 of the mass with it (Barber et al. 2023)', () => {
    const xs = Array.from({ length: 19 }, (_, i) => i + 1);
    // Equal weights: (19 + 1) · 0.05 = 1 — only the test point fits in a tail, as in conformalInterval.
    expect(weightedConformalInterval(xs, new Array<number>(19).fill(1), 0.9)).toEqual([1, 19]);
    // Older scores at half weight: 10 · 0.5 + 9 + 1 = 15 < 20, the test point alone overfills a tail.
    const halved = xs.map((_, i) => (i < 10 ? 0.5 : 1));
    expect(weightedConformalInterval(xs, halved, 0.9)).toEqual([-Infinity, Infinity]);
    expect(weightedConformalBounded(halved, 0.9)).toBe(false);
    // 39 equal scores: 40 · 0.05 = 2 — the test point and one score per side.
    expect(weightedConformalInterval(Array.from({ length: 39 }, (_, i) => i + 1), new Array<number>(39).fill(1), 0.9)).toEqual([2, 38]);
    // Zero-weight scores cost nothing to leave out.
    expect(weightedConformalInterval([0, ...xs, 100], [0, ...new Array<number>(19).fill(1), 0], 0.9)).toEqual([1, 19]);
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
    const ys = stream(40, 3);
    const s = createBaseline();
    observeReading(s, 0, ys[0]);
    const early = checkReading(s, 1, 500, now);
    expect(early).toMatchObject({ anomaly: false, reason: 'learning' });
    for (let day = 0; day < 40; day++) {
      issueForecast(s, day * 24);
      for (let h = 0; h < 24; h++) if (day * 24 + h > 0) observeReading(s, day * 24 + h, ys[day * 24 + h]);
      if (day === 15) {
        // Established, but the 1–2 h bucket (two scores a day) holds fewer than 49 scores: the
        // least conformal p-value 1/(n + 1) is above α = 0.02 (Vovk et al. 2005), so 01:00 (2 h
        // ahead) cannot be flagged yet and its range is unbounded; 15:00 (16 h ahead) can.
        issueForecast(s, 16 * 24);
        expect(isBaselineEstablished(s)).toBe(true);
        expect(s.scores[0].length).toBeLessThan(49);
        expect(checkReading(s, 16 * 24 + 1, 500, now)).toMatchObject({ anomaly: false, reason: 'within-range', estimate: { status: 'established', level: 0.98, low: -Infinity, high: Infinity } });
        expect(checkReading(s, 16 * 24 + 15, 500, now)).toMatchObject({ anomaly: true, reason: 'outside-range' });
      }
    }
    expect(isBaselineEstablished(s)).toBe(true);
    issueForecast(s, 40 * 24);
    // 15:00 is 16 h ahead of the forecast: the 13–24 h bucket (12 scores a day).
    expect(checkReading(s, 40 * 24 + 15, 500, now)).toMatchObject({ anomaly: true, reason: 'outside-range' });
    const usual = baselineEstimate(s, 40 * 24 + 15, now).value;
    expect(checkReading(s, 40 * 24 + 15, usual, now).anomaly).toBe(false);
    // 01:00 and 05:00 are 2 h and 6 h ahead: their buckets now hold 49 scores or more past the first
    // week (two a day for 33 days in the 1–2 h one), so they flag too — the range shown with the
    // verdict is ŷ ± s·R, symmetric about the forecast.
    expect(s.scores[0].filter((x) => x[0] >= 7 * 24).length).toBeGreaterThanOrEqual(49);
    for (const t of [40 * 24 + 1, 40 * 24 + 5]) {
      const v = checkReading(s, t, 500, now);
      expect(v).toMatchObject({ anomaly: true, reason: 'outside-range', estimate: { status: 'established', source: 'personal', level: 0.98 } });
      expect(v.estimate.high - v.estimate.value).toBeCloseTo(v.estimate.value - v.estimate.low, 6);
      expect(checkReading(s, t, v.estimate.high, now).anomaly).toBe(false);
      expect(checkReading(s, t, v.estimate.high + 1e-6 * Math.abs(v.estimate.high), now).anomaly).toBe(true);
    }
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
