/**
 * The statistical checks behind each monitor metric. Each returns the observed value, the
 * expected band (from the key's own baseline; for calibration, from the rate model's predictions),
 * tail p-values, and whether there is enough evidence to judge at all — thin data never alerts.
 */
import { normalCdf, normalQuantile } from '../../maths/distributions.js';
import {
  BetaBinomial,
  negativeBinomialCdf,
  negativeBinomialQuantile,
  negativeBinomialSf,
} from '../stats/predictive.js';

export interface CheckResult {
  observed: number;
  /**
   * Band the observed value was expected in: each side's 1 − alpha bound, as each side fires (a
   * value fires high exactly when it lies above `high`, low when below `low`). Until 2026-12-05 the
   * band was the central 1 − alpha range (alpha / 2 a side) while each side fired at alpha, so a
   * value between the two quantiles fired "above its expected band" while inside it.
   */
  expected: { low: number; high: number; center: number };
  /** Upper-tail and lower-tail predictive p-values. */
  pHigh: number;
  pLow: number;
  enoughEvidence: boolean;
}

/**
 * A rate in the current window (events / trials) against the Beta-binomial predictive of the
 * baseline. Evidence: at least `minTrials` current trials, `minBaselineTrials` baseline trials.
 * @example rateCheck({ events: 30, trials: 1000 }, { events: 20, trials: 10000 }, 0.001) // pHigh ≪ 0.001
 */
export function rateCheck(
  current: { events: number; trials: number },
  baseline: { events: number; trials: number },
  alpha: number,
  evidence = { minTrials: 100, minBaselineTrials: 500 },
): CheckResult {
  const a = baseline.events + 0.5;
  const b = baseline.trials - baseline.events + 0.5;
  const n = current.trials;
  const enoughEvidence = rateEvidence(n, baseline.trials, evidence);
  const observed = n > 0 ? current.events / n : 0;
  if (n === 0) return { observed, expected: { low: 0, high: 0, center: a / (a + b) }, pHigh: 1, pLow: 1, enoughEvidence: false };
  const d = new BetaBinomial(n, a, b);
  return {
    observed,
    expected: { low: d.quantile(alpha) / n, high: d.quantile(1 - alpha) / n, center: a / (a + b) },
    pHigh: d.sf(current.events),
    pLow: d.cdf(current.events),
    enoughEvidence,
  };
}

/**
 * Whether a rate has the evidence to be judged: enough trials now and in its baseline.
 * @example rateEvidence(1000, 10_000, { minTrials: 100, minBaselineTrials: 500 }) // true
 */
export function rateEvidence(trials: number, baselineTrials: number, evidence: { minTrials: number; minBaselineTrials: number }): boolean {
  return trials >= evidence.minTrials && baselineTrials >= evidence.minBaselineTrials;
}

/**
 * A count in the current window against the negative-binomial predictive of the baseline
 * (baseline spans `windows` current-window lengths).
 * @example volumeCheck(500, 1200, 12, 0.001) // pHigh ≪ 0.001: 5× the usual volume
 */
export function volumeCheck(current: number, baselineCount: number, windows: number, alpha: number, minBaseline = 50): CheckResult {
  const r = baselineCount + 0.5;
  const p = windows / (windows + 1);
  return {
    observed: current,
    expected: {
      low: negativeBinomialQuantile(alpha, r, p),
      high: negativeBinomialQuantile(1 - alpha, r, p),
      center: r / windows,
    },
    pHigh: negativeBinomialSf(current, r, p),
    pLow: negativeBinomialCdf(current, r, p),
    enoughEvidence: baselineCount >= minBaseline && windows > 0,
  };
}

/**
 * Calibration of a rate model: observed responses against Σ predicted, with variance
 * Σ p(1 − p) (independent Bernoulli outcomes). Evidence: at least `minExpected` predicted events.
 * @example calibrationCheck(60, 100, 95, 0.001) // observed/expected = 0.6: the model over-predicts
 */
export function calibrationCheck(observed: number, predictedSum: number, predictedSqSum: number, alpha: number, minExpected = 20): CheckResult {
  const variance = Math.max(predictedSum - predictedSqSum, 1e-12);
  const z = (observed - predictedSum) / Math.sqrt(variance);
  const half = Math.sqrt(variance) * normalQuantile(1 - alpha);
  return {
    observed,
    expected: { low: Math.max(0, predictedSum - half), high: predictedSum + half, center: predictedSum },
    // Φ(−z), not 1 − Φ(z): the difference rounds to 0 beyond z ≈ 8.3, where the tail is still ~1e-16.
    pHigh: normalCdf(-z),
    pLow: normalCdf(z),
    enoughEvidence: predictedSum >= minExpected,
  };
}
