/**
 * Empirical-Bayes prior strength A of the send-time Dirichlet: the A maximising the
 * Dirichlet-multinomial marginal likelihood of the subjects' slot counts around the population
 * share p: Σ_subjects [ln Γ(A) − ln Γ(A + n) + Σ_s (ln Γ(A·p_s + c_s) − ln Γ(A·p_s))].
 */
import { goldenSectionMax } from '../math/optimize.js';
import { lnGamma } from '../math/special.js';
import { SLOTS } from './send-time.js';

/**
 * Log marginal likelihood of the counts under Dirichlet(A·p) (multinomial coefficients omitted).
 *
 * @example
 * dirichletMultinomialLogLik(24, share, subjects);
 */
export function dirichletMultinomialLogLik(strength: number, share: ArrayLike<number>, subjects: ArrayLike<number>[]): number {
  let ll = 0;
  for (const c of subjects) {
    let n = 0;
    let part = 0;
    for (let s = 0; s < SLOTS; s++) {
      if (c[s] === 0) continue;
      n += c[s];
      const a = strength * share[s];
      part += lnGamma(a + c[s]) - lnGamma(a);
    }
    ll += lnGamma(strength) - lnGamma(strength + n) + part;
  }
  return ll;
}

/**
 * Fitted A in [1, 10⁵] (golden-section search on ln A).
 *
 * @example
 * const A = fitSendTimeStrength(share, subjects);
 */
export function fitSendTimeStrength(share: ArrayLike<number>, subjects: ArrayLike<number>[]): number {
  const f = (x: number) => dirichletMultinomialLogLik(Math.exp(x), share, subjects);
  return Math.exp(goldenSectionMax(f, 0, Math.log(1e5), 1e-5, 80));
}
