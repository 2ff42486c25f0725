import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BetaBinomial, betaBinomialPmf } from './beta-binomial.js';

// Reference throughout: the definition, each term from its own special functions
// (C(n,k)·B(k+a, n−k+b)/B(a, b)), summed over every k; scipy/mpmath figures for the same
// distribution are in src/measure/stats/predictive.test.ts.
describe('Beta-binomial distribution', () => {
  // Shapes: U (a, b < 1), J (one of them below 1), log-concave (both at least 1).
  it('Beta-binomial from its window of terms agrees with the term-by-term sums, for every shape', () => {
    const param = fc.oneof(fc.double({ min: 0.05, max: 0.99, noNaN: true }), fc.double({ min: 1, max: 5000, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), param, param, fc.double({ min: 0, max: 1, noNaN: true }), (n, a, b, u) => {
        const d = new BetaBinomial(n, a, b);
        const terms = Array.from({ length: n + 1 }, (_, k) => betaBinomialPmf(k, n, a, b));
        const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 + 1e-9 * Math.abs(y);
        const k = Math.floor(u * n);
        let below = 0;
        for (let j = 0; j <= k; j++) below += terms[j];
        let above = 0;
        for (let j = k; j <= n; j++) above += terms[j];
        // The shorter tail is the precise one: compare each where it is the smaller side.
        if (below <= 0.5) expect(close(d.cdf(k), below)).toBe(true);
        if (above <= 0.5) expect(close(d.sf(k), above)).toBe(true);
        for (const q of [0.0005, 0.05, 0.5, 0.95, 0.9995]) {
          let s = 0;
          let want = n;
          for (let j = 0; j <= n; j++) if ((s += terms[j]) >= q - 1e-12) { want = j; break; }
          const got = d.quantile(q);
          // Equal, unless the cumulative sum lands within rounding of q at one of the two.
          if (got !== want) expect(Math.abs(d.cdf(Math.min(got, want)) - q)).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
  it('Beta-binomial far tails beyond the window keep their relative precision', () => {
    const [n, a, b] = [20_000, 3000.5, 17_000.5];
    const d = new BetaBinomial(n, a, b);
    expect(d.lo).toBeGreaterThan(3);
    expect(d.hi).toBeLessThan(n - 5);
    const direct = (from: number, to: number) => { let s = 0; for (let k = from; k <= to; k++) s += betaBinomialPmf(k, n, a, b); return s; };
    const hi = direct(d.hi + 5, n);
    const lo = direct(0, d.lo - 3);
    expect(hi).toBeLessThan(1e-17);
    expect(lo).toBeLessThan(1e-17);
    expect(Math.abs(d.sf(d.hi + 5) - hi) / hi).toBeLessThan(1e-9);
    expect(Math.abs(d.cdf(d.lo - 3) - lo) / lo).toBeLessThan(1e-9);
  });
  it('a busy key keeps a window around the mean, not every count up to its trials', () => {
    // An hour at 10 exposures a second against a 5% baseline of 500 trials: the band needs the
    // counts within ≈ 10 standard deviations (≈ 350 each) of 1,832, not all 36,001.
    const d = new BetaBinomial(36_000, 25.5, 475.5);
    expect(d.hi - d.lo + 1).toBeLessThan(36_001 / 4);
    expect(d.lo).toBeGreaterThan(0);
    // Only a U-shaped predictive (no baseline at all: a, b < 1) keeps every term.
    const u = new BetaBinomial(36_000, 0.5, 0.5);
    expect([u.lo, u.hi]).toEqual([0, 36_000]);
  });
});
