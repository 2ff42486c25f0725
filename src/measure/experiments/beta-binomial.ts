/**
 * Exact Bayesian comparison of two conversion rates under Beta priors: the probability that B
 * beats A in closed form (Evan Miller, "Formulas for Bayesian A/B Testing", 2015) and the
 * expected loss of each choice (Chris Stucchio, "Bayesian A/B Testing at VWO", 2015).
 * The closed form needs B's posterior alpha to be a whole number: counts plus an integer prior.
 */
import { logBeta } from '../../maths/special.js';

export interface BetaArm {
  successes: number;
  failures: number;
}

export interface BetaBinomialResult {
  /** P(p_B > p_A). */
  probabilityBBeatsA: number;
  /** E[max(p_B − p_A, 0)]: what shipping A would cost if B is better. */
  lossOfChoosingA: number;
  /** E[max(p_A − p_B, 0)]. */
  lossOfChoosingB: number;
}

/**
 * P(p_B > p_A) for p_A ~ Beta(aA, bA), p_B ~ Beta(aB, bB), aB a positive integer.
 * @example probabilityBBeatsA(2, 1, 1, 1) // = 1/3
 */
export function probabilityBBeatsA(aA: number, bA: number, aB: number, bB: number): number {
  if (!Number.isInteger(aB) || aB < 1) {
    throw new RangeError(`The closed form needs an integer alpha for B; it was ${aB}. Use an integer prior.`);
  }
  let total = 0;
  const lbA = logBeta(aA, bA);
  for (let i = 0; i < aB; i++) {
    total += Math.exp(logBeta(aA + i, bA + bB) - Math.log(bB + i) - logBeta(1 + i, bB) - lbA);
  }
  return Math.min(1, Math.max(0, total));
}

/**
 * Exact readout of two binomial arms with a Beta(prior.alpha, prior.beta) prior on each rate.
 * @example
 * betaBinomialTest({ successes: 49, failures: 51 }, { successes: 51, failures: 49 })
 * // { probabilityBBeatsA: 0.61077, lossOfChoosingA: 0.03872, lossOfChoosingB: 0.01912 }
 */
export function betaBinomialTest(a: BetaArm, b: BetaArm, prior = { alpha: 1, beta: 1 }): BetaBinomialResult {
  const aA = a.successes + prior.alpha;
  const bA = a.failures + prior.beta;
  const aB = b.successes + prior.alpha;
  const bB = b.failures + prior.beta;
  const meanA = aA / (aA + bA);
  const meanB = aB / (aB + bB);
  const h = probabilityBBeatsA(aA, bA, aB, bB);
  // Stucchio: each loss is a difference of two tilted win probabilities.
  const hA1 = probabilityBBeatsA(aA + 1, bA, aB, bB);
  const hB1 = probabilityBBeatsA(aA, bA, aB + 1, bB);
  return {
    probabilityBBeatsA: h,
    lossOfChoosingA: Math.max(0, meanB * hB1 - meanA * hA1),
    lossOfChoosingB: Math.max(0, meanA * (1 - hA1) - meanB * (1 - hB1)),
  };
}
