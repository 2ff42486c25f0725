/**
 * Choosing a ridge-logistic model's penalty from the data, and correcting for what it shrinks.
 *
 * Why: a fixed λ (10 on standardised features, chosen on Hillstrom's ~10,000 rows an arm) shrinks
 * a small arm's coefficients toward its mean rate, and an interval that counts only the
 * estimate's variance then misses the truth: in a simulation of ~1,200 logged decisions (a QA
 * pass, 2026-12-06; the test in logged-uplift.coverage.test.ts) a 90% uplift interval covered 0.73–0.81 of
 * the time and a sure thing's uplift read +0.036 instead of 0. Two remedies, used together:
 *
 * - {@link chooseRidgeLambda}: λ by K-fold cross-validated (weighted) log-loss over a small grid
 *   (e.g. Hastie, Tibshirani & Friedman, The Elements of Statistical Learning, 2nd ed., §7.10),
 *   the penalty scaled to each fold's share of the rows, so that the chosen λ shrinks less as the
 *   signal in the data grows;
 * - {@link debiasedCoef}: the one-step (Newton) correction of the penalised estimate toward the
 *   unpenalised score equation, b̃ = b + H₀⁻¹·λ·b (H₀ the unpenalised weighted Hessian at b; the
 *   "debiased" / one-step estimator, e.g. Zhang & Zhang 2014, van de Geer et al. 2014, in the
 *   low-dimensional case). The difference of the two fits' predictions estimates the shrinkage's
 *   bias, and the T-learner's interval counts it: its standard error is the root mean squared
 *   error √(variance + bias²), not the standard deviation alone (t-learner.ts).
 */
import { cholesky, choleskySolve, spdInverseInPlace } from '../math/linalg.js';
import { sigmoid } from '../math/special.js';
import { fitLogistic } from './logistic-regression.js';

/** The penalties cross-validation chooses from (on features standardised to unit variance). */
export const RIDGE_GRID: readonly number[] = [0.01, 0.1, 1, 3, 10, 30];
/** Folds of the cross-validation. */
export const RIDGE_FOLDS = 5;

/**
 * The λ of `grid` with the least K-fold cross-validated weighted log-loss on `rows` (fold of a
 * row: its position in `rows` modulo `folds`, so deterministic). Each fold's fit penalises by λ
 * times its share of the rows, so that λ means the same against the weighted log-likelihood of
 * all rows. Ties go to the smaller λ. With fewer rows than twice the folds, the largest λ.
 *
 * @example
 * const lambda = chooseRidgeLambda(X, d, y, rows, weights); // 3 on a few hundred rows, less on more
 * fitLogistic(X, d, y, { lambda, rows, weights });
 */
export function chooseRidgeLambda(
  X: Float64Array,
  d: number,
  y: ArrayLike<number>,
  rows: ArrayLike<number>,
  weights?: ArrayLike<number>,
  o: { grid?: readonly number[]; folds?: number } = {},
): number {
  const grid = o.grid ?? RIDGE_GRID;
  const K = o.folds ?? RIDGE_FOLDS;
  if (d <= 1 || rows.length < 2 * K) return Math.max(...grid);
  const folds = Array.from({ length: K }, (_, f) => ({
    fit: Int32Array.from(Array.from(rows).filter((_, r) => r % K !== f)),
    test: Int32Array.from(Array.from(rows).filter((_, r) => r % K === f)),
  }));
  let best = { loss: Infinity, lambda: Math.max(...grid) };
  for (const lambda of [...grid].sort((a, b) => a - b)) {
    let loss = 0;
    for (const { fit, test } of folds) {
      const m = fitLogistic(X, d, y, { lambda: (lambda * fit.length) / rows.length, rows: fit, weights });
      for (let r = 0; r < test.length; r++) {
        const i = test[r];
        let eta = 0;
        for (let k = 0; k < d; k++) eta += X[i * d + k] * m.coef[k];
        const p = Math.min(Math.max(sigmoid(eta), 1e-12), 1 - 1e-12);
        loss -= (weights ? weights[i] : 1) * (y[i] > 0 ? Math.log(p) : Math.log(1 - p));
      }
    }
    if (loss < best.loss) best = { loss, lambda };
  }
  return best.lambda;
}

