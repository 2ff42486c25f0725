import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { type UpliftCalibrationPoint, upliftCalibrationReport, upliftDifference } from './uplift-calibration.js';

/** `x` of `n` rows with outcome 1, the rest 0. */
const rows = (n: number, x: number, o: { treated: boolean; predicted?: number; weight?: number }): UpliftCalibrationPoint[] =>
  Array.from({ length: n }, (_, i) => ({ predicted: o.predicted ?? 0, treated: o.treated, outcome: i < x ? 1 : 0, weight: o.weight ?? 1 }));

describe('calibration of predicted uplift on held-out rows', () => {
  it('gives treated − control with the Wald interval when the weights are equal', () => {
    // Newcombe 1998 (Statistics in Medicine 17:873–890), Table II, example (a): 56/70 against 48/80,
    // difference 0.2, method 1 (Wald) 95% interval [0.0575, 0.3425].
    const d = upliftDifference([...rows(70, 56, { treated: true }), ...rows(80, 48, { treated: false })]);
    expect(d!.observed).toBeCloseTo(0.2, 12);
    expect(d!.interval.low).toBeCloseTo(0.0575, 4);
    expect(d!.interval.high).toBeCloseTo(0.3425, 4);
    // A constant weight per side (a uniform logger's 1/propensity) changes nothing: the means are self-normalised.
    const w = upliftDifference([...rows(70, 56, { treated: true, weight: 3 }), ...rows(80, 48, { treated: false, weight: 1.5 })]);
    expect(w!.observed).toBeCloseTo(0.2, 12);
    expect(w!.interval.low).toBeCloseTo(0.0575, 4);
    // No control rows: nothing to compare with.
    expect(upliftDifference(rows(70, 56, { treated: true }))).toBeNull();
  });

  it('weighs rows by 1/propensity, so a logger that treated the likely converters more does not inflate the uplift', () => {
    // Two kinds of subject, equally common: A converts 0.6 treated and 0.5 untreated, B 0.2 and 0.1;
    // the true uplift is 0.1 in both. The logger treats A with 0.8, B with 0.2. Unweighted, treated
    // rows are mostly A: (80·0.6 + 20·0.2)/100 − (20·0.5 + 80·0.1)/100 = 0.52 − 0.18 = 0.34.
    // Weighted by 1/propensity (Horvitz & Thompson 1952; Hájek's ratio form) each side describes
    // everyone: (0.6 + 0.2)/2 − (0.5 + 0.1)/2 = 0.1.
    const pts = [
      ...rows(80, 48, { treated: true, weight: 1 / 0.8 }), ...rows(20, 4, { treated: true, weight: 1 / 0.2 }),
      ...rows(20, 10, { treated: false, weight: 1 / 0.2 }), ...rows(80, 8, { treated: false, weight: 1 / 0.8 }),
    ];
    expect(upliftDifference(pts)!.observed).toBeCloseTo(0.1, 12);
    expect(upliftDifference(pts.map((p) => ({ ...p, weight: 1 })))!.observed).toBeCloseTo(0.34, 12);
  });

  it('bins rows by predicted uplift: a calibrated model\'s bins hold their prediction, an overstated one\'s do not', () => {
    // 20,000 rows, predicted uplift τ spread over 0–0.2, control rate 0.1, treated with ½. When the
    // outcome follows the prediction, each bin's 95% interval holds its mean predicted uplift with
    // probability ≈ 0.95 (the normal interval of the difference), so 10 bins miss about 0.5 times.
    const r = new Rng(3);
    const rng = () => r.float();
    const world = (scale: number) => Array.from({ length: 20_000 }, () => {
      const tau = 0.2 * rng();
      const treated = rng() < 0.5;
      return { predicted: tau * scale, treated, outcome: rng() < 0.1 + (treated ? tau : 0) ? 1 : 0, weight: 2 };
    });
    const good = upliftCalibrationReport(world(1));
    expect(good).toMatchObject({ n: 20_000, binsObserved: 10, level: 0.95 });
    expect(good.bins).toHaveLength(10);
    expect(good.bins.every((b) => b.count === 2000)).toBe(true);
    expect(good.binsHolding).toBeGreaterThanOrEqual(8);
    expect(good.meanAbsoluteGap!).toBeLessThan(0.02);
    // Overall: mean predicted 0.1, observed within its interval.
    expect(good.interval!.low).toBeLessThan(good.meanPredicted!);
    expect(good.interval!.high).toBeGreaterThan(good.meanPredicted!);
    // A model predicting twice the true uplift: the upper bins' intervals fall well short of it.
    const over = upliftCalibrationReport(world(2));
    expect(over.binsHolding).toBeLessThanOrEqual(4);
    expect(over.meanAbsoluteGap!).toBeGreaterThan(0.08);
  });

  it('keeps equal predictions in one bin, and says null where a bin has no control rows or there is nothing', () => {
    // An intercept-only model predicts one uplift for everyone: one bin.
    const one = upliftCalibrationReport([...rows(70, 56, { treated: true, predicted: 0.2 }), ...rows(80, 48, { treated: false, predicted: 0.2 })]);
    expect(one.bins).toHaveLength(1);
    expect(one.bins[0]).toMatchObject({ count: 150, treated: 70, control: 80, holds: true });
    expect(one.bins[0].meanPredicted).toBeCloseTo(0.2, 12);
    const onlyTreated = upliftCalibrationReport(rows(10, 5, { treated: true, predicted: 0.1 }));
    expect(onlyTreated.bins[0]).toMatchObject({ observed: null, interval: null, holds: null });
    expect(onlyTreated).toMatchObject({ binsObserved: 0, meanAbsoluteGap: null, observed: null });
    expect(upliftCalibrationReport([])).toMatchObject({ n: 0, bins: [], meanPredicted: null, observed: null });
  });
});
