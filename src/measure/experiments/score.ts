/**
 * Fixed-horizon readout of a conversion-type metric (a proportion) from its counts: Newcombe's
 * hybrid score interval for the difference (method 10, Statistics in Medicine 17 (1998) 873–890)
 * and MOVER-R from the same Wilson limits for the relative lift. Unlike the Wald interval these
 * stay honest at small and zero counts (0/200 against 3/200), where Wald is far too narrow.
 * The p-value inverts the interval (p < alpha exactly when the interval at level 1 − alpha excludes 0,
 * for the difference and the lift alike) where every expected count of the 2×2 table is at least 5;
 * below that it is Fisher's exact test's. The inversion reads the Wilson limits at levels far beyond
 * their approximation: 2/2 against 0/300 inverted to p = 1e-19, where Fisher's p is 2.2e-5 (below).
 */
import { normalCdf, normalQuantile } from '../../maths/distributions.js';
import { fisherExactTwoSided, smallestExpectedCount } from '../stats/fisher-exact.js';
import { moverRatio, newcombeDifference } from '../stats/proportion-intervals.js';
import type { EffectType } from './effect.js';

/** One arm's count of converted units. */
export interface ProportionCounts {
  n: number;
  successes: number;
}

/** A score-interval effect estimate (no standard error: the interval is not estimate ± z·se). */
export interface ScoreResult {
  type: EffectType;
  estimate: number;
  /** Two-sided confidence interval at level 1 − alpha. */
  ci: [number, number];
  /**
   * Two-sided p of p_B = p_A: the smallest alpha at which the difference's interval excludes 0
   * (`pValueMethod: 'newcombe-inversion'`), or Fisher's exact p when an expected count is below 5
   * (`'fisher-exact'`; it can then disagree with the interval, see `scorePValue`). 1 when the arms are equal.
   */
  pValue: number;
  pValueMethod: ScorePValueMethod;
  alpha: number;
  method: 'newcombe-wilson' | 'mover-r-wilson';
}

/** How a score result's p-value was found. */
export type ScorePValueMethod = 'newcombe-inversion' | 'fisher-exact';

/** Below this smallest expected count of the 2×2 table the p-value is Fisher's exact one (Cochran 1954). */
export const EXACT_BELOW_EXPECTED = 5;

/**
 * Score-interval test of treatment against control. Null when an arm is empty, or for a relative
 * lift over a control with no conversions (no lift exists; the difference still does).
 * @example
 * scoreTest({ n: 200, successes: 0 }, { n: 200, successes: 3 }, { type: 'absolute' })
 * // { estimate: 0.015, ci: [-0.00628, 0.04317], method: 'newcombe-wilson', … }
 */
export function scoreTest(control: ProportionCounts, treatment: ProportionCounts, options: { type?: EffectType; alpha?: number } = {}): ScoreResult | null {
  const type = options.type ?? 'relative';
  const alpha = options.alpha ?? 0.05;
  if (!(control.n > 0 && treatment.n > 0)) return null;
  const z = normalQuantile(1 - alpha / 2);
  const pValue = scorePValue(control, treatment);
  const pValueMethod = scorePValueMethod(control, treatment);
  if (type === 'absolute') {
    const d = newcombeDifference(treatment.successes, treatment.n, control.successes, control.n, z);
    return { type, estimate: d.estimate, ci: d.ci, pValue, pValueMethod, alpha, method: 'newcombe-wilson' };
  }
  const r = moverRatio(treatment.successes, treatment.n, control.successes, control.n, z);
  if (!r) return null;
  return { type, estimate: r.estimate - 1, ci: [r.ci[0] - 1, r.ci[1] - 1], pValue, pValueMethod, alpha, method: 'mover-r-wilson' };
}

/** Which p-value `scorePValue` gives for these counts. */
export function scorePValueMethod(control: ProportionCounts, treatment: ProportionCounts): ScorePValueMethod {
  const least = smallestExpectedCount(treatment.successes, treatment.n, control.successes, control.n);
  return least < EXACT_BELOW_EXPECTED ? 'fisher-exact' : 'newcombe-inversion';
}

/**
 * The p-value of p_B = p_A. Where every expected count of the 2×2 table is at least 5, the inversion of
 * the score interval: 2Φ(−z*), z* the z at which Newcombe's limit on the side of 0 reaches 0 (the limit
 * moves monotonically with z, as the Wilson limits do; bisection), so p < alpha exactly when the interval
 * excludes 0. Below 5, Fisher's exact p: the inversion reads Wilson's limits at levels where they no
 * longer hold (the limits of 2/2 at z = 9 are not a 1 − 1e-19 interval) — 2/2 against 0/300 was
 * p = 9.7e-20, with Fisher 2.2e-5, and a test at 1e-5 rejected 1.8% of the time (2 units against 300, both at 1%).
 * There the p and the interval can disagree (2/2 against 0/2: the 95% interval excludes 0, Fisher's p
 * is 1/3): a test of Fisher's p at alpha errs at most alpha of the time, the interval can err more
 * (docs/measure-statistics.md).
 * @example scorePValue({ n: 80, successes: 48 }, { n: 70, successes: 56 }) // ≈ 0.0081
 */
export function scorePValue(control: ProportionCounts, treatment: ProportionCounts): number {
  const d = treatment.successes / treatment.n - control.successes / control.n;
  if (d === 0) return 1;
  if (scorePValueMethod(control, treatment) === 'fisher-exact') {
    return fisherExactTwoSided(treatment.successes, treatment.n, control.successes, control.n);
  }
  const towardZero = (z: number) => {
    const ci = newcombeDifference(treatment.successes, treatment.n, control.successes, control.n, z).ci;
    return d > 0 ? ci[0] : -ci[1];
  };
  let lo = 0;
  let hi = 40;
  if (towardZero(hi) > 0) return 2 * normalCdf(-hi);
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (towardZero(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 2 * normalCdf(-(lo + hi) / 2);
}
