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
  /**
   * Posterior mean of the effect; null when it is infinite — a lift over a control rate whose
   * posterior reaches 0 (no conversions): E[1/p_A] diverges (`note` says so).
   */
  expected: number | null;
  /** Posterior standard deviation of the effect; null when it is infinite (a lift over a control with at most one conversion). */
  sd: number | null;
  /** Central credible interval at level 1 − alpha. */
  ci: [number, number];
  /** P(effect > 0), or P(effect < 0) when lower is better. */
  chanceToWin: number;
  /**
   * Expected loss, in effect units, of shipping control (if treatment is better) and of shipping
   * treatment; null when it is infinite (keeping a control without conversions, on a lift).
   */
  risk: { control: number | null; treatment: number | null };
  /** 'beta-binomial' for a proportion read from its counts (`bayesianProportionTest`). */
  method: 'gaussian-effect' | 'beta-binomial';
  /** Why a moment is null, in a sentence; absent when none is. */
  note?: string;
}

export interface BayesianOptions {
  type?: EffectType;
  alpha?: number;
  /** Normal prior on the effect; omit for GrowthBook's improper flat prior. */
  prior?: { mean: number; variance: number };
  /** Set for guardrails and costs (unsubscribes, complaints): a negative effect is the win. */
  lowerIsBetter?: boolean;
  /**
   * The values the effect can take, e.g. [−1, ∞) for the lift of a metric that cannot be negative.
   * The Gaussian posterior's mass beyond an end is put at that end (the posterior of the effect
   * censored to its range): mean, sd, interval and losses are the censored effect's, so none leaves
   * the range; the chance to win is unchanged (both ends lie either side of 0).
   */
  range?: [number, number];
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
  const [lo, hi] = options.range ?? [-Infinity, Infinity];
  // E[max(X, 0)] for X ~ N(mu, sd²); 0 for mu = −∞ (an open end adds nothing).
  const positivePart = (mu: number) => (mu === -Infinity ? 0 : mu * normalCdf(mu / sd) + sd * normalPdf(mu / sd));
  // For Δc = min(max(Δ, lo), hi), lo ≤ 0 ≤ hi: E[max(Δc, 0)] = E[max(Δ, 0)] − E[max(Δ − hi, 0)], and
  // E[max(−Δc, 0)] = E[max(−Δ, 0)] − E[max(lo − Δ, 0)].
  const gain = positivePart(mean) - positivePart(mean - hi);
  const loss = positivePart(-mean) - positivePart(lo - mean);
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const censored = options.range ? censoredMoments(mean, sd, lo, hi) : { mean, sd };
  return {
    type,
    expected: censored.mean,
    sd: censored.sd,
    ci: [clamp(mean - z * sd), clamp(mean + z * sd)],
    chanceToWin: chanceToWin(control, treatment, options, normalCdf((sign * mean) / sd)),
    risk: sign > 0 ? { control: gain, treatment: loss } : { control: loss, treatment: gain },
    method: 'gaussian-effect',
  };
}

/**
 * The chance the treatment wins. A lift over |control mean| has the sign of the difference, so
 * P(lift > 0) = P(Δ > 0): without a prior on the lift it is read from the difference's posterior,
 * not from the delta method's normal approximation of the ratio — that one departs from it where
 * the control's mean is uncertain (a holdout's value near 0 read 0.699 as a lift against 1.000 as a
 * difference, for one verdict). GrowthBook's gbstats reads it from the lift's approximation; here
 * the two effect types of one metric give one chance.
 */
function chanceToWin(control: ArmSummary, treatment: ArmSummary, options: BayesianOptions, fromEffect: number): number {
  if ((options.type ?? 'relative') !== 'relative' || options.prior) return fromEffect;
  const d = effectMoments(control, treatment, 'absolute');
  if (!d) return fromEffect;
  return normalCdf(((options.lowerIsBetter ? -1 : 1) * d.estimate) / d.se);
}

/**
 * Mean and sd of min(max(X, lo), hi) for X ~ N(m, s²) (ends may be infinite): with a = (lo − m)/s,
 * b = (hi − m)/s, E = lo·Φ(a) + m(Φ(b) − Φ(a)) + s(φ(a) − φ(b)) + hi(1 − Φ(b)) and
 * E[·²] = lo²Φ(a) + (m² + s²)(Φ(b) − Φ(a)) + s((m + lo)φ(a) − (m + hi)φ(b)) + hi²(1 − Φ(b)).
 */
function censoredMoments(m: number, s: number, lo: number, hi: number): { mean: number; sd: number } {
  const a = (lo - m) / s;
  const b = (hi - m) / s;
  const [Fa, fa] = lo === -Infinity ? [0, 0] : [normalCdf(a), normalPdf(a)];
  const [Fb, fb] = hi === Infinity ? [1, 0] : [normalCdf(b), normalPdf(b)];
  const below = Fa > 0 ? lo * Fa : 0;
  const above = Fb < 1 ? hi * (1 - Fb) : 0;
  const mean = below + m * (Fb - Fa) + s * (fa - fb) + above;
  const tails = (Fa > 0 ? lo * lo * Fa + (m + lo) * s * fa : 0) + (Fb < 1 ? hi * hi * (1 - Fb) - (m + hi) * s * fb : 0);
  const second = (m * m + s * s) * (Fb - Fa) + tails;
  return { mean: Math.min(hi, Math.max(lo, mean)), sd: Math.sqrt(Math.max(0, second - mean * mean)) };
}
