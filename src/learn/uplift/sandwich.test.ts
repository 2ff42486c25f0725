import { describe, expect, it } from 'vitest';
import { fitLogistic } from './logistic-regression.js';
import { sandwichCovariance } from './sandwich.js';

// Intercept-only logistic regression, closed forms (Huber 1967; White 1980 — the
// heteroskedasticity-consistent "sandwich"; e.g. Cameron & Trivedi, Microeconometrics, §5.5):
// with p̂ the (weighted) mean of y, the Laplace variance of the intercept is 1 / Σ wᵢ p̂(1 − p̂)
// and the sandwich variance is Σ wᵢ² (yᵢ − p̂)² / (Σ wᵢ p̂(1 − p̂))².
describe('sandwichCovariance', () => {
  const n = 400;
  const X = new Float64Array(n).fill(1);
  const y = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)); // p̂ = 0.25
  const rows = Int32Array.from({ length: n }, (_, i) => i);

  it('equals the Laplace variance with equal weights (the model is exact for an intercept)', () => {
    const m = fitLogistic(X, 1, y, { lambda: 0, rows });
    const v = sandwichCovariance(X, 1, y, rows, undefined, m.coef, m.covariance)[0];
    expect(m.covariance[0]).toBeCloseTo(1 / (n * 0.25 * 0.75), 8);
    expect(v).toBeCloseTo(1 / (n * 0.25 * 0.75), 8);
  });

  it('is wider than the Laplace variance under unequal inverse-propensity weights, as the closed form says', () => {
    // weight 4 on every row i ≡ 0 or 1 (mod 8), weight 1 elsewhere (weighted p̂ = 5/14)
    const w = Float64Array.from({ length: n }, (_, i) => (i % 8 < 2 ? 4 : 1));
    const m = fitLogistic(X, 1, y, { lambda: 0, rows, weights: w });
    let sw = 0, swy = 0;
    for (let i = 0; i < n; i++) (sw += w[i]), (swy += w[i] * y[i]);
    const p = swy / sw;
    expect(p).toBeCloseTo(5 / 14, 12);
    let meat = 0;
    for (let i = 0; i < n; i++) meat += w[i] ** 2 * (y[i] - p) ** 2;
    const laplace = 1 / (sw * p * (1 - p));
    const sandwich = meat / (sw * p * (1 - p)) ** 2;
    expect(m.covariance[0]).toBeCloseTo(laplace, 8);
    expect(sandwichCovariance(X, 1, y, rows, w, m.coef, m.covariance)[0]).toBeCloseTo(sandwich, 8);
    expect(sandwich).toBeGreaterThan(laplace);
  });
});
