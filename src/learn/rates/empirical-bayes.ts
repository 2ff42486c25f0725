/**
 * The population prior of a rate, fitted by empirical Bayes over groups (actions, segments,
 * subjects): method of moments (with or without the binomial-noise correction), refined by
 * maximum marginal likelihood of the Beta-Binomial, Σ_g ln B(α + s_g, β + n_g − s_g) − ln B(α, β),
 * over (logit mean, log concentration) with Nelder–Mead.
 */
import { nelderMead } from '../math/optimize.js';
import { lnBeta } from '../math/special.js';
import type { BetaDist, RateCounts } from './beta-binomial.js';
import { MAX_CONCENTRATION } from './concentration.js';

/** Concentration (α+β) bounds: a prior never weighs more than a million trials (concentration.ts). */
const MIN_CONCENTRATION = 1e-3;

const clampKappa = (k: number) => Math.min(MAX_CONCENTRATION, Math.max(MIN_CONCENTRATION, k));

/**
 * Method-of-moments Beta prior. With `correctNoise` (default) the between-group variance is the
 * observed variance of the rates minus the binomial noise m(1−m)·mean(1/n); without it, the plain
 * moments of the raw proportions (as in Gelman et al., BDA3 §5.1).
 *
 * @example
 * fitBetaMoments([{ successes: 1, trials: 10 }, { successes: 3, trials: 10 }]);
 */
export function fitBetaMoments(groups: RateCounts[], correctNoise = true): BetaDist {
  const used = groups.filter((g) => g.trials > 0);
  if (used.length === 0) return { alpha: 1, beta: 1 };
  const rates = used.map((g) => g.successes / g.trials);
  const k = rates.length;
  const mean = correctNoise ? used.reduce((s, g) => s + g.successes, 0) / used.reduce((s, g) => s + g.trials, 0) : rates.reduce((a, b) => a + b, 0) / k;
  const m = Math.min(Math.max(mean, 1e-9), 1 - 1e-9);
  if (k < 2) return { alpha: m * 2, beta: (1 - m) * 2 };
  let variance = rates.reduce((s, r) => s + (r - (correctNoise ? m : mean)) ** 2, 0) / (k - 1);
  if (correctNoise) variance -= (m * (1 - m) * used.reduce((s, g) => s + 1 / g.trials, 0)) / k;
  const kappa = variance > 0 ? clampKappa((m * (1 - m)) / variance - 1) : MAX_CONCENTRATION;
  return { alpha: m * kappa, beta: (1 - m) * kappa };
}

/**
 * Log marginal likelihood of the groups under Beta(α, β) (binomial coefficients omitted: they do
 * not depend on α, β).
 *
 * @example
 * betaBinomialLogLik({ alpha: 1, beta: 1 }, [{ successes: 0, trials: 1 }]); // ln ½
 */
export function betaBinomialLogLik(prior: BetaDist, groups: RateCounts[]): number {
  const base = lnBeta(prior.alpha, prior.beta);
  let ll = 0;
  for (const g of groups) ll += lnBeta(prior.alpha + g.successes, prior.beta + g.trials - g.successes) - base;
  return ll;
}

/**
 * Maximum-marginal-likelihood Beta prior, started from the method of moments.
 *
 * @example
 * const prior = fitBetaPrior(actions.map((a) => a.counts));
 */
export function fitBetaPrior(groups: RateCounts[]): BetaDist & { logLik: number } {
  const used = groups.filter((g) => g.trials > 0);
  const start = fitBetaMoments(used);
  if (used.length < 2) return { ...start, logLik: betaBinomialLogLik(start, used) };
  const toPrior = ([t, lk]: number[]): BetaDist => {
    const m = 1 / (1 + Math.exp(-t));
    const kappa = clampKappa(Math.exp(lk));
    return { alpha: m * kappa, beta: (1 - m) * kappa };
  };
  const m0 = start.alpha / (start.alpha + start.beta);
  const x0 = [Math.log(m0 / (1 - m0)), Math.log(Math.min(start.alpha + start.beta, 1e5))];
  const best = nelderMead((x) => -betaBinomialLogLik(toPrior(x), used), x0, 0.5, 1e-12, 4000);
  const prior = toPrior(best.x);
  return { ...prior, logLik: -best.value };
}
