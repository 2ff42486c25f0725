import { regularizedBeta } from '../src/maths/special.js';

/**
 * P(B ≤ k) for B ~ Binomial(n, p): 1 − I_p(k + 1, n − k) = I_(1−p)(n − k, k + 1) (0 ≤ k < n).
 *
 * @example binomialCdf(99, 100, 0.99) // 0.634 (= 1 − 0.99¹⁰⁰)
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return regularizedBeta(1 - p, n - k, k + 1);
}

/** The smallest k with P(B ≤ k) ≥ u, B ~ Binomial(n, p) (scipy's binom.ppf). */
export function binomialQuantile(u: number, n: number, p: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (binomialCdf(mid, n, p) >= u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A distribution-free confidence interval for the q-quantile of the distribution a sample came
 * from, between two of its order statistics (Conover, Practical Nonparametric Statistics, 3rd ed.,
 * §3.2; Hahn & Meeker, Statistical Intervals, §5.2): the number of draws at or below the quantile
 * is Binomial(n, q), so [x₍ₗ₎, x₍ᵤ₎] with l = binom.ppf(α/2) and u = binom.ppf(1 − α/2) + 1 (1-based
 * ranks) holds it with probability at least `level`. When u passes n no order statistic bounds it
 * from above (`high` is Infinity): 100 draws cannot bound a p99 — all 100 fall below it 37% of
 * the time (0.99¹⁰⁰). `sorted` is ascending.
 *
 * @example
 * quantileInterval(latencies.sort((a, b) => a - b), 0.99); // { low: x₍₅₉₂₄₎, high: x₍₅₉₅₆₎ } for 6,000 draws
 */
export function quantileInterval(sorted: readonly number[], q: number, level = 0.95): { low: number; high: number } {
  const n = sorted.length;
  if (n === 0) return { low: -Infinity, high: Infinity };
  const alpha = 1 - level;
  const l = binomialQuantile(alpha / 2, n, q);
  const u = binomialQuantile(1 - alpha / 2, n, q) + 1;
  return { low: l >= 1 ? sorted[l - 1] : -Infinity, high: u <= n ? sorted[u - 1] : Infinity };
}

/** An interval for JSON: an end no sample bounds is null. */
export function intervalJson(i: { low: number; high: number }, digits = 2): [number | null, number | null] {
  const end = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
  return [end(i.low), end(i.high)];
}

