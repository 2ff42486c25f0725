/**
 * Quantiles for prediction intervals: the weighted empirical quantile (recent residuals weigh
 * more, so intervals follow drift) and the split-conformal order statistic for exchangeable data.
 */

/**
 * Weighted quantile: the smallest value whose cumulative weight reaches q of the total.
 *
 * @example
 * weightedQuantile([3, 1, 2], [1, 1, 1], 0.5); // 2
 */
export function weightedQuantile(values: ArrayLike<number>, weights: ArrayLike<number>, q: number): number {
  const idx = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let acc = 0;
  for (const i of idx) {
    acc += weights[i];
    if (acc >= q * total - 1e-12) return values[i];
  }
  return values[idx[idx.length - 1]];
}

/**
 * Split-conformal interval from n exchangeable past values: [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎] with
 * k = ⌊(n+1)·(1−level)/2⌋, which holds a new exchangeable value with probability ≥ level
 * (Vovk et al. 2005; Lei et al. 2018). With too few values (k = 0) the interval is unbounded.
 *
 * @example
 * conformalInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], 0.9); // [1, 19]
 */
export function conformalInterval(values: ArrayLike<number>, level: number): [number, number] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const k = Math.floor(((n + 1) * (1 - level)) / 2 + 1e-9); // 1 − 0.9 is 0.0999…9 in binary
  if (k < 1) return [-Infinity, Infinity];
  return [sorted[k - 1], sorted[n - k]];
}
