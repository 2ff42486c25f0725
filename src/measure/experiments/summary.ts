/**
 * Sufficient statistics of one arm for one metric. Every experiment statistic in Tact works
 * from these, so a store can aggregate in SQL (count, sum, sum of squares) and never ship rows.
 */

/** One arm's summary of one metric. */
export interface ArmSummary {
  /** Units (subjects) in the arm. */
  n: number;
  /** Mean of the metric per unit (after CUPED when adjusted). */
  mean: number;
  /** Per-unit variance of the metric (after CUPED when adjusted). */
  variance: number;
  /**
   * Mean before any variance reduction. Relative lifts divide by it, as GrowthBook does,
   * so CUPED changes the precision of a lift but not its meaning.
   */
  unadjustedMean?: number;
}

/**
 * Summary of a continuous metric from its count, sum and sum of squares (sample variance, n − 1).
 * @example summarizeMean(10, 100, 1002.25) // { n: 10, mean: 10, variance: 0.25 }
 */
export function summarizeMean(n: number, sum: number, sumSquares: number): ArmSummary {
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 1 ? Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1)) : 0;
  return { n, mean, variance };
}

/**
 * Summary of a binary metric (conversion): variance p(1 − p), as GrowthBook's ProportionStatistic.
 * @example summarizeProportion(100, 49) // { n: 100, mean: 0.49, variance: 0.2499 }
 */
export function summarizeProportion(n: number, successes: number): ArmSummary {
  const p = n > 0 ? successes / n : 0;
  return { n, mean: p, variance: p * (1 - p) };
}

/**
 * Summary from raw per-unit values.
 * @example summarizeValues([0.7, -1.6, -0.2]).mean // ≈ -0.3667
 */
export function summarizeValues(values: ArrayLike<number>): ArmSummary {
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    sumSquares += values[i] * values[i];
  }
  // Two-pass variance: the one-pass formula loses digits when the mean is large.
  const n = values.length;
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
  return { n, mean, variance: n > 1 ? ss / (n - 1) : 0 };
}

/** Denominator of a relative lift: the control's unadjusted mean. */
export function baselineMean(s: ArmSummary): number {
  return s.unadjustedMean ?? s.mean;
}
