import { describe, expect, it } from 'vitest';
import { NEWCOMBE_TABLE_II } from '../../measure/stats/newcombe-table.js';
import { newcombeDifference } from '../../measure/stats/proportion-intervals.js';
import { Rng } from '../math/prng.js';
import { normalQuantile } from '../math/special.js';
import { type UpliftCalibrationPoint, upliftCalibrationReport, upliftDifference } from './uplift-calibration.js';

/** `x` of `n` rows with outcome 1, the rest 0. */
const rows = (n: number, x: number, o: { treated: boolean; predicted?: number; weight?: number }): UpliftCalibrationPoint[] =>
  Array.from({ length: n }, (_, i) => ({ predicted: o.predicted ?? 0, treated: o.treated, outcome: i < x ? 1 : 0, weight: o.weight ?? 1 }));

describe('calibration of predicted uplift on held-out rows', () => {
  // R. G. Newcombe, "Interval estimation for the difference between independent proportions:
  // comparison of eleven methods", Statistics in Medicine 17 (1998) 873–890, Table II, method 10
  // (hybrid score), 95%: x1/n1 − x2/n2, difference, lower, upper. Rows (e)–(h) are the zero-variance
  // cases: every outcome 0 (or 1) on a side. Method 1 (Wald) gives (a) [0.0575, 0.3425], (f) [0, 0].
  it.each(NEWCOMBE_TABLE_II)('gives treated − control with Newcombe\'s hybrid score interval: %i/%i − %i/%i → %f [%f, %f] (Newcombe 1998, Table II)', (x1, n1, x2, n2, d, lo, hi) => {
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    const got = upliftDifference([...rows(n1, x1, { treated: true }), ...rows(n2, x2, { treated: false })])!;
    expect(r4(got.observed)).toBe(d);
    expect([r4(got.interval.low), r4(got.interval.high)]).toEqual([lo, hi]);
    expect(got).toMatchObject({ effectiveTreated: n1, effectiveControl: n2 });
    // A constant weight per side (a uniform logger's 1/propensity) changes nothing: the means are
    // self-normalised and the Kish effective size (Σw)²/Σw² is the row count.
    const w = upliftDifference([...rows(n1, x1, { treated: true, weight: 3 }), ...rows(n2, x2, { treated: false, weight: 1 / 0.3 })])!;
    expect([r4(w.interval.low), r4(w.interval.high)]).toEqual([lo, hi]);
  });

  it('keeps small and all-zero bins\' intervals inside [−1, 1] and wider than a point (the QA report of 2026-12-06)', () => {
    // 0/2 treated against 0/4 control: Wald read [0, 0], a "miss" for any non-zero prediction. Wilson's
    // interval at 0 successes is [0, z²/(n + z²)] (Wilson, JASA 22 (1927) 209–212), so method 10 gives
    // [−z²/(4 + z²), z²/(2 + z²)] = [−0.4899, 0.6576].
    const zero = upliftDifference([...rows(2, 0, { treated: true }), ...rows(4, 0, { treated: false })])!;
    expect(zero.observed).toBe(0);
    expect(zero.interval.low).toBeCloseTo(-0.4899, 4);
    expect(zero.interval.high).toBeCloseTo(0.6576, 4);
    // 1/2 against 0/4: Wald 0.5 ± 1.96·√(¼/2) = [−0.1930, 1.1930], past the largest possible difference 1.
    // Wilson 1/2 = [0.0945, 0.9055]; method 10: 0.5 − √(0.4055² + 0.4899²), 0.5 + 0.4055.
    const half = upliftDifference([...rows(2, 1, { treated: true }), ...rows(4, 0, { treated: false })])!;
    expect(half.observed).toBe(0.5);
    expect(half.interval.low).toBeCloseTo(-0.1359, 4);
    expect(half.interval.high).toBeCloseTo(0.9055, 4);
    // Everything converted on one side, nothing on the other: the interval ends at 1, not beyond.
    const all = upliftDifference([...rows(3, 3, { treated: true }), ...rows(3, 0, { treated: false })])!;
    expect(all.interval.high).toBe(1);
    expect(all.interval.low).toBeGreaterThan(0);
  });

  it('takes each side\'s Wilson interval at its Kish effective size when the weights differ', () => {
    // Treated: 10 rows of weight 1 and 10 of weight 3, half of each converting: rate (5 + 15)/40 = ½,
    // effective size (10 + 30)²/(10 + 90) = 16 (Kish, Survey Sampling, 1965). Control: 16 rows, none
    // converting. So the interval is method 10's for 8/16 − 0/16 (src/measure/stats/proportion-intervals.ts).
    const pts = [
      ...rows(10, 5, { treated: true, weight: 1 }), ...rows(10, 5, { treated: true, weight: 3 }),
      ...rows(16, 0, { treated: false, weight: 2 }),
    ];
    const d = upliftDifference(pts)!;
    const ref = newcombeDifference(8, 16, 0, 16, normalQuantile(0.975));
    expect(d.effectiveTreated).toBeCloseTo(16, 12);
    expect(d.observed).toBeCloseTo(ref.estimate, 12);
    expect(d.interval.low).toBeCloseTo(ref.ci[0], 12);
    expect(d.interval.high).toBeCloseTo(ref.ci[1], 12);
    // One heavy row dominates: 20 treated rows, but (100 + 19)²/(100² + 19) = 1.41 effective ones.
    const heavy = upliftDifference([...rows(1, 1, { treated: true, weight: 100 }), ...rows(19, 0, { treated: true }), ...rows(20, 0, { treated: false })])!;
    expect(heavy.effectiveTreated).toBeCloseTo(119 ** 2 / 10_019, 12);
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
    // probability ≈ 0.95 (Newcombe's interval of the difference), so 10 bins miss about 0.5 times.
    const r = new Rng(3);
    const rng = () => r.float();
    const world = (scale: number) => Array.from({ length: 20_000 }, () => {
      const tau = 0.2 * rng();
      const treated = rng() < 0.5;
      return { predicted: tau * scale, treated, outcome: rng() < 0.1 + (treated ? tau : 0) ? 1 : 0, weight: 2 };
    });
    const good = upliftCalibrationReport(world(1));
    expect(good).toMatchObject({ n: 20_000, binsObserved: 10, binsJudged: 10, level: 0.95 });
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

  it('does not judge a bin with fewer than 10 effective treated or control rows, and says how many bins it judged', () => {
    // The QA report's bins: 2 treated and 4 control rows, none converting, predicted 0.05, read
    // "0.0000 [0.0000, 0.0000] misses" and counted as a miss. Now its interval is wide and it is "too few".
    const qa = upliftCalibrationReport([...rows(2, 0, { treated: true, predicted: 0.05 }), ...rows(4, 0, { treated: false, predicted: 0.05 })]);
    expect(qa.bins[0]).toMatchObject({ count: 6, treated: 2, control: 4, observed: 0, holds: null, verdict: 'too few' });
    expect(qa.bins[0].interval!.high - qa.bins[0].interval!.low).toBeGreaterThan(1);
    expect(qa).toMatchObject({ binsObserved: 1, binsJudged: 0, binsHolding: 0, minRows: 10 });
    // Two judged bins of 56/70 − 48/80 (Newcombe 1998, Table II (a): [0.0524, 0.3339]): predicted 0.2
    // holds, predicted 0.5 misses; one bin whose 20 treated rows are 1.41 effective ones is not judged.
    const pts = [
      ...rows(70, 56, { treated: true, predicted: 0.2 }), ...rows(80, 48, { treated: false, predicted: 0.2 }),
      ...rows(70, 56, { treated: true, predicted: 0.5 }), ...rows(80, 48, { treated: false, predicted: 0.5 }),
      ...rows(1, 1, { treated: true, predicted: 0.6, weight: 100 }), ...rows(19, 0, { treated: true, predicted: 0.6 }),
      ...rows(130, 13, { treated: false, predicted: 0.6 }),
    ];
    const r = upliftCalibrationReport(pts, { bins: 3 });
    expect(r.bins.map((b) => b.verdict)).toEqual(['holds', 'misses', 'too few']);
    expect(r.bins[2]).toMatchObject({ count: 150, treated: 20, control: 130, holds: null });
    expect(r).toMatchObject({ binsObserved: 3, binsJudged: 2, binsHolding: 1 });
    // With the bar lowered to 1 effective row the third bin is judged.
    expect(upliftCalibrationReport(pts, { bins: 3, minRows: 1 }).binsJudged).toBe(3);
  });

  it('keeps equal predictions in one bin, and says null where a bin has no control rows or there is nothing', () => {
    // An intercept-only model predicts one uplift for everyone: one bin.
    const one = upliftCalibrationReport([...rows(70, 56, { treated: true, predicted: 0.2 }), ...rows(80, 48, { treated: false, predicted: 0.2 })]);
    expect(one.bins).toHaveLength(1);
    expect(one.bins[0]).toMatchObject({ count: 150, treated: 70, control: 80, holds: true, verdict: 'holds' });
    expect(one.bins[0].meanPredicted).toBeCloseTo(0.2, 12);
    const onlyTreated = upliftCalibrationReport(rows(10, 5, { treated: true, predicted: 0.1 }));
    expect(onlyTreated.bins[0]).toMatchObject({ observed: null, interval: null, holds: null, verdict: null });
    expect(onlyTreated).toMatchObject({ binsObserved: 0, binsJudged: 0, meanAbsoluteGap: null, observed: null });
    expect(upliftCalibrationReport([])).toMatchObject({ n: 0, bins: [], meanPredicted: null, observed: null });
  });
});
