/**
 * Fixed-horizon frequentist readout: Welch's unequal-variance t-test on the absolute or
 * relative effect, with its confidence interval. Binary metrics use the same test on
 * proportions (variance p(1 − p)), as GrowthBook does.
 */
import { studentTQuantile, studentTTwoSided } from '../../maths/distributions.js';
import { type EffectType, effectMoments } from './effect.js';
import type { ScoreResult } from './score.js';
import type { ArmSummary } from './summary.js';

/**
 * A fixed-horizon effect estimate: Welch's t for means (and CUPED-adjusted proportions), the score
 * intervals of ./score.ts for proportions read from their counts. `null` fields never appear: an
 * inestimable effect is `null` as a whole.
 */
export type FrequentistResult = WelchResult | ScoreResult;

/** Welch's t-test result. */
export interface WelchResult {
  type: EffectType;
  estimate: number;
  se: number;
  /** Two-sided confidence interval at level 1 − alpha. */
  ci: [number, number];
  pValue: number;
  df: number;
  alpha: number;
  method: 'welch-t';
}

export interface TestOptions {
  type?: EffectType;
  /** Significance level; the interval has level 1 − alpha. Default 0.05. */
  alpha?: number;
}

/**
 * Welch's two-sided t-test of treatment against control.
 * @example
 * welchTest(summarizeMean(3407, 1396.87, 52377.9767), summarizeMean(3461, 2422.7, 134698.29), { type: 'absolute' })
 * // { estimate: 0.29, ci: [0.04538, 0.53462], pValue: 0.02016, … } (GrowthBook's test values)
 */
export function welchTest(control: ArmSummary, treatment: ArmSummary, options: TestOptions = {}): WelchResult | null {
  const type = options.type ?? 'relative';
  const alpha = options.alpha ?? 0.05;
  const m = effectMoments(control, treatment, type);
  if (!m) return null;
  const t = m.estimate / m.se;
  const half = studentTQuantile(1 - alpha / 2, m.df) * m.se;
  return {
    type,
    estimate: m.estimate,
    se: m.se,
    ci: [m.estimate - half, m.estimate + half],
    pValue: studentTTwoSided(t, m.df),
    df: m.df,
    alpha,
    method: 'welch-t',
  };
}
