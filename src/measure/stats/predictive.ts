/**
 * Posterior predictive distributions of counts, the monitors' "expected band":
 * - a rate seen as x_b events in n_b trials gives Beta(x_b + ½, n_b − x_b + ½) (Jeffreys), and the
 *   count in the next n trials is Beta-binomial;
 * - a volume of c_b events over B windows gives Gamma(c_b + ½, B), and the count in the next
 *   window is negative binomial (r = c_b + ½, p = B / (B + 1)).
 * Both carry the baseline's own uncertainty, so a thin baseline gives a wide band.
 */
import { BetaBinomial } from '../../maths/beta-binomial.js';
import { regularizedBeta } from '../../maths/special.js';

export { BetaBinomial, betaBinomialPmf } from '../../maths/beta-binomial.js';

/**
 * P(X ≤ k), summing the shorter tail.
 * @example betaBinomialCdf(3, 50, 2.5, 97.5) // ≈ 0.93200 (scipy.stats.betabinom)
 */
export function betaBinomialCdf(k: number, n: number, a: number, b: number): number {
  return new BetaBinomial(n, a, b).cdf(k);
}

/**
 * P(X ≥ k).
 * @example betaBinomialSf(10, 200, 20.5, 9980.5) // ≈ 1.1826e-10
 */
export function betaBinomialSf(k: number, n: number, a: number, b: number): number {
  return new BetaBinomial(n, a, b).sf(k);
}

/**
 * Smallest k with P(X ≤ k) ≥ q.
 * @example betaBinomialQuantile(0.9995, 1000, 300.5, 9700.5) // 50
 */
export function betaBinomialQuantile(q: number, n: number, a: number, b: number): number {
  return new BetaBinomial(n, a, b).quantile(q);
}

/**
 * P(X ≤ k) for X ~ NegativeBinomial(r, p) counting failures before the r-th success (scipy's nbinom).
 * @example negativeBinomialCdf(80, 1200.5, 12 / 13) // ≈ 0.026828
 */
export function negativeBinomialCdf(k: number, r: number, p: number): number {
  if (k < 0) return 0;
  return regularizedBeta(p, r, Math.floor(k) + 1);
}

/**
 * P(X ≥ k).
 * @example negativeBinomialSf(200, 1200.5, 12 / 13) // ≈ 4.135e-17
 */
export function negativeBinomialSf(k: number, r: number, p: number): number {
  if (k <= 0) return 1;
  return regularizedBeta(1 - p, Math.floor(k), r);
}

/**
 * Smallest k with P(X ≤ k) ≥ q, by bisection.
 * @example negativeBinomialQuantile(0.5, 100.5, 0.5) // ≈ 100
 */
export function negativeBinomialQuantile(q: number, r: number, p: number): number {
  let lo = 0;
  let hi = Math.max(1, Math.ceil((r * (1 - p)) / p));
  while (negativeBinomialCdf(hi, r, p) < q) hi *= 2;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (negativeBinomialCdf(mid, r, p) >= q) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
