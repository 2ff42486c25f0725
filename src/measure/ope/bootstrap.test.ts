import { describe, expect, it } from 'vitest';
import { bcaLevels, bootstrapIntervals, bootstrapJointIntervals } from './bootstrap.js';
import { estimate, estimateAll, influence, opeTerms } from './estimators.js';
import { createRng } from '../stats/prng.js';

describe('BCa levels (Efron & Tibshirani, An Introduction to the Bootstrap (1993), eq. 14.10, 14.14, 14.15)', () => {
  it('reduce to the percentile levels without bias or skew (z₀ = 0, a = 0)', () => {
    const draws = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    const [lo, hi] = bcaLevels(draws, 0.95, { estimate: 500.5, influence: [-1, 1] });
    expect(lo).toBeCloseTo(0.025, 12);
    expect(hi).toBeCloseTo(0.975, 12);
  });

  it('shift by the bias correction and the acceleration, as worked with scipy.stats.norm', () => {
    // 400 of 1,000 replicates below the estimate: z₀ = Φ⁻¹(0.4) = −0.2533471; influence (−1, −1, 2):
    // a = ΣU³/(6(ΣU²)^{3/2}) = 6/(6·6^{1.5}) = 0.0680414; α = Φ(z₀ + (z₀ + z)/(1 − a(z₀ + z))), z = ±1.959964:
    // 0.0147415, 0.9532755 (scipy 1.17.1).
    const draws = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    const [lo, hi] = bcaLevels(draws, 0.95, { estimate: 400.5, influence: [-1, -1, 2] });
    expect(lo).toBeCloseTo(0.014741505248199456, 10);
    expect(hi).toBeCloseTo(0.9532755082052238, 10);
  });

  it('an interval asked for with BCa says so; one without stays percentile', () => {
    const t = opeTerms({ reward: [1, 0, 0, 1, 0, 0, 0, 1], loggedPropensity: new Array(8).fill(0.5), targetProbability: [1, 0, 1, 1, 0, 1, 0, 1] });
    const stats = { ips: (idx: Int32Array) => estimate(t, 'ips', idx) };
    expect(bootstrapIntervals(t.n, stats, { seed: 1, replicates: 200 }).ips.method).toBe('percentile');
    expect(bootstrapIntervals(t.n, stats, { seed: 1, replicates: 200, bca: { ips: { estimate: estimate(t, 'ips'), influence: influence(t, 'ips')! } } }).ips.method).toBe('bca');
  });
});

describe('influence values', () => {
  it('are exact jackknife differences for IPS, a mean: (n − 1)(V − V₍ᵢ₎) = w_i·r_i − V', () => {
    // Four rows, weights 2, 0, 2, 1 (target/logged), rewards 1, 1, 0, 3: V = (2 + 0 + 0 + 3)/4 = 1.25.
    const t = opeTerms({ reward: [1, 1, 0, 3], loggedPropensity: [0.5, 0.5, 0.5, 1], targetProbability: [1, 0, 1, 1] });
    expect([...influence(t, 'ips')!]).toEqual([0.75, -1.25, -1.25, 1.75]);
    for (let i = 0; i < 4; i++) {
      const rest = Int32Array.from([0, 1, 2, 3].filter((j) => j !== i));
      expect(3 * (estimate(t, 'ips') - estimate(t, 'ips', rest))).toBeCloseTo(influence(t, 'ips')![i], 12);
    }
  });

  it('of SNIPS approach the jackknife as n grows (a ratio: its first-order term)', () => {
    // SNIPS = Σw·r/Σw; U_i = w_i(r_i − V)/w̄. With 2,000 rows the jackknife's (n − 1)(V − V₍ᵢ₎) is within 1% of U_i.
    const n = 2000;
    const reward = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const targetProbability = Array.from({ length: n }, (_, i) => [0.9, 0.1, 0.5][i % 3]);
    const t = opeTerms({ reward, loggedPropensity: new Array(n).fill(0.5), targetProbability });
    const u = influence(t, 'snips')!;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (const i of [0, 1, 7, 14]) {
      const rest = all.filter((j) => j !== i);
      expect((n - 1) * (estimate(t, 'snips') - estimate(t, 'snips', rest))).toBeCloseTo(u[i], 2);
    }
  });
});

