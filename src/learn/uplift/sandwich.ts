/**
 * The robust ("sandwich", Huber 1967 / White 1980) covariance of a weighted logistic fit:
 * C · M · C, where C is the inverse of the (penalised) weighted Hessian — the Laplace covariance
 * the fit returns — and M = Σ wᵢ² (yᵢ − pᵢ)² xᵢ xᵢᵀ the spread of the weighted scores. With equal
 * weights and a well-specified model the two agree; with inverse-propensity weights the Laplace
 * covariance treats a row of weight 20 as 20 independent rows and is too narrow, the sandwich
 * is not. Neither holds up when the fit separates (an arm whose rows all failed, or all
 * succeeded: p → 0 or 1 on every row, and the meat goes to 0): the T-learner bounds each arm's
 * variance from below by its rows (t-learner.ts `rateVarianceFloor`).
 *
 * @example
 * const m = fitLogistic(X, d, y, { rows, weights });
 * const robust = sandwichCovariance(X, d, y, rows, weights, m.coef, m.covariance);
 */
export function sandwichCovariance(X: Float64Array, d: number, y: ArrayLike<number>, rows: ArrayLike<number>, weights: ArrayLike<number> | undefined, coef: ArrayLike<number>, bread: ArrayLike<number>): Float64Array {
  const M = new Float64Array(d * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const off = i * d;
    let eta = 0;
    for (let k = 0; k < d; k++) eta += X[off + k] * coef[k];
    const p = 1 / (1 + Math.exp(-eta));
    const s = (weights ? weights[i] : 1) * (y[i] - p);
    const s2 = s * s;
    for (let a = 0; a < d; a++) {
      const xa = X[off + a];
      if (xa === 0) continue;
      for (let b = 0; b <= a; b++) M[a * d + b] += s2 * xa * X[off + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) M[a * d + b] = M[b * d + a];
  const CM = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let k = 0; k < d; k++) {
    const c = bread[a * d + k];
    if (c === 0) continue;
    for (let b = 0; b < d; b++) CM[a * d + b] += c * M[k * d + b];
  }
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let k = 0; k < d; k++) {
    const c = CM[a * d + k];
    if (c === 0) continue;
    for (let b = 0; b < d; b++) out[a * d + b] += c * bread[k * d + b];
  }
  return out;
}
