/**
 * Ridge-penalised logistic regression fitted by Newton's method (IRLS) with a Cholesky solve.
 * The intercept (column 0, which callers set to 1) is not penalised.
 */
import { cholesky, choleskySolve, spdInverseInPlace } from '../math/linalg.js';
import { sigmoid } from '../math/special.js';

/** A fitted linear-logistic model: P(y=1|x) = σ(x·coef). */
export interface LogisticModel {
  coef: Float64Array;
  /** Inverse of the penalised Hessian at the optimum: the Laplace covariance of coef (d×d). */
  covariance: Float64Array;
  iterations: number;
}

/**
 * Fits coefficients on rows `rows` of X (n×d row-major) with labels y ∈ [0, 1].
 *
 * @example
 * const m = fitLogistic(X, d, y, { lambda: 1 });
 * predictLogistic(m, X.subarray(0, d)); // P(y=1) for the first row
 */
export function fitLogistic(
  X: Float64Array,
  d: number,
  y: ArrayLike<number>,
  opts: { lambda?: number; rows?: ArrayLike<number>; weights?: ArrayLike<number>; maxIter?: number; tol?: number } = {},
): LogisticModel {
  const { lambda = 1, maxIter = 50, tol = 1e-10 } = opts;
  const n = y.length;
  const rows = opts.rows ?? Int32Array.from({ length: n }, (_, i) => i);
  const coef = new Float64Array(d);
  const H = new Float64Array(d * d);
  const g = new Float64Array(d);
  let it = 0;
  for (; it < maxIter; it++) {
    H.fill(0);
    g.fill(0);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const off = i * d;
      let eta = 0;
      for (let k = 0; k < d; k++) eta += X[off + k] * coef[k];
      const p = sigmoid(eta);
      const wi = opts.weights ? opts.weights[i] : 1;
      const resid = wi * (y[i] - p);
      const curv = wi * p * (1 - p);
      for (let a = 0; a < d; a++) {
        const xa = X[off + a];
        if (xa === 0) continue;
        g[a] += resid * xa;
        const ca = curv * xa;
        for (let b = 0; b <= a; b++) H[a * d + b] += ca * X[off + b];
      }
    }
    for (let a = 1; a < d; a++) {
      g[a] -= lambda * coef[a];
      H[a * d + a] += lambda;
    }
    H[0] += 1e-9;
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) H[a * d + b] = H[b * d + a];
    const Hcopy = Float64Array.from(H);
    const step = choleskySolve(cholesky(H, d), d, g);
    let size = 0;
    for (let k = 0; k < d; k++) {
      coef[k] += step[k];
      size = Math.max(size, Math.abs(step[k]));
    }
    H.set(Hcopy);
    if (size < tol) break;
  }
  return { coef, covariance: spdInverseInPlace(H, d), iterations: it + 1 };
}

/**
 * P(y = 1 | x).
 *
 * @example
 * predictLogistic({ coef: Float64Array.from([0]), covariance: Float64Array.from([1]), iterations: 1 }, [1]); // 0.5
 */
export function predictLogistic(model: LogisticModel, x: ArrayLike<number>): number {
  let eta = 0;
  for (let k = 0; k < model.coef.length; k++) eta += x[k] * model.coef[k];
  return sigmoid(eta);
}

/**
 * Variance of the linear predictor x·coef under the Laplace covariance (for delta-method intervals).
 *
 * @example
 * linearVariance(model, x); // xᵀ·Σ·x
 */
export function linearVariance(model: LogisticModel, x: ArrayLike<number>): number {
  const d = model.coef.length;
  let v = 0;
  for (let a = 0; a < d; a++) {
    if (x[a] === 0) continue;
    let row = 0;
    for (let b = 0; b < d; b++) row += model.covariance[a * d + b] * x[b];
    v += x[a] * row;
  }
  return Math.max(v, 0);
}
