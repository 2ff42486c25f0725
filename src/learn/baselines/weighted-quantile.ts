/**
 * Quantiles for prediction intervals: the split-conformal order statistic for exchangeable data,
 * its weighted form for drifting data (recent scores weigh more, so intervals follow drift), and
 * the symmetric conformal test behind anomaly flags.
 */

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

/** The largest weight (0 for none): the newest score's, when weights decay with age. */
const largest = (weights: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < weights.length; i++) m = Math.max(m, weights[i]);
  return m;
};

/**
 * The weight each tail of a weighted conformal interval may leave out, in the test point's units
 * (see {@link weightedConformalInterval}); the interval is bounded when it is at least 1.
 */
function tailBudget(weights: ArrayLike<number>, level: number, testWeight: number): number {
  let total = testWeight;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  // 1e-9 of the test point's weight: the same floating-point allowance as conformalInterval's.
  return testWeight > 0 ? (((1 - level) / 2) * total) / testWeight + 1e-9 : 0;
}

/**
 * Weighted (non-exchangeable) split-conformal interval — Barber, Candès, Ramdas & Tibshirani,
 * "Conformal prediction beyond exchangeability", Annals of Statistics 51 (2023). The test point
 * joins the n weighted scores as a point at +∞ (upper bound) or −∞ (lower bound) with weight
 * `testWeight` (default: the largest of `weights`, the newest score's); each bound is the
 * quantile at (1−level)/2 from its side of Σ wᵢ·δ(xᵢ) + w₍ₙ₊₁₎·δ(±∞), normalised by
 * Σ wᵢ + w₍ₙ₊₁₎. Each side leaves out at most (1−level)/2 of that mass, the unseen test point's
 * included, so on exchangeable data it misses at most that — the finite-sample correction a plain
 * weighted quantile lacks (with decaying weights that one is too narrow). With equal weights it
 * is exactly {@link conformalInterval}. Unbounded (±∞) while the test point's own mass exceeds a
 * tail: a 98% range needs Σ wᵢ ≥ 99 · w₍ₙ₊₁₎.
 *
 * @example
 * weightedConformalInterval([1, …, 19], new Array(19).fill(1), 0.9); // [1, 19], as conformalInterval
 * weightedConformalInterval(scores, ages.map((a) => 0.5 ** (a / 14)), 0.9, 1);
 */
export function weightedConformalInterval(values: ArrayLike<number>, weights: ArrayLike<number>, level: number, testWeight = largest(weights)): [number, number] {
  const n = values.length;
  const budget = tailBudget(weights, level, testWeight);
  if (n === 0 || budget < 1) return [-Infinity, Infinity];
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  // From each end, leave out the test point (1 in its units) then scores while the budget lasts;
  // the bound is the first score that does not fit.
  const bound = (order: (j: number) => number): number => {
    let out = 1;
    for (let j = 0; j < n; j++) {
      const i = order(j);
      out += weights[i] / testWeight;
      if (out > budget) return values[i];
    }
    return values[order(n - 1)]; // unreachable while level > 0: the budget is under half the mass
  };
  return [bound((j) => idx[j]), bound((j) => idx[n - 1 - j])];
}

/**
 * Whether {@link weightedConformalInterval} at `level` is bounded for these weights: the test
 * point's share of the mass fits in a tail. Needs only the weights (no sort).
 *
 * @example
 * weightedConformalBounded(new Array(19).fill(1), 0.9, 1); // true: (19 + 1) · 0.05 = 1
 * weightedConformalBounded(new Array(98).fill(1), 0.98, 1); // false: (98 + 1) · 0.01 < 1
 */
export function weightedConformalBounded(weights: ArrayLike<number>, level: number, testWeight = largest(weights)): boolean {
  return weights.length > 0 && tailBudget(weights, level, testWeight) >= 1;
}

/**
 * Conformal p-value of a new score `score` among weighted scores, on absolute values (a symmetric
 * test: a reading far from the forecast on either side is as strange as its distance):
 * p = (w₍ₙ₊₁₎ + Σ wᵢ·1[|xᵢ| ≥ |score|]) / (w₍ₙ₊₁₎ + Σ wᵢ), ties counting against the new score.
 * With equal weights on exchangeable scores P(p ≤ α) ≤ α, = ⌊α(n+1)⌋/(n+1) for continuous ones
 * (Vovk, Gammerman & Shafer 2005; Lei et al. 2018 for split conformal); with other fixed weights,
 * up to the drift term of Barber et al. 2023, Thm 2. The least p is w₍ₙ₊₁₎ / total: with equal
 * weights 1/(n+1), so a test at α can reject only once n + 1 ≥ 1/α.
 *
 * @example
 * symmetricConformalPValue([1, -2, 3], [1, 1, 1], -2.5); // 0.5: |3| ≥ 2.5, plus the new score itself, of 4
 */
export function symmetricConformalPValue(values: ArrayLike<number>, weights: ArrayLike<number>, score: number, testWeight = 1): number {
  const a = Math.abs(score);
  let total = testWeight;
  let atLeast = testWeight;
  for (let i = 0; i < values.length; i++) {
    total += weights[i];
    if (Math.abs(values[i]) >= a) atLeast += weights[i];
  }
  return atLeast / total;
}

/**
 * The radius R of the equal-weight symmetric conformal test at `level` (α = 1 − level): a new
 * score is rejected — {@link symmetricConformalPValue} ≤ α — exactly when |score| > R, R being
 * the k-th largest |xᵢ| with k = ⌊α(n+1)⌋. Infinite while k = 0 (n + 1 < 1/α: no score could be
 * rejected; 49 scores at least for 98%).
 *
 * @example
 * symmetricConformalRadius([...new Array(48).fill(1), -3], 0.98); // 3: 49 scores, k = 1
 * symmetricConformalRadius(new Array(48).fill(1), 0.98); // Infinity
 */
export function symmetricConformalRadius(values: ArrayLike<number>, level: number): number {
  const n = values.length;
  const k = Math.floor((n + 1) * (1 - level) + 1e-9); // 1 − 0.98 is not exactly 0.02 in binary
  if (k < 1) return Infinity;
  const abs = Float64Array.from(values, Math.abs).sort();
  return abs[n - k];
}
