/**
 * Sample-ratio mismatch: do the observed units per arm fit the configured weights? A tiny p-value
 * means assignment or logging is broken, and every other number in the readout is suspect.
 * GrowthBook warns below p = 0.001; so do we.
 *
 * Pearson's chi-square goodness of fit when every expected count is at least 5 (Cochran,
 * Biometrics 10 (1954) 417–451: below that its p-value is too small — 7 of 100 subjects in a 2%
 * holdout read p = 0.00036, a mismatch, where the exact p is 0.0041). Below it, the exact binomial
 * test (R's binom.test): for two arms, of one arm's count; for more, of each arm against the rest,
 * Bonferroni-combined (k × the smallest p), which never raises more false alarms than its threshold.
 */
import { chiSquareSf } from '../../maths/distributions.js';
import { logGamma } from '../../maths/special.js';

export interface SrmResult {
  /** Pearson's statistic (reported whichever test gave the p-value). */
  chiSquare: number;
  df: number;
  pValue: number;
  /** Units each arm should have had under the weights. */
  expected: number[];
  /** True when pValue < threshold. */
  mismatch: boolean;
  threshold: number;
  /** Which test gave the p-value: χ² when every expected count is ≥ 5, else the exact binomial test(s). */
  method: 'chi-square' | 'exact-binomial' | 'bonferroni-exact-binomial';
}

/**
 * SRM check. Arms with weight ≤ 0 are ignored, as in GrowthBook's check_srm.
 * @example sampleRatioMismatch([1000, 1200], [0.5, 0.5]) // { chiSquare: 18.18, pValue: 2.0e-5, mismatch: true, method: 'chi-square' }
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[], threshold = 0.001): SrmResult {
  if (observed.length !== weights.length) {
    throw new RangeError(`The SRM check needs one weight per arm; it got ${observed.length} arms and ${weights.length} weights.`);
  }
  const total = observed.reduce((s, o) => s + o, 0);
  const totalWeight = weights.reduce((s, w) => s + Math.max(0, w), 0);
  const expected = weights.map((w) => (w > 0 && totalWeight > 0 ? (w / totalWeight) * total : 0));
  let chiSquare = 0;
  const cells: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    if (weights[i] <= 0) continue;
    cells.push(i);
    if (expected[i] > 0) chiSquare += (observed[i] - expected[i]) ** 2 / expected[i];
  }
  const df = Math.max(1, cells.length - 1);
  let pValue = 1;
  let method: SrmResult['method'] = 'chi-square';
  if (total > 0 && cells.length > 1) {
    if (cells.every((i) => expected[i] >= 5)) pValue = chiSquareSf(chiSquare, df);
    else if (cells.length === 2) {
      method = 'exact-binomial';
      pValue = binomialTwoSided(observed[cells[0]], total, weights[cells[0]] / totalWeight);
    } else {
      method = 'bonferroni-exact-binomial';
      const least = Math.min(...cells.map((i) => binomialTwoSided(observed[i], total, weights[i] / totalWeight)));
      pValue = Math.min(1, cells.length * least);
    }
  }
  return { chiSquare, df, pValue, expected, mismatch: pValue < threshold, threshold, method };
}

/**
 * Two-sided exact binomial p-value of x successes in n trials at rate p: the total probability of
 * every count no more likely than x (R's binom.test, scipy.stats.binomtest; relative tolerance 1e-7).
 * Sums outward from the mode with the ratio of successive terms, until they fall below 1e-20 of it.
 * @example binomialTwoSided(7, 100, 0.02) // ≈ 0.0040621
 */
export function binomialTwoSided(x: number, n: number, p: number): number {
  if (!(p > 0)) return x === 0 ? 1 : 0;
  if (!(p < 1)) return x === n ? 1 : 0;
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const logPmf = (k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  const logMode = logPmf(mode);
  // Terms in units of the mode's probability: pmf(k + 1)/pmf(k) = (n − k)/(k + 1) · p/(1 − p).
  const bound = Math.exp(logPmf(x) - logMode) * (1 + 1e-7);
  const odds = p / (1 - p);
  let sum = 0;
  for (let k = mode, t = 1; k >= 0 && t > 1e-20; k--) {
    if (t <= bound) sum += t;
    t *= k / ((n - k + 1) * odds);
  }
  for (let k = mode + 1, t = ((n - mode) / (mode + 1)) * odds; k <= n && t > 1e-20; k++) {
    if (t <= bound) sum += t;
    t *= ((n - k) / (k + 1)) * odds;
  }
  return Math.min(1, sum * Math.exp(logMode));
}
