import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { bootstrap, bootstrapMany, quantileSorted, weightedMean } from './bootstrap.js';

describe('bootstrap', () => {
  it('quantiles follow R’s type 7: quantile(1:4, .5) = 2.5, quantile(1:10, .1) = 1.9', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1)).toBeCloseTo(1.9, 14);
  });

  it('the 95% interval of a mean covers the truth about 95% of the time (200 simulated samples)', () => {
    const rng = new Rng(3);
    let inside = 0;
    for (let r = 0; r < 200; r++) {
      const xs = Array.from({ length: 80 }, () => 2 + normal(rng));
      const ci = bootstrap(xs.length, (w) => weightedMean(xs, w), { seed: r, reps: 400 });
      if (ci.low <= 2 && 2 <= ci.high) inside++;
    }
    expect(inside / 200).toBeGreaterThan(0.88);
    expect(inside / 200).toBeLessThan(0.99);
  });

  it('is reproducible from its seed, degenerate for a constant, and paired across statistics', () => {
    const xs = [1, 4, 2, 8, 5, 7];
    expect(bootstrap(6, (w) => weightedMean(xs, w), { seed: 1 })).toEqual(bootstrap(6, (w) => weightedMean(xs, w), { seed: 1 }));
    expect(bootstrap(3, (w) => weightedMean([3, 3, 3], w))).toEqual({ value: 3, low: 3, high: 3 });
    const [a, diff] = bootstrapMany(6, (w) => [weightedMean(xs, w), weightedMean(xs, w) - weightedMean(xs, w)], { seed: 2 });
    expect(a.value).toBeCloseTo(4.5, 14);
    expect(diff).toEqual({ value: 0, low: 0, high: 0 });
  });

  it('resamples within strata when asked', () => {
    const xs = [0, 0, 0, 10, 10, 10];
    const ci = bootstrap(6, (w) => weightedMean(xs, w), { seed: 3, strata: [0, 0, 0, 1, 1, 1] });
    expect(ci.low).toBe(5);
    expect(ci.high).toBe(5);
  });

  it('resamples whole clusters when rows share an unobserved effect (design effect 1 + (m − 1)ρ, Kish 1965)', () => {
    // 20 clusters of 100 rows, x = u_c + e with u_c, e ~ N(0, 1): ρ = ½, so the variance of the
    // mean is 1 + 99·½ ≈ 50 times what independent rows would give. Resampling rows covers the
    // true mean (0) rarely; resampling clusters nearly as often as it says (a little short with
    // only 20 clusters: Cameron, Gelbach & Miller 2008).
    const rng = new Rng(5);
    const clusters = Array.from({ length: 2000 }, (_, i) => Math.floor(i / 100));
    let rowsInside = 0;
    let clustersInside = 0;
    const reps = 100;
    for (let r = 0; r < reps; r++) {
      const u = Array.from({ length: 20 }, () => normal(rng));
      const xs = clusters.map((c) => u[c] + normal(rng));
      const stat = (w: Float64Array) => weightedMean(xs, w);
      const byRow = bootstrap(xs.length, stat, { seed: r, reps: 200 });
      const byCluster = bootstrap(xs.length, stat, { seed: r, reps: 200, clusters });
      if (byRow.low <= 0 && 0 <= byRow.high) rowsInside++;
      if (byCluster.low <= 0 && 0 <= byCluster.high) clustersInside++;
    }
    expect(rowsInside / reps).toBeLessThan(0.4);
    expect(clustersInside / reps).toBeGreaterThan(0.85);
  });
});
