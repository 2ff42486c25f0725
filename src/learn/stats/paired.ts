/**
 * Paired comparisons of two versions' scores of the same held-out cases (per subject): the mean
 * difference a − b with Student's t-interval, and the verdict the comparators draw from it.
 */
import { studentTQuantile } from '../math/incomplete-beta.js';

/** The mean difference of paired scores with its interval. */
export interface PairedDifference {
  n: number;
  mean: number;
  /** Ends of the interval at `level`; unbounded with fewer than two pairs or no spread. */
  low: number;
  high: number;
  level: number;
  /** Every difference is the same (up to rounding): the mean has no interval, see {@link pairedDifference}. */
  constant: boolean;
}

/**
 * The mean of paired differences a − b with Student's t-interval at `level` (default 95%):
 * mean ± t₍₁₊ₗₑᵥₑₗ₎/₂,ₙ₋₁ · s/√n, as R's `t.test(a, b, paired = TRUE)`. With a few held-out
 * subjects 1.96 standard errors is too narrow (5 pairs: it holds the mean 88% of the time).
 *
 * When every difference is the same (s = 0, or below 10 ε of the differences' size: R's
 * t.test stops there with "data are essentially constant"), a t-interval would be the point
 * itself — a certainty no sample gives: a subject whose difference is unlike the others' may be
 * rare and large, and no bounded interval of a mean holds without some bound on the spread
 * (Bahadur & Savage 1956). The interval is then unbounded and `constant` says why; what the data
 * do show exactly — every subject moved the same way — is judged by the sign test
 * ({@link pairedBelowZero}). With fewer than two pairs the interval is unbounded too.
 *
 * @example
 * pairedDifference([1, 0, 1, 1], [0, 0, 1, 0]); // { n: 4, mean: 0.5, low: −0.419, high: 1.419, level: 0.95, constant: false }
 */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): PairedDifference {
  const n = a.length;
  const unbounded = (mean: number, constant: boolean): PairedDifference => ({ n, mean, low: -Infinity, high: Infinity, level, constant });
  if (n === 0) return unbounded(NaN, false);
  let sum = 0;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    sum += d;
    size = Math.max(size, Math.abs(d));
  }
  const mean = sum / n;
  if (n < 2) return unbounded(mean, false);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - b[i] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  if (se <= 10 * Number.EPSILON * size) return unbounded(mean, true);
  const half = studentTQuantile(0.5 + level / 2, n - 1) * se;
  return { n, mean, low: mean - half, high: mean + half, level, constant: false };
}

/**
 * The exact two-sided sign-test p-value when all n differences fall on one side of 0:
 * 2 · 2⁻ⁿ (1 when there are none, or they are 0).
 *
 * @example
 * sameSideP({ n: 40, mean: -0.1, … }); // 1.8e-12
 */
export function sameSideP(d: Pick<PairedDifference, 'n' | 'mean'>): number {
  return d.n > 0 && d.mean !== 0 ? Math.min(1, Math.pow(2, 1 - d.n)) : 1;
}

/**
 * Whether the difference is significantly below 0 at the interval's level: the whole t-interval
 * is below 0; or, every difference being the same, it is negative and the exact sign test of n
 * out of n rejects (p = 2¹⁻ⁿ ≤ 1 − level: from 6 pairs at 95%).
 *
 * @example
 * pairedBelowZero(pairedDifference(candidateLogLiks, liveLogLiks)); // true: the candidate is worse
 */
export function pairedBelowZero(d: PairedDifference): boolean {
  return d.constant ? d.mean < 0 && sameSideP(d) <= 1 - d.level : d.high < 0;
}

/**
 * Whether the difference is significantly above 0 ({@link pairedBelowZero} mirrored).
 *
 * @example
 * pairedAboveZero(pairedDifference(candidateScores, liveScores)); // true: the candidate's ranges are worse
 */
export function pairedAboveZero(d: PairedDifference): boolean {
  return pairedBelowZero({ ...d, mean: -d.mean, low: -d.high, high: -d.low });
}

/**
 * The difference in words for a comparison's sentence, from the figures a comparison keeps (the
 * mean difference rounded; the 95% interval, or null when every subject's difference was the
 * same): "difference −0.2, 95% CI [−0.405, 0.005]", or "difference −2 for every one of the 50
 * subjects: no spread, so the mean has no interval; exact sign test p = 1.8e-15".
 *
 * @example
 * differenceWords({ n: 30, difference: -0.2, ci: [-0.405, 0.005] }, 'difference per subject');
 */
export function differenceWords(c: { n: number; difference: number; ci: [number, number] | null }, label = 'difference'): string {
  if (c.ci) return `${label} ${c.difference}, 95% CI [${c.ci[0]}, ${c.ci[1]}]`;
  return `${label} ${c.difference} for every one of the ${c.n} subjects: no spread, so the mean has no interval; exact sign test p = ${Number(sameSideP({ n: c.n, mean: c.difference }).toPrecision(2))}`;
}
