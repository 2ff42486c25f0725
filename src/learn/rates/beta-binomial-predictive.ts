/**
 * Posterior predictive of a future count: with belief Beta(α, β), the number of successes in m
 * new trials is Beta-Binomial(m, α, β), P(k) = C(m,k)·B(k+α, m−k+β)/B(α, β). Its equal-tailed
 * interval is how a rate's 90% interval is checked on held-out outcomes.
 */
import { lnBeta, lnGamma } from '../math/special.js';
import type { BetaDist } from './beta-binomial.js';

/**
 * P(K = k) for K ~ Beta-Binomial(m, α, β).
 *
 * @example
 * betaBinomialPmf(0, 1, { alpha: 1, beta: 1 }); // 0.5
 */
export function betaBinomialPmf(k: number, m: number, d: BetaDist): number {
  const lnChoose = lnGamma(m + 1) - lnGamma(k + 1) - lnGamma(m - k + 1);
  return Math.exp(lnChoose + lnBeta(k + d.alpha, m - k + d.beta) - lnBeta(d.alpha, d.beta));
}

/**
 * Equal-tailed predictive interval [kLow, kHigh] of successes in m trials: the smallest k with
 * CDF ≥ (1−level)/2 and the smallest with CDF ≥ (1+level)/2 (discrete, so coverage ≥ level).
 *
 * @example
 * betaBinomialInterval({ alpha: 1, beta: 1 }, 10, 0.9); // [0, 10]
 */
export function betaBinomialInterval(d: BetaDist, m: number, level = 0.9): [number, number] {
  const lowTail = (1 - level) / 2;
  const highTail = 1 - lowTail;
  let cdf = 0;
  let kLow = -1;
  for (let k = 0; k <= m; k++) {
    cdf += betaBinomialPmf(k, m, d);
    if (kLow < 0 && cdf >= lowTail - 1e-12) kLow = k;
    if (cdf >= highTail - 1e-12) return [kLow, k];
  }
  return [Math.max(kLow, 0), m];
}
