import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incompleteBeta, inverseIncompleteBeta, studentTCdf, studentTQuantile } from './incomplete-beta.js';
import { lnGamma } from './special.js';

/** Binomial CDF by direct summation: the exact reference of the identity P(X ≤ k) = I_{1−p}(n−k, k+1). */
function binomialCdf(k: number, n: number, p: number): number {
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(lnGamma(n + 1) - lnGamma(i + 1) - lnGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return s;
}

describe('regularized incomplete beta', () => {
  it('matches closed forms: I_x(a,1) = xᵃ, I_x(1,b) = 1−(1−x)ᵇ, I_½(a,a) = ½', () => {
    expect(incompleteBeta(0.3, 2.5, 1)).toBeCloseTo(Math.pow(0.3, 2.5), 14);
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - Math.pow(0.7, 4), 14);
    expect(incompleteBeta(0.5, 7.3, 7.3)).toBeCloseTo(0.5, 13);
  });

  it('equals the binomial CDF (DLMF 8.17.5) for small and large n', () => {
    expect(incompleteBeta(0.7, 15, 6)).toBeCloseTo(binomialCdf(5, 20, 0.3), 13);
    expect(incompleteBeta(0.99, 990, 11)).toBeCloseTo(binomialCdf(10, 1000, 0.01), 11);
    expect(incompleteBeta(1 - 0.005, 9950, 51) / binomialCdf(50, 10000, 0.005)).toBeCloseTo(1, 9);
  });

  it('is symmetric: I_x(a,b) = 1 − I_{1−x}(b,a) (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true }), (x, a, b) =>
        Math.abs(incompleteBeta(x, a, b) - (1 - incompleteBeta(1 - x, b, a))) < 1e-12,
      ),
    );
  });

  // Near 1 doubles are coarse (spacing 1.1e-16): when the quantile lies within ~1e-12 of 1 no double
  // resolves p to 1e-9, so the property accepts the best any double can do — p bracketed by the
  // values of I at x's neighbours.
  it('inverts: I(I⁻¹(p)) = p across shapes, including a < 1 and large a, b (property)', () => {
    const ok = (p: number, a: number, b: number) => {
      const x = inverseIncompleteBeta(p, a, b);
      if (Math.abs(incompleteBeta(x, a, b) - p) < 1e-9) return true;
      return incompleteBeta(x - 4e-16, a, b) <= p + 1e-12 && incompleteBeta(Math.min(1, x + 4e-16), a, b) >= p - 1e-12;
    };
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.05, max: 5000, noNaN: true }), fc.double({ min: 0.2, max: 50000, noNaN: true }), ok), { numRuns: 500 });
    expect(inverseIncompleteBeta(0.25, 2, 1)).toBeCloseTo(0.5, 14);
    expect(inverseIncompleteBeta(0.95, 1, 20)).toBeCloseTo(1 - Math.pow(0.05, 1 / 20), 13);
  });
});

describe('Student t', () => {
  it('matches closed forms for ν = 1 (Cauchy), 2, 3 and 5 (odd ν: θ = atan(t/√ν), A&S 26.7.3)', () => {
    for (const t of [-3, -0.4, 0, 1, 2.015, 7]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
      const t3 = Math.atan(t / Math.sqrt(3));
      expect(studentTCdf(t, 3)).toBeCloseTo(0.5 + (t3 + Math.sin(t3) * Math.cos(t3)) / Math.PI, 13);
      const t5 = Math.atan(t / Math.sqrt(5));
      expect(studentTCdf(t, 5)).toBeCloseTo(0.5 + (t5 + Math.sin(t5) * Math.cos(t5) * (1 + (2 / 3) * Math.cos(t5) ** 2)) / Math.PI, 13);
    }
    expect(studentTQuantile(0.95, 1)).toBeCloseTo(Math.tan(Math.PI * 0.45), 10);
  });

  it('matches table values (R qt, 6 decimals): t₀.₉₇₅,₁₀ = 2.228139, t₀.₉₅,₅ = 2.015048, t₀.₉₉₅,₃₀ = 2.749996', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.015048, 5);
    expect(studentTQuantile(0.995, 30)).toBeCloseTo(2.749996, 5);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228139, 5);
    // and inverts the CDF to machine precision
    expect(studentTCdf(studentTQuantile(0.95, 5), 5)).toBeCloseTo(0.95, 14);
    expect(studentTQuantile(0.5000001, 4)).toBeGreaterThan(0);
  });
});
