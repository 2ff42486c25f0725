/**
 * Empirical-Bayes prior strength A of the send-time Dirichlet: the A maximising the
 * Dirichlet-multinomial marginal likelihood of the subjects' slot counts around the population
 * share p: Σ_subjects [ln Γ(A) − ln Γ(A + n) + Σ_s (ln Γ(A·p_s + c_s) − ln Γ(A·p_s))].
 *
 * When the subjects vary no more than draws from the population's share would (or too few events
 * to tell), that likelihood rises towards A → ∞ (every subject like the population) and the search
 * stops at its bound: A is then not identified, and {@link sendTimeStrength} says so and answers
 * the events the share was fitted on instead of the bound.
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
 * The limit of {@link dirichletMultinomialLogLik} as A → ∞: every subject's events drawn from the
 * population's share itself, Σ c_s ln p_s (the same coefficients omitted).
 *
 * @example
 * multinomialLogLik(share, subjects);
 */
export function multinomialLogLik(share: ArrayLike<number>, subjects: ArrayLike<number>[]): number {
  let ll = 0;
  for (const c of subjects) for (let s = 0; s < SLOTS; s++) if (c[s] > 0) ll += c[s] * Math.log(share[s]);
  return ll;
}

/**
 * Fitted A in [1, 10⁵] (golden-section search on ln A). The bound when the likelihood rises all
 * the way (no between-subject variation detected): use {@link sendTimeStrength}, which tells.
 *
 * @example
 * const A = fitSendTimeStrength(share, subjects);
 */
export function fitSendTimeStrength(share: ArrayLike<number>, subjects: ArrayLike<number>[]): number {
  const f = (x: number) => dirichletMultinomialLogLik(Math.exp(x), share, subjects);
  return Math.exp(goldenSectionMax(f, 0, Math.log(1e5), 1e-5, 80));
}

/**
 * The critical value of the likelihood-ratio test of A = ∞ (no between-subject variation): A = ∞
 * lies on the boundary of the parameter space (1/A = 0), where the statistic is ½χ²₀ + ½χ²₁
 * (Chernoff 1954; Self & Liang 1987), so the 5% test takes χ²₁'s 90% quantile (scipy 1.17:
 * `chi2.ppf(0.9, 1)`).
 */
export const NO_VARIATION_CRITICAL = 2.705543454095404;

/** The prior strength in force and how the data bear on it. */
export interface SendTimeStrength {
  /** A: the fit when identified, at most the events; the events when not identified. */
  strength: number;
  /** Whether the data reject A = ∞ (subjects differ from the population more than chance would). */
  identified: boolean;
  /** The maximum of the likelihood (in [1, 10⁵]) before any cap. */
  fitted: number;
  /** 2·(ln L(fitted) − ln L(∞)), against {@link NO_VARIATION_CRITICAL}; 0 when the likelihood rises all the way. */
  likelihoodRatio: number;
  /** The events the share was fitted on. */
  events: number;
}

/**
 * The prior strength A to use, never more than the events the population share was fitted on: with
 * A = ∞ (every subject like the population) a subject's share would still be known only as well as
 * the population's, whose posterior holds those events (Dirichlet of the pooled counts) — a prior
 * of more pseudo-events would claim knowledge no data gave. When the likelihood-ratio test does not
 * reject A = ∞, A is not identified and is the events (the population limit); the search's bound
 * (10⁵) is never answered as if fitted.
 *
 * @example
 * sendTimeStrength(share, subjects); // { strength: 164, identified: false, fitted: 99998.3, likelihoodRatio: 0, events: 164 }
 */
export function sendTimeStrength(share: ArrayLike<number>, subjects: ArrayLike<number>[]): SendTimeStrength {
  let events = 0;
  for (const c of subjects) for (let s = 0; s < SLOTS; s++) events += c[s];
  const fitted = fitSendTimeStrength(share, subjects);
  const likelihoodRatio = Math.max(0, 2 * (dirichletMultinomialLogLik(fitted, share, subjects) - multinomialLogLik(share, subjects)));
  const identified = likelihoodRatio > NO_VARIATION_CRITICAL;
  const cap = Math.max(1, events);
  return { strength: identified ? Math.min(fitted, cap) : cap, identified, fitted, likelihoodRatio, events };
}
