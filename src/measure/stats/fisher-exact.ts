/**
 * Fisher's exact test for two proportions x1/n1 and x2/n2 (the 2×2 table [[x1, n1 − x1], [x2, n2 − x2]]):
 * given the margins, x1 is hypergeometric (n1 + n2 units, x1 + x2 successes, n1 drawn) under
 * p1 = p2, and the two-sided p is the total probability of every table no more likely than the one
 * observed (relative tolerance 1e-7, as R's fisher.test and scipy.stats.fisher_exact). Valid at any
 * count (its size never exceeds alpha), conservative at small counts.
 */
import { logGamma } from '../../maths/special.js';

/** ln C(n, k). */
const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Two-sided p-value of Fisher's exact test. Sums outward from the mode with the ratio of successive
 * terms (in units of the mode's probability), stopping where a term is below 1e-17 of the observed
 * table's (the terms fall monotonically on each side, the distribution being log-concave).
 * @example fisherExactTwoSided(2, 2, 0, 300) // ≈ 2.2002e-5 = 1 / C(302, 2)
 */
export function fisherExactTwoSided(x1: number, n1: number, x2: number, n2: number): number {
  const total = n1 + n2;
  const successes = x1 + x2;
  const lo = Math.max(0, successes - n2);
  const hi = Math.min(successes, n1);
  if (hi <= lo) return 1;
  const logPmf = (k: number) => logChoose(successes, k) + logChoose(total - successes, n1 - k) - logChoose(total, n1);
  const mode = Math.min(hi, Math.max(lo, Math.floor(((successes + 1) * (n1 + 1)) / (total + 2))));
  const logMode = logPmf(mode);
  const bound = Math.exp(logPmf(x1) - logMode) * (1 + 1e-7);
  const floor = bound * 1e-17;
  // pmf(k + 1) / pmf(k) = (K − k)(n1 − k) / ((k + 1)(n2 − K + k + 1)), K = successes.
  const up = (k: number) => ((successes - k) * (n1 - k)) / ((k + 1) * (n2 - successes + k + 1));
  let sum = 0;
  for (let k = mode, t = 1; k >= lo && t > 0 && t >= floor; k--) {
    if (t <= bound) sum += t;
    if (k > lo) t /= up(k - 1);
  }
  for (let k = mode + 1, t = up(mode); k <= hi && t > 0 && t >= floor; k++) {
    if (t <= bound) sum += t;
    t *= up(k);
  }
  return Math.min(1, sum * Math.exp(logMode));
}

/**
 * The smallest expected count of the 2×2 table under p1 = p2 (row total × column total / n). Below 5
 * a large-sample approximation is not trusted (Cochran, Biometrics 10 (1954) 417–451).
 * @example smallestExpectedCount(2, 2, 0, 300) // 2 · 2 / 302 ≈ 0.0132
 */
export function smallestExpectedCount(x1: number, n1: number, x2: number, n2: number): number {
  const total = n1 + n2;
  const successes = Math.min(x1 + x2, total - x1 - x2);
  return (Math.min(n1, n2) * successes) / total;
}
