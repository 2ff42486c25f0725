/**
 * Always-valid ("peeking-safe") inference: the asymptotic confidence sequence of
 * Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and
 * asymptotic confidence sequences" (arXiv 2103.06476, eq. 9 and 161), as GrowthBook's
 * sequential engine uses it. It is a normal-mixture sequential probability ratio test — the
 * mSPRT of Johari, Pekelis & Walsh (2017) — so the interval can be read after every batch and
 * the false-positive rate stays at alpha. The price: a wider interval than a fixed-horizon test,
 * narrowest near n = tuning parameter.
 */
import { type EffectType, effectMoments } from './effect.js';
import type { ArmSummary } from './summary.js';

export interface SequentialResult {
  type: EffectType;
  estimate: number;
  se: number;
  /** Always-valid confidence interval at level 1 − alpha. */
  ci: [number, number];
  /** Always-valid p-value (1 / e-value, capped at 1): p < alpha exactly when 0 is outside `ci`. */
  pValue: number;
  alpha: number;
  /** Total units (both arms) at which the interval is tuned to be narrowest. */
  tuning: number;
  method: 'sequential-mixture';
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
  const n = control.n + treatment.n;
  const rho = sequentialRho(alpha, tuning);
  const nr2 = n * rho * rho;
  // Per-observation variance s² = se² · n; the half-width is s·sqrt(2(nρ²+1)/(nρ)² · ln(√(nρ²+1)/α)).
  const half = m.se * Math.sqrt(((2 * (nr2 + 1)) / nr2) * Math.log(Math.sqrt(nr2 + 1) / alpha));
  const z2 = (m.estimate * m.estimate) / (m.se * m.se);
  const logE = (nr2 * z2) / (2 * (nr2 + 1)) - 0.5 * Math.log(nr2 + 1);
  return {
    type,
    estimate: m.estimate,
    se: m.se,
    ci: [m.estimate - half, m.estimate + half],
    pValue: Math.min(1, Math.exp(-logE)),
    alpha,
    tuning,
    method: 'sequential-mixture',
  };
}
