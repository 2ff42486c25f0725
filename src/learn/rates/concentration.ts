/**
 * Empirical-Bayes prior strength of a rung: the κ that maximises the Beta-Binomial marginal
 * likelihood of the rung's groups (e.g. all segments) around their parents' means,
 * Σ_g ln B(κm_g + s_g, κ(1−m_g) + n_g − s_g) − ln B(κm_g, κ(1−m_g)), by golden-section search on ln κ.
 */
import { goldenSectionMax } from '../math/optimize.js';
import { lnBeta } from '../math/special.js';
import type { RateCounts } from './beta-binomial.js';

/** One group of a rung with the mean of its parent rung. */
export interface GroupAroundParent extends RateCounts {
  parentMean: number;
}

/**
 * The least prior strength of a rung: the weight of the flat Beta(1, 1) the population starts from.
 * The marginal likelihood grows as κ → 0 when groups look all-or-nothing (10 people opened both
 * e-mails, 90 neither), and Beta(κm, κ(1 − m)) then piles its mass at 0 and 1, so that one trial pins
 * a rate at 0% or 100%. At κ = 2 a single trial moves the rate a third of the way at most.
 *
 * @example
 * Math.max(MIN_CONCENTRATION, storedKappa);
 */
export const MIN_CONCENTRATION = 2;

/**
 * The most prior strength a fitted rung may have: a fitted prior never weighs more than a million
 * trials. (A policy may pin its decision estimates harder, up to MAX_POLICY_STRENGTH, 10⁹: past
 * ≈ 10¹⁵⁰ the Beta's quantiles are not numbers at all.)
 */
export const MAX_CONCENTRATION = 1e6;

/**
 * Fitted κ in [MIN_CONCENTRATION, MAX_CONCENTRATION], or null when fewer than two groups hold trials: one group's
 * spread around its parent says nothing about how groups differ, so there is nothing to fit (until
 * 2026-12-05 this returned 100, which a training stored as if fitted).
 *
 * @example
 * fitConcentration(segments.map((s) => ({ ...s.counts, parentMean: populationRate }))) ?? DEFAULT_CONCENTRATION.segment;
 */
export function fitConcentration(groups: GroupAroundParent[]): number | null {
  const used = groups.filter((g) => g.trials > 0);
  if (used.length < 2) return null;
  const ll = (logK: number) => {
    const k = Math.exp(logK);
    let s = 0;
    for (const g of used) {
      const m = Math.min(Math.max(g.parentMean, 1e-9), 1 - 1e-9);
      s += lnBeta(k * m + g.successes, k * (1 - m) + g.trials - g.successes) - lnBeta(k * m, k * (1 - m));
    }
    return s;
  };
  return Math.exp(goldenSectionMax(ll, Math.log(MIN_CONCENTRATION), Math.log(MAX_CONCENTRATION), 1e-6, 100));
}
