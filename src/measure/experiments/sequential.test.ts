import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sequentialTest } from './sequential.js';
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
