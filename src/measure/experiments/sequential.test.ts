import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sequentialProportionTest, sequentialTest } from './sequential.js';
import { welchTest } from './frequentist.js';
import { cupedAdjust } from './cuped.js';
import { summarizeMean, summarizeProportion, summarizeValues } from './summary.js';
import { createRng, randomNormal } from '../stats/prng.js';

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

// Source: GrowthBook gbstats, packages/stats/tests/frequentist/test_tests.py (TestSequentialTTest).
describe('sequential confidence sequence — GrowthBook gbstats expectations', () => {
  const a = summarizeMean(3000, 1396.87, 52377.9767);
  const b = summarizeMean(3461, 2422.7, 134698.29);

  it('means, tuning 1000: ci [-0.55844, 1.56516], sd 0.33341', () => {
    const r = sequentialTest(a, b, { tuning: 1000 })!;
    expect(r5(r.estimate)).toBe(0.50336);
    expect(r.ci.map(r5)).toEqual([-0.55844, 1.56516]);
    expect(r5(r.se)).toBe(0.33341);
  });

  it('proportions, default tuning 5000: ci [0.40098, 0.60675], p 0', () => {
    const r = sequentialTest(summarizeProportion(3000, 1396), summarizeProportion(3461, 2422))!;
    expect(r5(r.estimate)).toBe(0.50386);
    expect(r.ci.map(r5)).toEqual([0.40098, 0.60675]);
    expect(r5(r.se)).toBe(0.03386);
    expect(r5(r.pValue)).toBe(0);
  });

  it('regression-adjusted (CUPED, theta 0.5): ci [-0.43745, 1.44217], sd 0.3093', () => {
    const ra = cupedAdjust(
      { n: 3000, sumPost: 1396.87, sumSquaresPost: 52377.9767, sumPre: 16.87, sumSquaresPre: 527.9767, sumProducts: 12525 },
      0.5,
    );
    const rb = cupedAdjust(
      { n: 3461, sumPost: 2422.7, sumSquaresPost: 134698.29, sumPre: 22.7, sumSquaresPre: 1348.29, sumProducts: 3333 },
      0.5,
    );
    const r = sequentialTest(ra, rb)!;
    expect(r5(r.estimate)).toBe(0.50236);
    expect(r.ci.map(r5)).toEqual([-0.43745, 1.44217]);
    expect(r5(r.se)).toBe(0.3093);
  });

  it('is narrowest when tuned near the real sample size (gbstats test_sequential_test_tuning_as_expected)', () => {
    const width = (tuning: number) => {
      const r = sequentialTest(a, b, { tuning })!;
      return r.ci[1] - r.ci[0];
    };
    expect(width(10)).toBeGreaterThan(width(10_000));
    expect(width(10_000)).toBeGreaterThan(width(6461));
  });
});

describe('always-valid properties', () => {
  it('p < alpha exactly when 0 is outside the interval (duality, property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 5000 }), fc.integer({ min: 1, max: 49 }), fc.integer({ min: 1, max: 49 }), (n, ka, kb) => {
        const r = sequentialTest(summarizeProportion(n, Math.round((n * ka) / 50)), summarizeProportion(n, Math.round((n * kb) / 50)), { type: 'absolute' });
        if (!r) return;
        const excludesZero = r.ci[0] > 0 || r.ci[1] < 0;
        if (Math.abs(r.pValue - r.alpha) > 1e-9) expect(r.pValue < r.alpha).toBe(excludesZero);
      }),
    );
  });

  it('keeps the false-positive rate under alpha with 40 peeks, where the fixed-horizon test does not', () => {
    // A/A simulation, seeded: 300 experiments, a peek after every 50 units per arm.
    const rng = createRng(20240601);
    let fixedFalse = 0;
    let seqFalse = 0;
    for (let e = 0; e < 300; e++) {
      const xa: number[] = [];
      const xb: number[] = [];
      let fixedHit = false;
      let seqHit = false;
      for (let peek = 0; peek < 40; peek++) {
        for (let i = 0; i < 50; i++) {
          xa.push(randomNormal(rng));
          xb.push(randomNormal(rng));
        }
        const a = summarizeValues(xa);
        const b = summarizeValues(xb);
        if (welchTest(a, b, { type: 'absolute' })!.pValue < 0.05) fixedHit = true;
        if (sequentialTest(a, b, { type: 'absolute', tuning: 2000 })!.pValue < 0.05) seqHit = true;
      }
      if (fixedHit) fixedFalse++;
      if (seqHit) seqFalse++;
    }
    expect(fixedFalse / 300).toBeGreaterThan(0.15);
    expect(seqFalse / 300).toBeLessThanOrEqual(0.05);
  });
});

/**
 * The always-valid interval of a proportion read from its counts, with the Agresti–Caffo variance
 * (Agresti & Caffo, The American Statistician 54 (2000) 280–288): one success and one failure added
 * to each arm, p̃ = (x + 1)/(n + 2), Var(p̃_B − p̃_A) = Σ p̃(1 − p̃)/(n + 2); the estimate stays the
 * observed one. Written out here with eq. 9 and 161 of arXiv 2103.06476 (as in sequential.ts).
 */