describe('replicates that are not finite', () => {
  it('are counted, not dropped silently: SNIPS on a resample without the one weighted row is 0/0', () => {
    // Five rows, one with a weight (row 0). A resample of 5 with replacement misses row 0 with probability
    // (4/5)^5 = 0.32768 (binomial: sd of the share over 4,000 resamples √(0.32768·0.67232/4000) = 0.00742).
    const t = opeTerms({ reward: [1, 0, 1, 0, 1], loggedPropensity: new Array(5).fill(0.5), targetProbability: [0.5, 0, 0, 0, 0] });
    const b = bootstrapIntervals(t.n, { snips: (idx: Int32Array) => estimate(t, 'snips', idx), ips: (idx: Int32Array) => estimate(t, 'ips', idx) }, { seed: 3, replicates: 4000, keepDraws: true });
    const nonFinite = Array.from(b.snips.draws!).filter((x) => !Number.isFinite(x)).length;
    expect(b.snips.dropped).toBe(nonFinite);
    expect(Math.abs(b.snips.dropped / 4000 - 0.32768)).toBeLessThan(4 * 0.00742);
    expect(b.ips.dropped).toBe(0);
  });
});

describe('estimators on a resample, together', () => {
  // A log with a reward model: 3 actions, uniform logging, a target that prefers action 2.
  const n = 400;
  const k = 3;
  const rng = createRng(5);
  const action = Array.from({ length: n }, () => Math.floor(rng() * k));
  const data = {
    reward: action.map((a) => (rng() < 0.1 + 0.1 * a ? 1 : 0)),
    loggedPropensity: action.map(() => 1 / k),
    targetProbability: action.map((a) => (a === 2 ? 0.8 : 0.1)),
    action,
    nActions: k,
    targetDistribution: action.flatMap(() => [0.1, 0.1, 0.8]),
    rewardPrediction: action.flatMap(() => [0.1, 0.2, 0.3]),
  };
  const names = ['ips', 'snips', 'dm', 'dr', 'sndr'] as const;

  it('gives each estimator the same value to the last bit as estimating it alone, with or without a reward model', () => {
    const out = new Float64Array(names.length);
    for (const terms of [opeTerms(data), opeTerms({ reward: data.reward, loggedPropensity: data.loggedPropensity, targetProbability: data.targetProbability })]) {
      for (let r = 0; r < 20; r++) {
        const idx = Int32Array.from({ length: n }, () => Math.floor(rng() * n));
        estimateAll(terms, names, idx, out);
        expect(Array.from(out)).toEqual(names.map((name) => estimate(terms, name, idx)));
      }
      estimateAll(terms, names, new Int32Array(0), out);
      expect(Array.from(out).every(Number.isNaN)).toBe(true);
    }
  });

  it('draws the same resamples as one statistic at a time: the same intervals for the same seed', () => {
    const terms = opeTerms(data);
    const apart = bootstrapIntervals(n, Object.fromEntries(names.map((name) => [name, (idx: Int32Array) => estimate(terms, name, idx)])) as Record<(typeof names)[number], (idx: Int32Array) => number>, { seed: 3, replicates: 200, keepDraws: true });
    const together = bootstrapJointIntervals(n, names, (idx, out) => estimateAll(terms, names, idx, out), { seed: 3, replicates: 200, keepDraws: true });
    for (const name of names) {
      expect(together[name].ci).toEqual(apart[name].ci);
      expect(Array.from(together[name].draws!)).toEqual(Array.from(apart[name].draws!));
    }
  });
});
