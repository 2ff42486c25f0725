import { describe, expect, it } from 'vitest';
import { createRng, randomInt, randomNormal } from './prng.js';
import { chiSquareSf } from '../../maths/distributions.js';

describe('seeded PRNG', () => {
  it('is reproducible and seed-dependent', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
  it('is uniform: chi-square over 20 cells does not reject at 0.1%', () => {
    const rng = createRng(2024);
    const counts = new Array(20).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[randomInt(rng, 20)]++;
    const e = n / 20;
    const x2 = counts.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chiSquareSf(x2, 19)).toBeGreaterThan(0.001);
  });
  it('normal draws have mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(5);
    let s = 0;
    let ss = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = randomNormal(rng);
      s += z;
      ss += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.02);
  });
});
