import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { circularBlockLength } from './block-length.js';
import { bootstrap, weightedMean } from './bootstrap.js';

/** x_t = φ·x_{t−1} + ε_t, ε ~ N(0, 1), started from its stationary distribution. */
function ar1(rng: Rng, n: number, phi: number): Float64Array {
  const xs = new Float64Array(n);
  let x = normal(rng) / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    x = phi * x + normal(rng);
    xs[i] = x;
  }
  return xs;
}

describe('circularBlockLength (Politis & White 2004, corrected by Patton, Politis & White 2009)', () => {
  it('is 1–2 for independent rows', () => {
    const rng = new Rng(1);
    for (let r = 0; r < 5; r++) expect(circularBlockLength(ar1(rng, 5000, 0))).toBeLessThanOrEqual(2);
  });

  it('matches the formula’s AR(1) value: b = (6φ²)^⅓ / (1 − φ²)^⅔ · n^⅓ ≈ 67 for φ = 0.8, n = 10,000', () => {
    // For an AR(1) with unit innovations, R(k) = φ^|k|/(1 − φ²), so G = 2φ/((1 − φ)²(1 − φ²)) and
    // g(0) = 1/(1 − φ)²; putting them in b = (2G²/D)^⅓ n^⅓ with D = (4/3)g(0)² gives the value above.
    const phi = 0.8;
    const n = 10_000;
    const theory = (Math.cbrt(6 * phi * phi) / Math.pow(1 - phi * phi, 2 / 3)) * Math.cbrt(n);
    expect(theory).toBeCloseTo(66.6, 0);
    const rng = new Rng(2);
    const picks = Array.from({ length: 8 }, () => circularBlockLength(ar1(rng, n, phi)));
    const mean = picks.reduce((a, b) => a + b, 0) / picks.length;
    // The estimator's own error is large in any one series; its mean over 8 is within 30%.
    expect(mean).toBeGreaterThan(0.7 * theory);
    expect(mean).toBeLessThan(1.3 * theory);
  });

  it('makes the bootstrap interval of a dependent mean honest where resampling rows alone is not', () => {
    // AR(1), φ = 0.8: the variance of the mean is (1 + φ)/(1 − φ) = 9 times what independent
    // rows would give, so row-by-row intervals are a third as wide as they should be and hold
    // the true mean (0) only about 2Φ(1.96/3) − 1 ≈ 49% of the time.
    const rng = new Rng(3);
    let rowsInside = 0;
    let blocksInside = 0;
    const reps = 150;
    for (let r = 0; r < reps; r++) {
      const xs = ar1(rng, 2000, 0.8);
      const stat = (w: Float64Array) => weightedMean(xs, w);
      const rows = bootstrap(xs.length, stat, { seed: r, reps: 200 });
      const blocks = bootstrap(xs.length, stat, { seed: r, reps: 200, block: circularBlockLength(xs) });
      if (rows.low <= 0 && 0 <= rows.high) rowsInside++;
      if (blocks.low <= 0 && 0 <= blocks.high) blocksInside++;
    }
    expect(rowsInside / reps).toBeLessThan(0.65);
    // 0.88 here: at n = 2,000 and this much dependence the block bootstrap still runs a little short (Lahiri 2003, ch. 3).
    expect(blocksInside / reps).toBeGreaterThan(0.83);
  });

  it('resamples exactly n rows per draw, in runs that wrap around', () => {
    const xs = Float64Array.from({ length: 10 }, (_, i) => i);
    let total = 0;
    bootstrap(10, (w) => {
      total = w.reduce((a, b) => a + b, 0);
      return weightedMean(xs, w);
    }, { seed: 4, reps: 3, block: 4 });
    expect(total).toBe(10);
    expect(() => bootstrap(4, () => 0, { block: 2, strata: [0, 0, 1, 1] })).toThrow(/cannot be combined/);
  });
});
