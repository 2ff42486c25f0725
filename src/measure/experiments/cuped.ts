/**
 * CUPED variance reduction (Deng, Xu, Kohavi & Walker, "Improving the Sensitivity of Online
 * Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013): analyse
 * Y − θ·X, where X is the same metric in a pre-period and θ = cov(Y, X) / var(X) pooled over
 * all arms. The effect keeps its meaning (θ is common to the arms) and its variance shrinks by
 * the factor 1 − ρ²(X, Y). Variance formula as GrowthBook's RegressionAdjustedStatistic.
 */
import type { ArmSummary } from './summary.js';

/** Sufficient statistics of one arm with a pre-period covariate. */
export interface CupedArmSums {
  n: number;
  /** Σ Y (post-period metric). */
  sumPost: number;
  sumSquaresPost: number;
  /** Σ X (pre-period metric). */
  sumPre: number;
  sumSquaresPre: number;
  /** Σ X·Y. */
  sumProducts: number;
}

/**
 * Pooled CUPED coefficient θ = cov(Y, X) / var(X) over all arms (0 when X does not vary).
 * @example cupedTheta([{ n: 3, sumPost: 6, sumSquaresPost: 14, sumPre: 6, sumSquaresPre: 14, sumProducts: 14 }]) // = 1
 */
export function cupedTheta(arms: readonly CupedArmSums[]): number {
  const j = arms.reduce(
    (s, a) => ({
      n: s.n + a.n,
      sumPost: s.sumPost + a.sumPost,
      sumSquaresPost: s.sumSquaresPost + a.sumSquaresPost,
      sumPre: s.sumPre + a.sumPre,
      sumSquaresPre: s.sumSquaresPre + a.sumSquaresPre,
      sumProducts: s.sumProducts + a.sumProducts,
    }),
    { n: 0, sumPost: 0, sumSquaresPost: 0, sumPre: 0, sumSquaresPre: 0, sumProducts: 0 },
  );
  if (j.n < 2) return 0;
  const cov = j.sumProducts - (j.sumPost * j.sumPre) / j.n;
  const varPre = j.sumSquaresPre - (j.sumPre * j.sumPre) / j.n;
  return varPre > 0 ? cov / varPre : 0;
}

/**
 * One arm's CUPED-adjusted summary for a given θ; `unadjustedMean` keeps the raw post mean.
 * @example cupedAdjust(sums, cupedTheta([sumsA, sumsB])) // feed to welchTest / sequentialTest / bayesianTest
 */
export function cupedAdjust(arm: CupedArmSums, theta: number): ArmSummary {
  const { n } = arm;
  const meanPost = n > 0 ? arm.sumPost / n : 0;
  const meanPre = n > 0 ? arm.sumPre / n : 0;
  if (n < 2) return { n, mean: meanPost - theta * meanPre, variance: 0, unadjustedMean: meanPost };
  const varPost = (arm.sumSquaresPost - (arm.sumPost * arm.sumPost) / n) / (n - 1);
  const varPre = (arm.sumSquaresPre - (arm.sumPre * arm.sumPre) / n) / (n - 1);
  const cov = (arm.sumProducts - (arm.sumPost * arm.sumPre) / n) / (n - 1);
  return {
    n,
    mean: meanPost - theta * meanPre,
    variance: Math.max(0, varPost + theta * theta * varPre - 2 * theta * cov),
    unadjustedMean: meanPost,
  };
}

/**
 * Sums of one arm from raw per-unit (pre, post) pairs.
 * @example cupedSums([1, 2], [1.5, 2.5]) // { n: 2, sumPre: 3, sumPost: 4, … }
 */
export function cupedSums(pre: ArrayLike<number>, post: ArrayLike<number>): CupedArmSums {
  const s: CupedArmSums = { n: pre.length, sumPost: 0, sumSquaresPost: 0, sumPre: 0, sumSquaresPre: 0, sumProducts: 0 };
  for (let i = 0; i < pre.length; i++) {
    s.sumPre += pre[i];
    s.sumSquaresPre += pre[i] * pre[i];
    s.sumPost += post[i];
    s.sumSquaresPost += post[i] * post[i];
    s.sumProducts += pre[i] * post[i];
  }
  return s;
}
