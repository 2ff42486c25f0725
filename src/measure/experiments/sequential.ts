/**
 * Always-valid ("peeking-safe") inference: the asymptotic confidence sequence of
 * Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and
 * asymptotic confidence sequences" (arXiv 2103.06476, eq. 9 and 161), as GrowthBook's
 * sequential engine uses it. It is a normal-mixture sequential probability ratio test — the
 * mSPRT of Johari, Pekelis & Walsh (2017) — so the interval can be read after every batch and
 * the false-positive rate stays at alpha. The price: a wider interval than a fixed-horizon test,
 * narrowest near n = tuning parameter.
 *
 * A proportion read from its counts gets the Agresti–Caffo variance (`sequentialProportionTest`):
 * Wald's p(1 − p)/n is 0 at 0 or n conversions, which made the interval zero-width (a lift of
 * −1 ± 0 at 3/200 against 0/200) or impossible to compute (0/500 against 500/500).
 *
 * The mixture is a normal approximation (a central limit theorem), with no small-sample correction:
 * over an arm of a few units it was narrower than Welch's fixed-horizon t interval at the same
 * level (2 units against 300: [3.12, 20.88], p 0.0036, where Welch's p is 0.105 at df 1). An
 * interval valid at every look is never narrower than one valid at a single look, so a mean's
 * interval is the wider of the two, and its p the larger (`floor: 'welch-t'` when Welch's is).
 */
import { studentTQuantile, studentTTwoSided } from '../../maths/distributions.js';
import { type EffectType, type EffectMoments, effectMoments } from './effect.js';
import type { ProportionCounts } from './score.js';
import type { ArmSummary } from './summary.js';

export interface SequentialResult {
  type: EffectType;
  estimate: number;
  se: number;
  /** Always-valid confidence interval at level 1 − alpha. */
  ci: [number, number];
  /**
   * Always-valid p-value (1 / e-value, capped at 1; Welch's p when larger): p < alpha exactly when
   * 0 is outside `ci`.
   */
  pValue: number;
  alpha: number;
  /** Total units (both arms) at which the interval is tuned to be narrowest. */
  tuning: number;
  method: 'sequential-mixture';
  /**
   * Set when the fixed-horizon interval at the same level reached past the mixture's, and so the
   * interval and p shown cover it: Welch's t (`welch-t`: a mean over few units, its degrees of
   * freedom `df`), or a proportion's score interval (`score`: asymmetric, it can pass the mixture's
   * symmetric one on one side — a relative lift over a control with few conversions).
   */
  floor?: { method: 'welch-t'; df: number } | { method: 'score' };
}

export interface SequentialOptions {
  type?: EffectType;
  alpha?: number;
  /** Expected total sample size; GrowthBook's default is 5000. */
  tuning?: number;
}

/**
 * Mixing parameter ρ for a tuning sample size N (eq. 161 of arXiv 2103.06476).
 * @example sequentialRho(0.05, 5000) // ≈ 0.0391
 */
export function sequentialRho(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuning);
}

/**
 * Always-valid test of treatment against control.
 * @example
 * sequentialTest(summarizeProportion(3000, 1396), summarizeProportion(3461, 2422))
 * // { estimate: 0.50386, ci: [0.40098, 0.60675], pValue: 0, … } (GrowthBook's test values)
 */
export function sequentialTest(control: ArmSummary, treatment: ArmSummary, options: SequentialOptions = {}): SequentialResult | null {
  const type = options.type ?? 'relative';
  const alpha = options.alpha ?? 0.05;
  const tuning = options.tuning ?? 5000;
  const m = effectMoments(control, treatment, type);
  if (!m) return null;
  return fromMoments(m, control.n + treatment.n, alpha, tuning);
}

/**
 * Always-valid test of a proportion from its counts. The estimate is the observed one; its
 * variance adds one success and one failure to each arm (Agresti & Caffo, The American
 * Statistician 54 (2000) 280–288): p̃ = (x + 1)/(n + 2), Var(p̂) ≈ p̃(1 − p̃)/(n + 2), so the interval
 * is never zero-width, and at large counts it is Wald's. Null when an arm is empty, or for a
 * relative lift over a control without conversions (the difference still exists).
 * @example
 * sequentialProportionTest({ n: 200, successes: 3 }, { n: 200, successes: 0 })
 * // { estimate: -1, ci: [-2.34513, 0.34513], … } (Wald: [-1, -1])
 */
export function sequentialProportionTest(
  control: ProportionCounts,
  treatment: ProportionCounts,
  options: SequentialOptions = {},
): SequentialResult | null {
  const type = options.type ?? 'relative';
  const alpha = options.alpha ?? 0.05;
  const tuning = options.tuning ?? 5000;
  if (!(control.n > 0 && treatment.n > 0)) return null;
  const pa = control.successes / control.n;
  const pb = treatment.successes / treatment.n;
  const va = agrestiCaffoVariance(control);
  const vb = agrestiCaffoVariance(treatment);
  let m: EffectMoments;
  if (type === 'absolute') m = { type, estimate: pb - pa, se: Math.sqrt(va + vb), df: Infinity };
  else if (pa === 0) return null;
  // Delta method for p_B/p_A − 1, as effectMoments: Var(p_B)/p_A² + p_B²·Var(p_A)/p_A⁴.
  else m = { type, estimate: (pb - pa) / pa, se: Math.sqrt(vb / (pa * pa) + (pb * pb * va) / pa ** 4), df: Infinity };
  return fromMoments(m, control.n + treatment.n, alpha, tuning);
}

