/**
 * X-learner (Künzel, Sekhon, Bickel & Yu, PNAS 2019) for each action against "none":
 * stage 1 fits the T-learner's outcome models μ_k; stage 2 regresses the imputed effects
 * D¹ = Y − μ_none(x) on the action's rows and D⁰ = μ_k(x) − Y on the control rows (ridge), and
 * blends them: τ_k(x) = g·τ⁰(x) + (1 − g)·τ¹(x), g = share of the action among the two arms'
 * rows (the propensity; constant under randomisation). Standard errors from the ridge covariances.
 */
import { type LogisticModel, fitLogistic, predictLogistic } from './logistic-regression.js';
import { type RidgeModel, fitRidge, predictLinear } from './ridge-regression.js';
import { type UpliftData, type UpliftModel, rowsOfArm } from './uplift-data.js';

interface ArmEffect {
  g: number;
  tau0: RidgeModel;
  tau1: RidgeModel;
}

/**
 * Fits an X-learner on the given rows (default: all).
 *
 * @example
 * const model = fitXLearner(train, { lambda: 1 });
 * model.uplift(x); // [0, τ_1(x), τ_2(x)]
 */
export function fitXLearner(data: UpliftData, opts: { lambda?: number; ridgeLambda?: number; rows?: ArrayLike<number> } = {}): UpliftModel {
  const { d, X, y } = data;
  const byArm = Array.from({ length: data.arms }, (_, k) => rowsOfArm(data, k, opts.rows));
  const mu: LogisticModel[] = byArm.map((rows) => fitLogistic(X, d, y, { lambda: opts.lambda ?? 1, rows }));
  const row = (i: number) => X.subarray(i * d, (i + 1) * d);
  const effects: (ArmEffect | null)[] = [null];
  for (let k = 1; k < data.arms; k++) {
    const imputed = new Float64Array(y.length);
    for (const i of byArm[k]) imputed[i] = y[i] - predictLogistic(mu[0], row(i));
    for (const i of byArm[0]) imputed[i] = predictLogistic(mu[k], row(i)) - y[i];
    const lambda = opts.ridgeLambda ?? 10;
    effects.push({
      g: byArm[k].length / (byArm[k].length + byArm[0].length),
      tau1: fitRidge(X, d, imputed, { lambda, rows: byArm[k] }),
      tau0: fitRidge(X, d, imputed, { lambda, rows: byArm[0] }),
    });
  }
  const quadratic = (cov: Float64Array, x: ArrayLike<number>) => {
    let v = 0;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) v += x[a] * cov[a * d + b] * x[b];
    return Math.max(v, 0);
  };
  return {
    kind: 'x-learner',
    arms: data.arms,
    outcomes: (x) => Float64Array.from(mu, (m) => predictLogistic(m, x)),
    uplift: (x) => Float64Array.from(effects, (e) => (e ? e.g * predictLinear(e.tau0.coef, x) + (1 - e.g) * predictLinear(e.tau1.coef, x) : 0)),
    upliftStandardError: (x) =>
      Float64Array.from(effects, (e) => (e ? Math.sqrt(e.g ** 2 * quadratic(e.tau0.covariance, x) + (1 - e.g) ** 2 * quadratic(e.tau1.covariance, x)) : 0)),
  };
}
