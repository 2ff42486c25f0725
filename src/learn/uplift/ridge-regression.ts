/**
 * Ridge regression in closed form, (XᵀWX + λI)⁻¹XᵀWy, intercept (column 0) unpenalised —
 * the second stage of the X-learner.
 */
import { cholesky, choleskySolve, spdInverseInPlace } from '../math/linalg.js';

/** Fitted ridge coefficients and their approximate covariance σ̂²·(XᵀWX + λI)⁻¹. */
export interface RidgeModel {
  coef: Float64Array;
  covariance: Float64Array;
}

/**
 * Fits coefficients on rows `rows` of X (n×d row-major).
 *
 * @example
 * // y = 2 + 3x exactly:
 * fitRidge(Float64Array.from([1, 0, 1, 1, 1, 2]), 2, [2, 5, 8], { lambda: 0 }).coef; // ≈ [2, 3]
 */
export function fitRidge(X: Float64Array, d: number, y: ArrayLike<number>, opts: { lambda?: number; rows?: ArrayLike<number>; weights?: ArrayLike<number> } = {}): RidgeModel {
  const { lambda = 1 } = opts;
  const rows = opts.rows ?? Int32Array.from({ length: y.length }, (_, i) => i);
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const off = i * d;
    const wi = opts.weights ? opts.weights[i] : 1;
    for (let a = 0; a < d; a++) {
      const xa = wi * X[off + a];
      if (xa === 0) continue;
      b[a] += xa * y[i];
      for (let c = 0; c <= a; c++) A[a * d + c] += xa * X[off + c];
    }
  }
  for (let a = 1; a < d; a++) A[a * d + a] += lambda;
  A[0] += 1e-9;
  for (let a = 0; a < d; a++) for (let c = a + 1; c < d; c++) A[a * d + c] = A[c * d + a];
  const Acopy = Float64Array.from(A);
  const coef = choleskySolve(cholesky(A, d), d, b);
  let rss = 0;
  let wsum = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const wi = opts.weights ? opts.weights[i] : 1;
    const e = y[i] - predictLinear(coef, X.subarray(i * d, (i + 1) * d));
    rss += wi * e * e;
    wsum += wi;
  }
  const sigma2 = rss / Math.max(1, wsum - d);
  const covariance = spdInverseInPlace(Acopy, d);
  for (let k = 0; k < covariance.length; k++) covariance[k] *= sigma2;
  return { coef, covariance };
}

/** Linear prediction x·coef. @example predictLinear(Float64Array.from([2, 3]), [1, 2]) // 8 */
export function predictLinear(coef: ArrayLike<number>, x: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < coef.length; k++) s += x[k] * coef[k];
  return s;
}
