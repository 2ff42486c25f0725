import { describe, expect, it } from 'vitest';
import { Rng } from './prng.js';
import { beta, categorical, dirichlet, gamma, normal } from './samplers.js';

const moments = (draw: () => number, n: number) => {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
};

describe('samplers (moments within 5 standard errors of the closed forms)', () => {
  const n = 100_000;
  it('normal: mean 0, variance 1', () => {
    const rng = new Rng(11);
    const m = moments(() => normal(rng), n);
    expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('gamma(k): mean k and variance k, for k = 0.5 (boosted branch) and k = 3', () => {
    for (const k of [0.5, 3]) {
      const rng = new Rng(12);
      const m = moments(() => gamma(rng, k), n);
      expect(Math.abs(m.mean - k)).toBeLessThan(5 * Math.sqrt(k / n));
      expect(Math.abs(m.variance - k) / k).toBeLessThan(0.05);
    }
    expect(() => gamma(new Rng(1), 0)).toThrow(RangeError);
  });

  it('beta(2, 8): mean 0.2, variance ab/((a+b)²(a+b+1)) = 16/1100', () => {
    const rng = new Rng(13);
    const m = moments(() => beta(rng, 2, 8), n);
    expect(Math.abs(m.mean - 0.2)).toBeLessThan(5 * Math.sqrt(16 / 1100 / n));
    expect(Math.abs(m.variance - 16 / 1100) / (16 / 1100)).toBeLessThan(0.05);
  });

  it('dirichlet sums to 1 with component means α_i/Σα', () => {
    const rng = new Rng(14);
    const acc = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = dirichlet(rng, [1, 2, 7]);
      expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      x.forEach((v, j) => (acc[j] += v / 20_000));
    }
    expect(acc[0]).toBeCloseTo(0.1, 2);
    expect(acc[2]).toBeCloseTo(0.7, 2);
  });

  it('categorical picks proportionally to weights and never a zero weight', () => {
    const rng = new Rng(15);
    const counts = [0, 0, 0];
    for (let i = 0; i < 50_000; i++) counts[categorical(rng, [0.2, 0, 0.8])]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / 50_000).toBeCloseTo(0.8, 2);
  });
});
