/**
 * Gaussian (Laplace) posterior of a logistic model, updated online one outcome at a time.
 *
 * For one observation (x, y) and prior N(m, S) the posterior mode lies on the line m + c·Sx,
 * where c solves the scalar equation c = y − σ(xᵀm + c·xᵀSx); a few safeguarded Newton steps find
 * it exactly. The precision then gains the curvature w·xxᵀ at the mode (w = σ'(η*)), applied to
 * the covariance by Sherman–Morrison. This is the exact Laplace approximation of a single-outcome
 * update, O(d²) per outcome — no batch refits, so an event changes the very next decision.
 */
import { sigmoid } from '../math/special.js';

/** Posterior N(mean, cov) over the d coefficients of a logistic model (cov row-major d×d). */
export interface LogisticPosterior {
  dimension: number;
  mean: Float64Array;
  cov: Float64Array;
  /** Outcomes absorbed so far. */
  evidence: number;
  /** Sum of the rewards absorbed so far. */
  rewardSum: number;
}

/**
 * A posterior equal to the prior N(mean, diag(variances)).
 *
 * @example
 * const post = createPosterior([0, 0], [1, 1]);
 */
export function createPosterior(mean: ArrayLike<number>, variances: ArrayLike<number> | Float64Array, fullCov = false): LogisticPosterior {
  const d = mean.length;
  const cov = new Float64Array(d * d);
  if (fullCov) cov.set(variances as ArrayLike<number>);
  else for (let i = 0; i < d; i++) cov[i * d + i] = variances[i];
  return { dimension: d, mean: Float64Array.from(mean), cov, evidence: 0, rewardSum: 0 };
}

/**
 * Mean and variance of the linear predictor xᵀθ under the posterior.
 *
 * @example
 * linearPredictor(createPosterior([1, 2], [1, 1]), [1, 1]); // {mean: 3, variance: 2}
 */
export function linearPredictor(post: LogisticPosterior, x: ArrayLike<number>): { mean: number; variance: number } {
  const d = post.dimension;
  const { mean, cov } = post;
  let mu = 0;
  let v = 0;
  for (let i = 0; i < d; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    mu += xi * mean[i];
    let row = 0;
    const r = i * d;
    for (let j = 0; j < d; j++) row += cov[r + j] * x[j];
    v += xi * row;
  }
  return { mean: mu, variance: Math.max(v, 0) };
}

/**
 * Absorbs one outcome y ∈ [0, 1] observed at features x (in place; returns the posterior).
 *
 * @example
 * const post = createPosterior([0], [1]);
 * laplaceUpdate(post, [1], 1); // mean moves up, variance shrinks
 */
export function laplaceUpdate(post: LogisticPosterior, x: ArrayLike<number>, y: number): LogisticPosterior {
  const d = post.dimension;
  const { mean, cov } = post;
  const v = new Float64Array(d);
  let eta = 0;
  let s2 = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    const r = i * d;
    for (let j = 0; j < d; j++) row += cov[r + j] * x[j];
    v[i] = row;
    eta += x[i] * mean[i];
  }
  for (let i = 0; i < d; i++) s2 += x[i] * v[i];
  const c = solveStep(eta, s2, y);
  const p = sigmoid(eta + c * s2);
  const w = p * (1 - p);
  const k = w / (1 + w * s2);
  for (let i = 0; i < d; i++) {
    mean[i] += c * v[i];
    const r = i * d;
    const kv = k * v[i];
    for (let j = 0; j < d; j++) cov[r + j] -= kv * v[j];
  }
  post.evidence += 1;
  post.rewardSum += y;
  return post;
}

/** Root of g(c) = c − y + σ(η + c·s²) on [y − 1, y] (g is increasing): Newton with bisection fallback. */
function solveStep(eta: number, s2: number, y: number): number {
  let lo = y - 1;
  let hi = y;
  let c = y - sigmoid(eta);
  for (let it = 0; it < 50; it++) {
    const p = sigmoid(eta + c * s2);
    const g = c - y + p;
    if (Math.abs(g) < 1e-13) break;
    if (g > 0) hi = c;
    else lo = c;
    let next = c - g / (1 + s2 * p * (1 - p));
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    c = next;
  }
  return c;
}

/**
 * Predictive click probability E[σ(xᵀθ)] by the probit approximation σ(μ/√(1+πσ²/8)) (MacKay 1992).
 *
 * @example
 * predictiveMean(0, 0); // 0.5
 */
export function predictiveMean(mu: number, variance: number): number {
  return sigmoid(mu / Math.sqrt(1 + (Math.PI * variance) / 8));
}
