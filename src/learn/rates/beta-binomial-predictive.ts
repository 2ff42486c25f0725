/**
 * Posterior predictive of a future count: with belief Beta(α, β), the number of successes in m
 * new trials is Beta-Binomial(m, α, β), P(k) = C(m,k)·B(k+α, m−k+β)/B(α, β). Its equal-tailed
 * interval is how a rate's 90% interval is checked on held-out outcomes. The distribution itself
 * lives in src/maths (shared with the monitors' bands).
 */
import { BetaBinomial, betaBinomialPmf as pmf } from '../../maths/beta-binomial.js';
import type { BetaDist } from './beta-binomial.js';

/**
 * P(K = k) for K ~ Beta-Binomial(m, α, β).
 *
 * @example
 * betaBinomialPmf(0, 1, { alpha: 1, beta: 1 }); // 0.5
 */
export function betaBinomialPmf(k: number, m: number, d: BetaDist): number {
  return pmf(k, m, d.alpha, d.beta);
}

/**
 * Equal-tailed predictive interval [kLow, kHigh] of successes in m trials: the smallest k with
 * CDF ≥ (1−level)/2 and the smallest with CDF ≥ (1+level)/2 (discrete, so coverage ≥ level).
 *
 * @example
 * betaBinomialInterval({ alpha: 1, beta: 1 }, 10, 0.9); // [0, 10]
 */
export function betaBinomialInterval(d: BetaDist, m: number, level = 0.9): [number, number] {
  const dist = new BetaBinomial(m, d.alpha, d.beta);
  const lowTail = (1 - level) / 2;
  return [dist.quantile(lowTail), dist.quantile(1 - lowTail)];
}
