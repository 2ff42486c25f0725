import { describe, expect, it } from 'vitest';
import { Rng } from './prng.js';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference algorithm on its first output: rotl(s1·5, 7)·9 with s = {1, 2, 3, 4} gives 11520', () => {
    // Blackman & Vigna, xoshiro128starstar.c: result = rotl(s[1] * 5, 7) * 9 — for s[1] = 2: rotl(10, 7) = 1280, ×9 = 11520.
    expect(Rng.fromWords([1, 2, 3, 4]).nextUint32()).toBe(11520);
  });

  it('matches the reference state transition (second output computed by hand from the C code)', () => {
    // After one step from {1,2,3,4}: t = 2<<9 = 1024; s2 ^= s0 → 2; s3 ^= s1 → 6; s1 ^= s2 → 0; s0 ^= s3 → 7;
    // s2 ^= t → 1026; s3 = rotl(6, 11) = 12288. Second output = rotl(0·5, 7)·9 = 0.
    // Third: s1 after step 2 = 0 ^ (1026 ^ 7) = 1029 → rotl(5145, 7)·9 = 658560·9 = 5927040.
    const rng = Rng.fromWords([1, 2, 3, 4]);
    rng.nextUint32();
    expect(rng.nextUint32()).toBe(0);
    expect(rng.nextUint32()).toBe(5927040);
  });

  it('is reproducible from a seed and resumes exactly from state()', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 10; i++) expect(a.float()).toBe(b.float());
    const saved = JSON.parse(JSON.stringify(a.state()));
    const c = new Rng(saved);
    for (let i = 0; i < 10; i++) expect(c.nextUint32()).toBe(a.nextUint32());
    expect(new Rng(1).float()).not.toBe(new Rng(2).float());
  });

  it('gives uniform floats: chi-square over 20 bins below the 99.9% critical value (43.8, 19 df)', () => {
    const rng = new Rng(7);
    const bins = new Array<number>(20).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) bins[Math.floor(rng.float() * 20)]++;
    const expected = n / 20;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(43.8);
  });

  it('draws integers in range without modulo bias (n = 3: each about a third)', () => {
    const rng = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 90_000; i++) counts[rng.int(3)]++;
    for (const c of counts) expect(Math.abs(c - 30_000)).toBeLessThan(5 * Math.sqrt(90_000 * (1 / 3) * (2 / 3)));
    expect(() => rng.int(0)).toThrow(RangeError);
  });
});
