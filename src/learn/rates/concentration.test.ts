import { describe, expect, it } from 'vitest';
import { type GroupAroundParent, MIN_CONCENTRATION, fitConcentration } from './concentration.js';

/**
 * The Beta-Binomial log marginal likelihood of groups around their parents' means at κ, without
 * lnBeta: ln B(a + s, b + n − s) − ln B(a, b) = Σ_{i<s} ln(a + i) + Σ_{i<n−s} ln(b + i) − Σ_{i<n} ln(a + b + i)
 * (rising factorials), a = κm, b = κ(1 − m).
 */
function logLik(groups: readonly GroupAroundParent[], kappa: number): number {
  let ll = 0;
  for (const g of groups) {
    const a = kappa * g.parentMean;
    const b = kappa * (1 - g.parentMean);
    for (let i = 0; i < g.successes; i++) ll += Math.log(a + i);
    for (let i = 0; i < g.trials - g.successes; i++) ll += Math.log(b + i);
    for (let i = 0; i < g.trials; i++) ll -= Math.log(a + b + i);
  }
  return ll;
}

/** Brute force: the best ln κ on a grid of step 10⁻³ over [ln 2, ln 10⁶], then of step 10⁻⁶ around it. */
function bruteForceKappa(groups: readonly GroupAroundParent[]): number {
  const best = (from: number, to: number, step: number) => {
    let arg = from;
    let top = -Infinity;
    for (let x = from; x <= to; x += step) {
      const ll = logLik(groups, Math.exp(x));
      if (ll > top) [top, arg] = [ll, x];
    }
    return arg;
  };
  const lo = Math.log(MIN_CONCENTRATION);
  const hi = Math.log(1e6);
  const coarse = best(lo, hi, 1e-3);
  return Math.exp(best(Math.max(lo, coarse - 1e-3), Math.min(hi, coarse + 1e-3), 1e-6));
}

// 60 groups of 20 trials: 30 around a parent at 0.8 (12, 14, 16, 18, 20 successes in turn), 30 around
// one at 0.1 (0–4). The spread is around each group's own parent, not around a common mean.
const groups: GroupAroundParent[] = [
  ...Array.from({ length: 30 }, (_, i) => ({ successes: [12, 14, 16, 18, 20][i % 5], trials: 20, parentMean: 0.8 })),
  ...Array.from({ length: 30 }, (_, i) => ({ successes: [0, 1, 2, 3, 4][i % 5], trials: 20, parentMean: 0.1 })),
];

describe('the prior strength of a rung around its parents\' means', () => {
  it('is the κ a brute-force maximisation of the Beta-Binomial marginal likelihood finds, and scipy\'s', () => {
    const kappa = fitConcentration(groups)!;
    expect(kappa).toBeCloseTo(bruteForceKappa(groups), 3);
    // scipy 1.17:
    //   groups = [([12, 14, 16, 18, 20][i % 5], 20, 0.8) for i in range(30)] + [([0, 1, 2, 3, 4][i % 5], 20, 0.1) for i in range(30)]
    //   nll = lambda lk: -sum(betabinom.logpmf(s, n, exp(lk) * m, exp(lk) * (1 - m)) for s, n, m in groups)
    //   minimize_scalar(nll, bounds=(log(2), log(1e6)), method='bounded', options={'xatol': 1e-10})
    // → κ = 16.11275601, NLL 127.72545 (150.34144 at κ = 2).
    expect(kappa).toBeCloseTo(16.11275601, 4);
    // The binomial coefficients scipy counts cancel in a difference of log-likelihoods.
    expect(logLik(groups, kappa) - logLik(groups, 2)).toBeCloseTo(150.341440449592 - 127.72545289761987, 6);
  });

  it('is not fitted from fewer than two groups holding trials: null, not a number that reads as fitted', () => {
    expect(fitConcentration([])).toBeNull();
    expect(fitConcentration([{ successes: 5, trials: 10, parentMean: 0.3 }, { successes: 0, trials: 0, parentMean: 0.3 }])).toBeNull();
  });
});