/**
 * Σ wᵢ pᵢ(1 − pᵢ) xᵢxᵢᵀ at `coef`, with `lambda` added to the diagonal but for the intercept's
 * (and 1e-9 to the intercept's, as fitLogistic does): the (penalised) weighted Hessian.
 */
function weightedHessian(X: Float64Array, d: number, rows: ArrayLike<number>, weights: ArrayLike<number> | undefined, coef: ArrayLike<number>, lambda: number): Float64Array {
  const H = new Float64Array(d * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const off = i * d;
    let eta = 0;
    for (let k = 0; k < d; k++) eta += X[off + k] * coef[k];
    const p = sigmoid(eta);
    const c = (weights ? weights[i] : 1) * p * (1 - p);
    for (let a = 0; a < d; a++) {
      const xa = X[off + a];
      if (xa === 0) continue;
      for (let b = 0; b <= a; b++) H[a * d + b] += c * xa * X[off + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) H[a * d + b] = H[b * d + a];
  for (let a = 1; a < d; a++) H[a * d + a] += lambda;
  H[0] += 1e-9;
  return H;
}

/**
 * The unpenalised Hessian H₀ at `coef` if it is positive definite, else the penalised one (an arm
 * whose rows separate: the correction is then smaller, never undefined).
 */
function correctionHessian(X: Float64Array, d: number, rows: ArrayLike<number>, weights: ArrayLike<number> | undefined, coef: ArrayLike<number>, lambda: number): Float64Array {
  const H0 = weightedHessian(X, d, rows, weights, coef, 0);
  try {
    cholesky(Float64Array.from(H0), d);
    return H0;
  } catch {
    return weightedHessian(X, d, rows, weights, coef, lambda);
  }
}

/**
 * The one-step debiased coefficients of a ridge-logistic fit (intercept, column 0, unpenalised):
 * b + H₀⁻¹·(0, λ·b₁, …, λ·b_{d−1}), H₀ = Σ wᵢ pᵢ(1 − pᵢ) xᵢxᵢᵀ at b — one Newton step of the
 * unpenalised score from the penalised optimum (where H₀ is singular, the penalised Hessian
 * stands in for it) — and H₀⁻¹, the bread of the debiased estimator's sandwich covariance
 * (sandwich.ts): with it the covariance is that of the one-step estimate, whose spread the
 * penalised fit's own (narrower) covariance understates — on the QA simulation the interval of
 * the penalised covariance plus the bias covered 0.88 and 0.87 of 1,000 logs, with this one 0.89
 * and 0.89 (see the coverage test). Both from one Hessian.
 *
 * @example
 * const m = fitLogistic(X, d, y, { lambda, rows, weights });
 * const { coef: b1, bread } = debiasedFit(X, d, rows, weights, m.coef, lambda);
 * sigmoid(dot(x, m.coef)) - sigmoid(dot(x, b1)); // the shrinkage's bias at x, estimated
 * const cov = sandwichCovariance(X, d, y, rows, weights, m.coef, bread);
 */
export function debiasedFit(X: Float64Array, d: number, rows: ArrayLike<number>, weights: ArrayLike<number> | undefined, coef: ArrayLike<number>, lambda: number): { coef: Float64Array; bread: Float64Array } {
  const H = correctionHessian(X, d, rows, weights, coef, lambda);
  const out = Float64Array.from(coef);
  if (lambda !== 0 && d > 1) {
    const pen = Float64Array.from({ length: d }, (_, k) => (k === 0 ? 0 : lambda * coef[k]));
    const step = choleskySolve(cholesky(Float64Array.from(H), d), d, pen);
    for (let k = 0; k < d; k++) out[k] += step[k];
  }
  return { coef: out, bread: spdInverseInPlace(H, d) };
}

/** The coefficients of {@link debiasedFit} alone. @example debiasedCoef(X, d, rows, weights, m.coef, lambda) */
export function debiasedCoef(X: Float64Array, d: number, rows: ArrayLike<number>, weights: ArrayLike<number> | undefined, coef: ArrayLike<number>, lambda: number): Float64Array {
  return debiasedFit(X, d, rows, weights, coef, lambda).coef;
}
