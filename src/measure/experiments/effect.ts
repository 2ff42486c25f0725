/**
 * The point estimate and standard error of a treatment effect, absolute (B − A) or relative
 * ((B − A) / A, delta method), shared by the frequentist, sequential and Bayesian readouts.
 * Formulas follow GrowthBook's gbstats (frequentist/tests.py, utils.variance_of_ratios).
 */
import { type ArmSummary, baselineMean } from './summary.js';

export type EffectType = 'absolute' | 'relative';

/** Effect moments: estimate and its standard error, plus Welch–Satterthwaite degrees of freedom. */
export interface EffectMoments {
  type: EffectType;
  estimate: number;
  se: number;
  df: number;
}

/**
 * Effect of `treatment` over `control`. Returns null when it cannot be estimated (an empty arm,
 * zero variance, or a zero baseline for a relative effect) — a readout says so rather than print 0.
 * A relative effect is the difference over the size of the control's mean, (B − A)/|A|, so a
 * negative baseline (a value with costs) keeps the difference's sign, as gbstats' relative ratio
 * CUPED does (its denominator is |unadjusted mean|).
 * @example effectMoments(summarizeMean(3407, 1396.87, 52377.9767), summarizeMean(3461, 2422.7, 134698.29), 'absolute')
 * // { estimate: 0.29, se: 0.12478, … }
 */
export function effectMoments(control: ArmSummary, treatment: ArmSummary, type: EffectType): EffectMoments | null {
  const { n: na, variance: va } = control;
  const { n: nb, variance: vb } = treatment;
  if (na < 2 || nb < 2 || va + vb <= 0) return null;
  const diff = treatment.mean - control.mean;
  const df = welchDf(va, na, vb, nb);
  if (type === 'absolute') return { type, estimate: diff, se: Math.sqrt(va / na + vb / nb), df };
  const ma = baselineMean(control);
  const mb = baselineMean(treatment);
  if (ma === 0) return null;
  // Delta method for (B − A)/|A| with independent arms (Deng, Knoblich & Lu, "Applying the Delta
  // Method in Metric Analytics", KDD 2018): the gradient of B/A is (−B/A², 1/A), the same squared for |A|.
  const variance = vb / (ma * ma * nb) + (va * mb * mb) / (ma ** 4 * na);
  // 0 when the treatment is constant at 0 (no revenue at all): the slope in A, −B/A², is 0 there, and
  // the lift would read −100% ± 0 whatever the control's spread. No interval: not estimable.
  if (!(variance > 0)) return null;
  return { type, estimate: diff / Math.abs(ma), se: Math.sqrt(variance), df };
}

/**
 * Welch–Satterthwaite degrees of freedom.
 * @example welchDf(3.9 ** 2, 3407, 6.2 ** 2, 3461) // ≈ 5833
 */
export function welchDf(va: number, na: number, vb: number, nb: number): number {
  const a = va / na;
  const b = vb / nb;
  const denom = (a * a) / (na - 1) + (b * b) / (nb - 1);
  return denom > 0 ? ((a + b) * (a + b)) / denom : Infinity;
}

/**
 * The smallest alpha a readout takes (a 99.9999% interval): below about 1e-16, 1 − alpha/2 rounds
 * to 1 in a double and a normal or t quantile to infinity; from 1e-15 the quantile already loses
 * digits (a t multiplier 8.014 where 8.094 is right). The API and the CLI refuse smaller.
 */
export const MIN_ALPHA = 1e-6;
