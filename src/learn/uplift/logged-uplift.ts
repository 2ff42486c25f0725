/**
 * Uplift from a decision log rather than a randomised trial: each logged decision is a row with
 * its features, the arm it received (0 = "none", k = the k-th action) and whether the goal
 * followed. Rows are weighted by the inverse of the logged propensity of the arm they received
 * (clipped, then normalised to mean 1 within each arm), so each arm's outcome model describes the
 * whole population rather than the subjects the logging policy favoured. The learner is the
 * T-learner that won on Hillstrom conversions (evaluations/hillstrom-fit.ts): one ridge-logistic
 * model per arm, "none" shared by every action; the uplift's standard error comes from the two
 * models' covariances by the delta method (see t-learner.ts) — robust (sandwich) covariances,
 * since the weights make the Laplace one too narrow (sandwich.ts). Each arm's ridge λ is chosen by
 * cross-validation on its own rows, and the shrinkage bias that remains enters the interval
 * (ridge-choice.ts): a fixed λ = 10 had made 90% intervals cover 0.73–0.81 on ~1,200 decisions.
 */
import { fitLogistic } from './logistic-regression.js';
import { chooseRidgeLambda, debiasedFit } from './ridge-choice.js';
import { sandwichCovariance } from './sandwich.js';
import { restoreTLearner, type TLearnerParams } from './t-learner.js';
import type { UpliftModel } from './uplift-data.js';

/** Logged rows: X is n×d row-major with column 0 = 1; arm 0 = none. */
export interface LoggedUpliftData {
  X: Float64Array;
  d: number;
  arm: Int32Array;
  y: Float64Array;
  /** The logging policy's probability of the arm each row received. */
  propensity: Float64Array;
  /** Number of arms including none. */
  arms: number;
}

/** One arm's fitted outcome model and its evidence. */
export interface ArmModel {
  coef: number[];
  covariance: number[];
  rows: number;
  positives: number;
  /** The ridge penalty it was fitted with (absent: fitted before 2026-12-06, λ = 10). */
  lambda?: number;
  /** The one-step debiased coefficients (ridge-choice.ts): the interval counts the shrinkage's bias (absent: it does not). */
  debiased?: number[];
}

/**
 * Inverse-propensity weights of a set of rows, clipped at `maxWeight` and normalised to mean 1.
 *
 * @example
 * ipsWeights([0.5, 0.25], [0, 1], 10); // Float64Array [0.667, 1.333]
 */
export function ipsWeights(propensity: ArrayLike<number>, rows: ArrayLike<number>, maxWeight: number): Float64Array {
  const w = new Float64Array(propensity.length);
  let sum = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    w[i] = Math.min(1 / Math.max(propensity[i], 1e-12), maxWeight);
    sum += w[i];
  }
  const scale = rows.length / (sum || 1);
  for (let r = 0; r < rows.length; r++) w[rows[r]] *= scale;
  return w;
}

/**
 * Fits one IPS-weighted ridge-logistic outcome model per arm (arms without `minRows` rows are
 * left out: null). `lambda` 'cv' (the default) chooses each arm's penalty by 5-fold
 * cross-validated weighted log-loss over λ ∈ {0.01, 0.1, 1, 3, 10, 30} (ridge-choice.ts RIDGE_GRID) — why: a fixed
 * penalty biases a small arm, and more so the fewer its rows; a number fixes it. Every arm keeps
 * its one-step debiased coefficients, so that its interval counts the shrinkage's bias.
 *
 * @example
 * const arms = fitLoggedArms(data, { lambda: 'cv', maxWeight: 50, minRows: 30 });
 * const model = upliftOf(arms[0]!, arms[2]!); // the T-learner of action 2 against none
 * model.uplift(x)[1]; // its incremental effect at x
 */
export function fitLoggedArms(data: LoggedUpliftData, o: { lambda?: number | 'cv'; maxWeight?: number; minRows?: number } = {}): (ArmModel | null)[] {
  const out: (ArmModel | null)[] = [];
  for (let k = 0; k < data.arms; k++) {
    const rows: number[] = [];
    let positives = 0;
    for (let i = 0; i < data.arm.length; i++) {
      if (data.arm[i] !== k) continue;
      rows.push(i);
      if (data.y[i] > 0) positives++;
    }
    if (rows.length < (o.minRows ?? 30)) {
      out.push(null);
      continue;
    }
    const r = Int32Array.from(rows);
    const weights = ipsWeights(data.propensity, r, o.maxWeight ?? 50);
    const lambda = o.lambda === undefined || o.lambda === 'cv' ? chooseRidgeLambda(data.X, data.d, data.y, r, weights) : o.lambda;
    const m = fitLogistic(data.X, data.d, data.y, { lambda, rows: r, weights });
    // The interval is the debiased estimate's: its robust covariance (bread H₀⁻¹), with the bias added in t-learner.ts.
    const { coef: debiased, bread } = debiasedFit(data.X, data.d, r, weights, m.coef, lambda);
    const covariance = sandwichCovariance(data.X, data.d, data.y, r, weights, m.coef, bread);
    out.push({ coef: [...m.coef], covariance: [...covariance], rows: rows.length, positives, lambda, debiased: [...debiased] });
  }
  return out;
}

/**
 * The two-arm T-learner (none, action) of two fitted arm models.
 *
 * @example
 * upliftOf(none, action).uplift(x)[1];
 */
export function upliftOf(none: ArmModel, action: ArmModel): UpliftModel {
  // With the rows each arm was fitted on: an arm whose rows all failed (or all succeeded) keeps an interval (t-learner.ts rateVarianceFloor);
  // with its debiased coefficients, the interval counts the ridge's bias (a version fitted before 2026-12-06 has none).
  const params: TLearnerParams = { kind: 't-learner', models: [none, action].map((m) => ({ coef: m.coef, covariance: m.covariance, rows: m.rows, ...(m.debiased ? { debiased: m.debiased } : {}) })) };
  return restoreTLearner(params);
}
