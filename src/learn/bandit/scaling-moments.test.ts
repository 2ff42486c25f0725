import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { type FeatureScaling, copyScaling, fitScaling, identityScaling, mergeScaling, observeContext } from './scaling.js';

/**
 * A long run of one feature with a large mean and a small spread: a time in seconds since 1970
 * (≈ 1.7·10⁹) spread uniformly over four hours, on a grid of 1/64 s so that every value is a double
 * exactly. The reference mean and variance are computed exactly in integer arithmetic (BigInt sums
 * of 64·x and (64·x)²), then rounded once to a double.
 */
function stream(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => 1_700_000_000 + rng.int(4 * 3600 * 64) / 64);
}

function exactMoments(xs: number[]): { mean: number; variance: number } {
  let s1 = 0n;
  let s2 = 0n;
  for (const x of xs) {
    const k = BigInt(x * 64); // exact: x is on the 1/64 grid
    s1 += k;
    s2 += k * k;
  }
  const n = BigInt(xs.length);
  const SHIFT = 60n; // keeps 60 fractional bits before the one rounding to a double
  const mean = Number((s1 << SHIFT) / n) / 2 ** 60 / 64;
  const variance = Number(((n * s2 - s1 * s1) << SHIFT) / (n * n)) / 2 ** 60 / 4096;
  return { mean, variance };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('the scaling\'s running moments over a long run', () => {
  const xs = stream(300_000, 11);
  const exact = exactMoments(xs);

  it('the naive sums (Σx, Σx², as kept until 2026-12-04) drift far from the exact variance', () => {
    // The old computation, kept here to show what the stable update replaces: sd from Σx²/n − mean².
    let sum = 0;
    let sumSq = 0;
    for (const x of xs) {
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / xs.length;
    const naiveVariance = Math.max(0, sumSq / xs.length - mean * mean);
    expect(relative(naiveVariance, exact.variance)).toBeGreaterThan(1e-3); // 6·10⁻³ with this seed
    // the reference itself, on numbers whose moments are known: 1, 2, 3, 4 have mean 2.5, population variance 1.25
    expect(exactMoments([1, 2, 3, 4])).toEqual({ mean: 2.5, variance: 1.25 });
  });

  it('the scaling fits centre and scale within 10⁻¹⁰ of the exact mean and two exact standard deviations', () => {
    const s = identityScaling(1);
    for (const x of xs) observeContext(s, [x]);
    const fit = fitScaling(s);
    expect(relative(fit.center[0], exact.mean)).toBeLessThan(1e-12);
    expect(relative(fit.scale[0], 2 * Math.sqrt(exact.variance))).toBeLessThan(1e-10);
  });

  it('and so after merging what three processes saw since a shared snapshot (stored + (local − base))', () => {
    const base = identityScaling(1);
    for (const x of xs.slice(0, 100_000)) observeContext(base, [x]);
    let stored: FeatureScaling = copyScaling(base);
    for (const part of [xs.slice(100_000, 150_000), xs.slice(150_000, 290_000), xs.slice(290_000)]) {
      const local = copyScaling(base);
      for (const x of part) observeContext(local, [x]);
      stored = mergeScaling(stored, base, local);
    }
    expect(stored.count).toBe(xs.length);
    const fit = fitScaling(stored);
    expect(relative(fit.center[0], exact.mean)).toBeLessThan(1e-12);
    expect(relative(fit.scale[0], 2 * Math.sqrt(exact.variance))).toBeLessThan(1e-9);
  });
});
