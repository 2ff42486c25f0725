/**
 * Empirical-Bayes prior strength of a rung: the κ that maximises the Beta-Binomial marginal
 * likelihood of the rung's groups (e.g. all segments) around their parents' means,
 * Σ_g ln B(κm_g + s_g, κ(1−m_g) + n_g − s_g) − ln B(κm_g, κ(1−m_g)), by golden-section search on ln κ.
 */
import { lnBeta } from '../math/special.js';
import type { RateCounts } from './beta-binomial.js';

/** One group of a rung with the mean of its parent rung. */
export interface GroupAroundParent extends RateCounts {
  parentMean: number;
}

/**
 * Fitted κ in [1e-2, 1e6].
 *
 * @example
 * fitConcentration(segments.map((s) => ({ ...s.counts, parentMean: populationRate })));
 */
export function fitConcentration(groups: GroupAroundParent[]): number {
  const used = groups.filter((g) => g.trials > 0);
  if (used.length < 2) return 100;
  const ll = (logK: number) => {
    const k = Math.exp(logK);
    let s = 0;
    for (const g of used) {
      const m = Math.min(Math.max(g.parentMean, 1e-9), 1 - 1e-9);
      s += lnBeta(k * m + g.successes, k * (1 - m) + g.trials - g.successes) - lnBeta(k * m, k * (1 - m));
    }
    return s;
  };
  let a = Math.log(1e-2);
  let b = Math.log(1e6);
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = ll(c);
  let fd = ll(d);
  for (let i = 0; i < 100 && b - a > 1e-6; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = ll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = ll(d);
    }
  }
  return Math.exp((a + b) / 2);
}