/** Var(x/n) with one success and one failure added: p̃(1 − p̃)/(n + 2), p̃ = (x + 1)/(n + 2). */
function agrestiCaffoVariance(c: ProportionCounts): number {
  const p = (c.successes + 1) / (c.n + 2);
  return (p * (1 - p)) / (c.n + 2);
}

function fromMoments(m: EffectMoments, n: number, alpha: number, tuning: number): SequentialResult {
  const type = m.type;
  const rho = sequentialRho(alpha, tuning);
  const nr2 = n * rho * rho;
  // Per-observation variance s² = se² · n; the half-width is s·sqrt(2(nρ²+1)/(nρ)² · ln(√(nρ²+1)/α)).
  const half = m.se * Math.sqrt(((2 * (nr2 + 1)) / nr2) * Math.log(Math.sqrt(nr2 + 1) / alpha));
  const z2 = (m.estimate * m.estimate) / (m.se * m.se);
  const logE = (nr2 * z2) / (2 * (nr2 + 1)) - 0.5 * Math.log(nr2 + 1);
  const pValue = Math.min(1, Math.exp(-logE));
  const result: SequentialResult = { type, estimate: m.estimate, se: m.se, ci: [m.estimate - half, m.estimate + half], pValue, alpha, tuning, method: 'sequential-mixture' };
  // At df = ∞ (counts) the mixture is always the wider: its half-width² exceeds 2·ln(1/α)·se² ≥ z²·se².
  if (!Number.isFinite(m.df)) return result;
  // Over many units the mixture's interval is the wider one: a bound on the quantile settles it
  // without solving for the quantile itself (≈ 20 µs a test; a readout over a grid of peeks runs thousands).
  if (m.df >= 2 && alpha > 0 && alpha < 1 && tQuantileAtMost(1 - alpha / 2, m.df) * m.se <= half) return result;
  const welchHalf = studentTQuantile(1 - alpha / 2, m.df) * m.se;
  if (!(welchHalf > half)) return result;
  // Welch's p at least: then p < alpha still exactly when 0 is outside the (wider) interval.
  const welchP = studentTTwoSided(m.estimate / m.se, m.df);
  return { ...result, ci: [m.estimate - welchHalf, m.estimate + welchHalf], pValue: Math.max(pValue, welchP), floor: { method: 'welch-t', df: m.df } };
}

/** Student's t quantiles at p by ⌊log₂ df⌋ (for p > 1/2 the quantile falls as df grows). */
const T_BOUNDS = new Map<number, Map<number, number>>();

/**
 * An upper bound on Student's t quantile at p (> 1/2) with df ≥ 2 degrees of freedom: the quantile
 * at the power of two at or below df, computed once per p and power.
 */
function tQuantileAtMost(p: number, df: number): number {
  const k = Math.floor(Math.log2(df));
  let byPower = T_BOUNDS.get(p);
  if (!byPower) {
    // A bounded cache: one entry per level an operator chooses, ≤ 1024 powers each.
    if (T_BOUNDS.size >= 16) T_BOUNDS.clear();
    T_BOUNDS.set(p, (byPower = new Map()));
  }
  let q = byPower.get(k);
  if (q === undefined) byPower.set(k, (q = studentTQuantile(p, 2 ** k)));
  return q;
}

/**
 * The always-valid result of a proportion read from its counts, widened to cover the fixed-horizon
 * score interval of the same counts at the same level, its p the larger of the two: an interval
 * valid at every look is never narrower than one valid at a single look. The mixture's interval is
 * symmetric about the delta-method estimate and the score interval is not, so on a skewed lift it
 * reached past the mixture's on one side (QA 2026-12-06: unsubscribes 24/1340 against 1/1349, the
 * lift's always-valid [−1, −0.7772] inside the score interval's [−0.9929, −0.7496] at its top).
 *
 * @example
 * coverScore(sequentialProportionTest(a, b, { type: 'relative' }), scoreTest(a, b, { type: 'relative' }));
 */
export function coverScore(s: SequentialResult | null, score: { ci: [number, number]; pValue: number } | null): SequentialResult | null {
  if (!s || !score) return s;
  if (score.ci[0] >= s.ci[0] && score.ci[1] <= s.ci[1]) return s;
  return { ...s, ci: [Math.min(s.ci[0], score.ci[0]), Math.max(s.ci[1], score.ci[1])], pValue: Math.max(s.pValue, score.pValue), floor: { method: 'score' } };
}
