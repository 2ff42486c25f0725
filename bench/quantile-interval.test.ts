import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialQuantile, intervalJson, quantileInterval } from './quantile-interval.js';

/*
 * Reference: SciPy 1.17.1,
 *   python3 -c "from scipy.stats import binom
 *   for n, q in ((100, .99), (500, .99), (1000, .99), (6000, .99), (100, .5), (6000, .5)):
 *     print(n, q, int(binom.ppf(0.025, n, q)), int(binom.ppf(0.975, n, q)) + 1)"
 * printed l and u (1-based ranks of the interval's ends; u > n: no upper end):
 *   100 0.99 97 101 · 500 0.99 490 500 · 1000 0.99 983 997 · 6000 0.99 5924 5956 · 100 0.5 40 61 · 6000 0.5 2924 3077
 * and binom.cdf(99, 100, 0.99) = 0.6339676587267709 (1 − 0.99¹⁰⁰).
 */
const ranks: [n: number, q: number, l: number, u: number][] = [
  [100, 0.99, 97, 101], [500, 0.99, 490, 500], [1000, 0.99, 983, 997], [6000, 0.99, 5924, 5956], [100, 0.5, 40, 61], [6000, 0.5, 2924, 3077],
];

describe('a quantile\'s distribution-free confidence interval (order statistics)', () => {
  it('takes the ranks SciPy\'s binomial quantiles give', () => {
    expect(binomialCdf(99, 100, 0.99)).toBeCloseTo(0.6339676587267709, 12);
    for (const [n, q, l, u] of ranks) {
      expect([binomialQuantile(0.025, n, q), binomialQuantile(0.975, n, q) + 1], `n = ${n}, q = ${q}`).toEqual([l, u]);
      // On the sample 1, 2, …, n the ends are the ranks themselves.
      const sample = Array.from({ length: n }, (_, i) => i + 1);
      const i = quantileInterval(sample, q);
      expect([i.low, i.high]).toEqual([l, u <= n ? u : Infinity]);
    }
  });

  it('says when the sample cannot bound the quantile from above: 100 draws and a p99', () => {
    const i = quantileInterval(Array.from({ length: 100 }, (_, k) => k / 10), 0.99);
    expect(intervalJson(i)).toEqual([9.6, null]);
    expect(quantileInterval([], 0.99)).toEqual({ low: -Infinity, high: Infinity });
  });

  it('holds the true p99 of an exponential at least 95% of the time (1,000 seeded samples of 2,000)', () => {
    // Exponential(1): the p99 is ln 100. An LCG (Numerical Recipes' constants) for the draws.
    let s = 12345;
    const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const truth = Math.log(100);
    let held = 0;
    for (let r = 0; r < 1000; r++) {
      const xs = Array.from({ length: 2000 }, () => -Math.log(u())).sort((a, b) => a - b);
      const i = quantileInterval(xs, 0.99);
      if (i.low <= truth && truth <= i.high) held++;
    }
    // Exact coverage at n = 2,000 is ≥ 0.95; 1,000 replications: sd ≈ 0.007, so ≥ 0.93 at 3 sd.
    expect(held / 1000).toBeGreaterThanOrEqual(0.93);
  });
});
