/**
 * Standardisation of feature columns (z-scores), fitted on training rows and applied anywhere:
 * k-means and the uplift features both need features on comparable scales.
 */

/** Column means and standard deviations (sd of a constant column is 1, and it maps to exactly 0). */
export interface Standardizer {
  mean: Float64Array;
  sd: Float64Array;
}

/**
 * Fits column means and sds over rows of X (n×d row-major), optionally a subset of rows.
 *
 * @example
 * fitStandardizer(Float64Array.from([1, 10, 3, 30]), 2); // mean [2, 20], sd [√2, √200]
 */
export function fitStandardizer(X: Float64Array, d: number, rows?: ArrayLike<number>): Standardizer {
  const n = rows ? rows.length : X.length / d;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  const at = (r: number) => (rows ? rows[r] : r) * d;
  // Each value divided first: a sum of large values could overflow where their mean does not.
  for (let r = 0; r < n; r++) for (let k = 0; k < d; k++) mean[k] += X[at(r) + k] / n;
  for (let k = 0; k < d; k++) {
    // That mean of n equal values can be an ulp off the value (ten 1s: 0.9999999999999999), which
    // would leave a constant column a variance of rounding errors for the clusters to "explain".
    let constant = n > 0;
    for (let r = 1; r < n && constant; r++) constant = X[at(r) + k] === X[at(0) + k];
    if (constant) mean[k] = X[at(0) + k];
  }
  for (let r = 0; r < n; r++) for (let k = 0; k < d; k++) sd[k] += (X[at(r) + k] - mean[k]) ** 2;
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(sd[k] / Math.max(1, n - 1));
    sd[k] = s > 1e-12 ? s : 1;
  }
  return { mean, sd };
}

/**
 * Standardised copy of one row.
 *
 * @example
 * standardizeRow({ mean: Float64Array.from([2]), sd: Float64Array.from([2]) }, [6]); // [2]
 */
export function standardizeRow(s: Standardizer, x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: s.mean.length }, (_, k) => (x[k] - s.mean[k]) / s.sd[k]);
}

/**
 * Standardised copy of a whole matrix.
 *
 * @example
 * standardizeMatrix(s, X, d);
 */
export function standardizeMatrix(s: Standardizer, X: Float64Array, d: number): Float64Array {
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = (X[i] - s.mean[i % d]) / s.sd[i % d];
  return out;
}