function acInterval(na: number, xa: number, nb: number, xb: number, type: 'absolute' | 'relative', wald = false, alpha = 0.05, tuning = 5000) {
  const [pa, pb] = [xa / na, xb / nb];
  const [qa, qb] = wald ? [pa, pb] : [(xa + 1) / (na + 2), (xb + 1) / (nb + 2)];
  const [va, vb] = wald ? [(qa * (1 - qa)) / na, (qb * (1 - qb)) / nb] : [(qa * (1 - qa)) / (na + 2), (qb * (1 - qb)) / (nb + 2)];
  // Delta method for p_B/p_A − 1: Var ≈ Var(p_B)/p_A² + p_B²·Var(p_A)/p_A⁴.
  const [estimate, se] = type === 'absolute' ? [pb - pa, Math.sqrt(va + vb)] : [pb / pa - 1, Math.sqrt(vb / pa ** 2 + (pb ** 2 * va) / pa ** 4)];
  const l = -2 * Math.log(alpha);
  const rho2 = (l + Math.log(l + 1)) / tuning;
  const nr2 = (na + nb) * rho2;
  const half = se * Math.sqrt(((2 * (nr2 + 1)) / nr2) * Math.log(Math.sqrt(nr2 + 1) / alpha));
  return [estimate - half, estimate + half];
}

describe('always-valid interval of a proportion from its counts (sequentialProportionTest)', () => {
  it('3/200 against 0/200 is not zero-width (Wald: a lift of −1 ± 0)', () => {
    for (const type of ['absolute', 'relative'] as const) {
      const r = sequentialProportionTest({ n: 200, successes: 3 }, { n: 200, successes: 0 }, { type })!;
      const [lo, hi] = acInterval(200, 3, 200, 0, type);
      expect(r.ci[1] - r.ci[0]).toBeGreaterThan(0.01);
      expect(r.ci[0]).toBeCloseTo(lo, 12);
      expect(r.ci[1]).toBeCloseTo(hi, 12);
      // The old (Wald) interval of the lift had width 0 here.
      const [wlo, whi] = acInterval(200, 3, 200, 0, 'relative', true);
      expect(whi - wlo).toBe(0);
    }
  });

  it('at large counts (5,000/100,000 against 5,300/100,000) it is the old Wald-based interval within 1%', () => {
    for (const type of ['absolute', 'relative'] as const) {
      const r = sequentialProportionTest({ n: 100_000, successes: 5000 }, { n: 100_000, successes: 5300 }, { type })!;
      const old = sequentialTest(summarizeProportion(100_000, 5000), summarizeProportion(100_000, 5300), { type })!;
      const [wlo, whi] = acInterval(100_000, 5000, 100_000, 5300, type, true);
      expect(old.ci[0]).toBeCloseTo(wlo, 12);
      expect(old.ci[1]).toBeCloseTo(whi, 12);
      expect(Math.abs(r.ci[0] - wlo)).toBeLessThan(0.01 * Math.abs(wlo));
      expect(Math.abs(r.ci[1] - whi)).toBeLessThan(0.01 * Math.abs(whi));
      expect(Math.abs(r.ci[1] - r.ci[0] - (whi - wlo))).toBeLessThan(0.01 * (whi - wlo));
      expect(r.estimate).toBe(old.estimate);
    }
  });

  it('exists at 0/500 against 0/500 and 0/500 against 500/500 (absolute), and keeps p < alpha ⟺ 0 outside', () => {
    const none = sequentialProportionTest({ n: 500, successes: 0 }, { n: 500, successes: 0 }, { type: 'absolute' })!;
    expect(none.ci[0]).toBeLessThan(0);
    expect(none.ci[1]).toBeGreaterThan(0);
    expect(none.pValue).toBe(1);
    const all = sequentialProportionTest({ n: 500, successes: 0 }, { n: 500, successes: 500 }, { type: 'absolute' })!;
    const [lo, hi] = acInterval(500, 0, 500, 500, 'absolute');
    expect(all.ci[0]).toBeCloseTo(lo, 12);
    expect(all.ci[1]).toBeCloseTo(hi, 12);
    expect(all.pValue).toBeLessThan(0.05);
    // No relative lift over a control without conversions.
    expect(sequentialProportionTest({ n: 500, successes: 0 }, { n: 500, successes: 500 })).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.nat(), (na, nb, ka, kb) => {
        const r = sequentialProportionTest({ n: na, successes: ka % (na + 1) }, { n: nb, successes: kb % (nb + 1) }, { type: 'absolute' })!;
        expect(r.ci[1]).toBeGreaterThan(r.ci[0]);
        if (Math.abs(r.pValue - r.alpha) > 1e-9) expect(r.pValue < r.alpha).toBe(r.ci[0] > 0 || r.ci[1] < 0);
      }),
    );
  });
});
