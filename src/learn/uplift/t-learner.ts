/**
 * Two-model ("T-") learner: one ridge-logistic outcome model per arm; uplift of arm k at x is
 * μ_k(x) − μ_none(x). Its standard error comes from the two models' Laplace covariances by the
 * delta method (the models are fitted on disjoint rows, hence independent) — for models restored
 * with the rows each was fitted on, never below the variance of a rate of those rows with one
 * success and one failure added (Agresti & Caffo 2000; {@link rateVarianceFloor}). For models
 * restored with their one-step debiased coefficients (ridge-choice.ts), the standard error is the
 * root mean squared error √(variance + bias²), the bias at x being the difference between the
 * uplift of the penalised fits and that of the debiased ones: the ridge shrinks a small arm
 * toward its mean rate, and an interval of the variance alone then misses the truth.
 */
import { type LogisticModel, fitLogistic, linearVariance, predictLogistic } from './logistic-regression.js';
import { chooseRidgeLambda } from './ridge-choice.js';
import { type UpliftData, type UpliftModel, rowsOfArm } from './uplift-data.js';

/** Serialisable parameters of a T-learner. */
export interface TLearnerParams {
  kind: 't-learner';
  /**
   * Per arm: `rows`, the rows it was fitted on, bounds its standard error from below (absent: no
   * bound); `debiased`, its one-step debiased coefficients, adds the ridge's bias to it (absent: not).
   */
  models: { coef: number[]; covariance: number[]; rows?: number; debiased?: number[] }[];
}

/**
 * Fits a T-learner on the given rows (default: all). `lambda` 'cv' chooses each arm's penalty by
 * cross-validation on its rows (ridge-choice.ts), as the decision-log learner does.
 *
 * @example
 * const model = fitTLearner(train, { lambda: 1 });
 * model.uplift(x); // [0, upliftOfArm1, upliftOfArm2]
 */
export function fitTLearner(data: UpliftData, opts: { lambda?: number | 'cv'; rows?: ArrayLike<number> } = {}): UpliftModel & { params(): TLearnerParams } {
  const models: LogisticModel[] = [];
  for (let k = 0; k < data.arms; k++) {
    const rows = rowsOfArm(data, k, opts.rows);
    const lambda = opts.lambda === 'cv' ? chooseRidgeLambda(data.X, data.d, data.y, rows) : (opts.lambda ?? 1);
    models.push(fitLogistic(data.X, data.d, data.y, { lambda, rows }));
  }
  return tLearnerFrom(models);
}

/**
 * Rebuilds a T-learner from stored parameters.
 *
 * @example
 * const again = restoreTLearner(model.params());
 */
export function restoreTLearner(params: TLearnerParams): UpliftModel & { params(): TLearnerParams } {
  const debiased = params.models.every((m) => m.debiased) ? params.models.map((m) => Float64Array.from(m.debiased!)) : undefined;
  return tLearnerFrom(params.models.map((m) => ({ coef: Float64Array.from(m.coef), covariance: Float64Array.from(m.covariance), iterations: 0 })), params.models.map((m) => m.rows), debiased);
}

/**
 * The least variance an arm's predicted rate p at x may have, fitted on `rows` rows: that of the
 * rate with one success and one failure added, q(1 − q)/(n + 2) with q = (n·p + 1)/(n + 2) — the
 * adjustment whose Wald interval of a difference of two rates keeps its level in small samples
 * (Agresti & Caffo 2000, "Simple and effective confidence intervals for proportions and
 * differences of proportions result from adding two successes and two failures"). Why a floor:
 * when an arm's rows are all failures, or all successes, the fit separates (p → 0 or 1 on every
 * row), and the delta method's (p(1 − p))²·xᵀΣx goes to 0 with the sandwich's meat or the
 * Laplace covariance alike: 43 successes in 43 rows against 57 in 57 gave an uplift of −2·10⁻¹³ in
 * an interval 2·10⁻¹⁴ wide, where the exact 90% interval of 43 in 43 alone is [0.933, 1]. Where
 * the rows did not all agree the floor is near the model's own variance (100 in 400: below it), and
 * it adds most to an arm with very few successes or failures, where the Wald variance is too small.
 *
 * @example
 * rateVarianceFloor(1, 43); // 44/45 · 1/45 / 45 ≈ 4.83e-4
 */
export function rateVarianceFloor(p: number, rows: number): number {
  const q = (rows * p + 1) / (rows + 2);
  return (q * (1 - q)) / (rows + 2);
}

function tLearnerFrom(models: LogisticModel[], rows: readonly (number | undefined)[] = [], debiased?: Float64Array[]): UpliftModel & { params(): TLearnerParams } {
  const arms = models.length;
  const outcomes = (x: ArrayLike<number>) => Float64Array.from(models, (m) => predictLogistic(m, x));
  return {
    kind: 't-learner',
    arms,
    outcomes,
    uplift(x) {
      const o = outcomes(x);
      return Float64Array.from(o, (v) => v - o[0]);
    },
    upliftStandardError(x) {
      const o = outcomes(x);
      const v = models.map((m, k) => {
        const delta = (o[k] * (1 - o[k])) ** 2 * linearVariance(m, x);
        const n = rows[k];
        return n === undefined ? delta : Math.max(delta, rateVarianceFloor(o[k], n));
      });
      // The shrinkage's bias of each uplift: penalised minus debiased, each arm's rate at x.
      const bias = debiased ? o.map((ok, k) => ok - predictLogistic({ coef: debiased[k], covariance: models[k].covariance, iterations: 0 }, x)) : undefined;
      return Float64Array.from(v, (vk, k) => (k === 0 ? 0 : Math.sqrt(vk + v[0] + (bias ? (bias[k] - bias[0]) ** 2 : 0))));
    },
    params: () => ({
      kind: 't-learner',
      models: models.map((m, k) => ({ coef: [...m.coef], covariance: [...m.covariance], ...(rows[k] !== undefined ? { rows: rows[k] } : {}), ...(debiased ? { debiased: [...debiased[k]] } : {}) })),
    }),
  };
}
