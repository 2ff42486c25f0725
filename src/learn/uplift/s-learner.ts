/**
 * Single-model ("S-") learner with shrunken interactions: one ridge-logistic model over
 * [x, t_k, t_k·x] (t_k = 1 if the row got action k), where the action main effects are lightly
 * penalised and the action × feature interactions heavily (λ_interaction). With strong shrinkage
 * the action shifts the log-odds by a constant, so the absolute uplift σ(f(x) + β_k) − σ(f(x)) is
 * largest where the baseline is highest — a low-variance structure that the data can override
 * through the interactions when it has the evidence. Standard errors by the delta method from the
 * model's Laplace covariance.
 */
import { type LogisticModel, fitLogistic, predictLogistic } from './logistic-regression.js';
import type { UpliftData, UpliftModel } from './uplift-data.js';

/** Expanded design row: [x (d), t_1..t_{A−1}, t_1·x_{1..d−1}, …]. */
function expand(x: ArrayLike<number>, d: number, arms: number, arm: number, out: Float64Array): Float64Array {
  out.fill(0);
  for (let k = 0; k < d; k++) out[k] = x[k];
  if (arm > 0) {
    out[d + arm - 1] = 1;
    const base = d + (arms - 1) + (arm - 1) * (d - 1);
    for (let k = 1; k < d; k++) out[base + k - 1] = x[k];
  }
  return out;
}

/**
 * Fits an S-learner on the given rows (default: all).
 *
 * @example
 * const model = fitSLearner(train, { lambda: 1, interactionLambda: 100 });
 * model.uplift(x); // [0, τ_1(x), τ_2(x)]
 */
export function fitSLearner(data: UpliftData, opts: { lambda?: number; interactionLambda?: number; rows?: ArrayLike<number> } = {}): UpliftModel {
  const { d, arms } = data;
  const D = d + (arms - 1) + (arms - 1) * (d - 1);
  const rows = opts.rows ?? Int32Array.from({ length: data.arm.length }, (_, i) => i);
  const Z = new Float64Array(rows.length * D);
  const y = new Float64Array(rows.length);
  const tmp = new Float64Array(D);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    Z.set(expand(data.X.subarray(i * d, (i + 1) * d), d, arms, data.arm[i], tmp), r * D);
    y[r] = data.y[i];
  }
  // Different penalties per block: rescaling a column by c divides its effective penalty by c².
  const lambda = opts.lambda ?? 1;
  const scale = Math.sqrt(lambda / (opts.interactionLambda ?? 100));
  for (let r = 0; r < rows.length; r++) for (let k = d + arms - 1; k < D; k++) Z[r * D + k] *= scale;
  const fitted: LogisticModel = fitLogistic(Z, D, y, { lambda });
  const coef = Float64Array.from(fitted.coef, (c, k) => (k >= d + arms - 1 ? c * scale : c));
  const cov = Float64Array.from(fitted.covariance, (c, idx) => {
    const a = Math.floor(idx / D);
    const b = idx % D;
    return c * (a >= d + arms - 1 ? scale : 1) * (b >= d + arms - 1 ? scale : 1);
  });
  const model: LogisticModel = { coef, covariance: cov, iterations: fitted.iterations };
  const design = (x: ArrayLike<number>, k: number) => expand(x, d, arms, k, new Float64Array(D));
  const outcomes = (x: ArrayLike<number>) => Float64Array.from({ length: arms }, (_, k) => predictLogistic(model, design(x, k)));
  return {
    kind: 's-learner',
    arms,
    outcomes,
    uplift(x) {
      const o = outcomes(x);
      return Float64Array.from(o, (v) => v - o[0]);
    },
    upliftStandardError(x) {
      const z0 = design(x, 0);
      const p0 = predictLogistic(model, z0);
      return Float64Array.from({ length: arms }, (_, k) => {
        if (k === 0) return 0;
        const zk = design(x, k);
        const pk = predictLogistic(model, zk);
        // gradient of σ(zk·β) − σ(z0·β) in β
        const g = Float64Array.from({ length: D }, (_, j) => pk * (1 - pk) * zk[j] - p0 * (1 - p0) * z0[j]);
        let v = 0;
        for (let a = 0; a < D; a++) {
          if (g[a] === 0) continue;
          for (let b = 0; b < D; b++) v += g[a] * cov[a * D + b] * g[b];
        }
        return Math.sqrt(Math.max(v, 0));
      });
    },
  };
}
