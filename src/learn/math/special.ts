/**
 * The special functions the models use. The numerical work lives once, in src/maths (shared
 * with measure); this file gives it the names the models were written with and adds the
 * logistic helpers of the bandit and uplift models.
 */
export { erfc, normalCdf, normalPdf, normalQuantile } from '../../maths/distributions.js';
export { logBeta as lnBeta, logGamma as lnGamma } from '../../maths/special.js';

/** Logistic function 1/(1+e^−x), stable for large |x|. @example sigmoid(0) // 0.5 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Log-odds ln(p/(1−p)). @example logit(0.5) // 0 */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}
