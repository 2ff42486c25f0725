/**
 * Bayesian readout with a normal approximation to the effect's posterior, as GrowthBook's
 * GaussianEffectABTest: chance to beat control, a credible interval, and the expected loss
 * ("risk") of shipping either arm. With the default flat prior the posterior is
 * N(estimate, se²); an informative prior N(mean, variance) on the effect shrinks it.
 */
import { normalCdf, normalPdf, normalQuantile } from '../../maths/distributions.js';
import { type EffectType, effectMoments } from './effect.js';
import type { ArmSummary } from './summary.js';

export interface BayesianResult {
  type: EffectType;
  /** Posterior mean of the effect. */
  expected: number;
  /** Posterior standard deviation of the effect. */
  sd: number;
  /** Central credible interval at level 1 − alpha. */
  ci: [number, number];
  /** P(effect > 0), or P(effect < 0) when lower is better. */
  chanceToWin: number;
  /** Expected loss, in effect units, of shipping control (if treatment is better) and of shipping treatment. */
  risk: { control: number; treatment: number };
  /** 'beta-binomial' for a proportion read from its counts (`bayesianProportionTest`). */
  method: 'gaussian-effect' | 'beta-binomial';
}

export interface BayesianOptions {
  type?: EffectType;
  alpha?: number;
  /** Normal prior on the effect; omit for GrowthBook's improper flat prior. */
  prior?: { mean: number; variance: number };
  /** Set for guardrails and costs (unsubscribes, complaints): a negative effect is the win. */
  lowerIsBetter?: boolean;
}

/**
 * Bayesian comparison of treatment with control.
 * @example
 * bayesianTest(summarizeProportion(100, 49), summarizeProportion(100, 51))
 * // { expected: 0.04082, ci: [-0.24779, 0.32943], chanceToWin: 0.60918, risk: { control: 0.0814, treatment: 0.04058 } }
 */
export function bayesianTest(control: ArmSummary, treatment: ArmSummary, options: BayesianOptions = {}): BayesianResult | null {
  const type = options.type ?? 'relative';
  const alpha = options.alpha ?? 0.05;
  const m = effectMoments(control, treatment, type);
  if (!m) return null;
  let mean = m.estimate;
  let variance = m.se * m.se;
  if (options.prior) {
    const precision = 1 / options.prior.variance + 1 / variance;
    mean = (options.prior.mean / options.prior.variance + mean / variance) / precision;
    variance = 1 / precision;
  }
  const sd = Math.sqrt(variance);
  const z = normalQuantile(1 - alpha / 2);
  const sign = options.lowerIsBetter ? -1 : 1;
  // Expected gain of the better direction: E[max(sign·Δ, 0)] for Δ ~ N(mean, sd²).
  const positivePart = (mu: number) => mu * normalCdf(mu / sd) + sd * normalPdf(mu / sd);
  return {
    type,
    expected: mean,
    sd,
    ci: [mean - z * sd, mean + z * sd],
    chanceToWin: normalCdf((sign * mean) / sd),
    risk: { control: positivePart(sign * mean), treatment: positivePart(-sign * mean) },
    method: 'gaussian-effect',
  };
}
