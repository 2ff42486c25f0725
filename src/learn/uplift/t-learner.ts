/**
 * Two-model ("T-") learner: one ridge-logistic outcome model per arm; uplift of arm k at x is
 * μ_k(x) − μ_none(x). Its standard error comes from the two models' Laplace covariances by the
 * delta method (the models are fitted on disjoint rows, hence independent).
 */
import { type LogisticModel, fitLogistic, linearVariance, predictLogistic } from './logistic-regression.js';
import { type UpliftData, type UpliftModel, rowsOfArm } from './uplift-data.js';

/** Serialisable parameters of a T-learner. */
export interface TLearnerParams {
  kind: 't-learner';
  models: { coef: number[]; covariance: number[] }[];
}

/**
 * Fits a T-learner on the given rows (default: all).
 *
 * @example
 * const model = fitTLearner(train, { lambda: 1 });
 * model.uplift(x); // [0, upliftOfArm1, upliftOfArm2]
 */
export function fitTLearner(data: UpliftData, opts: { lambda?: number; rows?: ArrayLike<number> } = {}): UpliftModel & { params(): TLearnerParams } {
  const models: LogisticModel[] = [];
  for (let k = 0; k < data.arms; k++) {
    models.push(fitLogistic(data.X, data.d, data.y, { lambda: opts.lambda ?? 1, rows: rowsOfArm(data, k, opts.rows) }));
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
  return tLearnerFrom(params.models.map((m) => ({ coef: Float64Array.from(m.coef), covariance: Float64Array.from(m.covariance), iterations: 0 })));
}

function tLearnerFrom(models: LogisticModel[]): UpliftModel & { params(): TLearnerParams } {
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
      const v = models.map((m, k) => (o[k] * (1 - o[k])) ** 2 * linearVariance(m, x));
      return Float64Array.from(v, (vk, k) => (k === 0 ? 0 : Math.sqrt(vk + v[0])));
    },
    params: () => ({ kind: 't-learner', models: models.map((m) => ({ coef: [...m.coef], covariance: [...m.covariance] })) }),
  };
}
