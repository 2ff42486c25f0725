/**
 * Fixed-horizon readout of a conversion-type metric (a proportion) from its counts: Newcombe's
 * hybrid score interval for the difference (method 10, Statistics in Medicine 17 (1998) 873–890)
 * and MOVER-R from the same Wilson limits for the relative lift. Unlike the Wald interval these
 * stay honest at small and zero counts (0/200 against 3/200), where Wald is far too narrow.
 * The p-value inverts the interval: p < alpha exactly when the interval at level 1 − alpha
 * excludes 0, for the difference and the lift alike.
 */
import { normalCdf, normalQuantile } from '../../maths/distributions.js';
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
  /** The smallest alpha at which the interval excludes 0 (1 when the arms are equal). */
  pValue: number;
  alpha: number;
  method: 'newcombe-wilson' | 'mover-r-wilson';
}

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
  if (type === 'absolute') {
    const d = newcombeDifference(treatment.successes, treatment.n, control.successes, control.n, z);
    return { type, estimate: d.estimate, ci: d.ci, pValue, alpha, method: 'newcombe-wilson' };
  }
  const r = moverRatio(treatment.successes, treatment.n, control.successes, control.n, z);
  if (!r) return null;
  return { type, estimate: r.estimate - 1, ci: [r.ci[0] - 1, r.ci[1] - 1], pValue, alpha, method: 'mover-r-wilson' };
}

/**
 * The p-value of the score interval: 2Φ(−z*), z* the z at which Newcombe's limit on the side of 0
 * reaches 0 (the limit moves monotonically with z, as the Wilson limits do; bisection).
 * @example scorePValue({ n: 80, successes: 48 }, { n: 70, successes: 56 }) // ≈ 0.0081
 */
export function scorePValue(control: ProportionCounts, treatment: ProportionCounts): number {
  const d = treatment.successes / treatment.n - control.successes / control.n;
  if (d === 0) return 1;
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
