/**
 * Merging what several processes learned into one posterior. Each process starts from a shared
 * snapshot (its "base") and absorbs its own outcomes. In natural parameters — precision Λ = Σ⁻¹
 * and η = Λμ — a Gaussian approximation of independent evidence adds, so
 *   merged = stored + (local − base)
 * for both Λ and η: the stored posterior gains exactly the evidence this process absorbed since
 * its snapshot, whatever other processes wrote meanwhile. (Each Laplace step is itself Gaussian,
 * so this is exact for the approximate posteriors; it is the usual "delta" merge of distributed
 * Bayesian updates.) Evidence counts and reward sums add the same way.
 */
import type { LogisticPosterior } from './logistic-posterior.js';

/**
 * Inverse of a symmetric positive-definite d×d matrix (row-major) by Cholesky decomposition.
 * Throws when the matrix is not positive definite.
 *
 * @example
 * spdInverse(Float64Array.from([4, 0, 0, 2]), 2); // [0.25, 0, 0, 0.5]
 */
export function spdInverse(m: ArrayLike<number>, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('The matrix is not positive definite, so the posteriors cannot be merged.');
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  // inv = L⁻ᵀ L⁻¹: invert L column by column (forward substitution), then multiply.
  const Li = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i * d + k] * Li[k * d + c];
      Li[i * d + c] = s / L[i * d + i];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Li[k * d + i] * Li[k * d + j];
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}

function natural(p: LogisticPosterior): { precision: Float64Array; eta: Float64Array } {
  const d = p.dimension;
  const precision = spdInverse(p.cov, d);
  const eta = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) eta[i] += precision[i * d + j] * p.mean[j];
  return { precision, eta };
}

/**
 * stored + (local − base) in natural parameters; returns a new posterior.
 *
 * @example
 * const merged = mergePosterior(storedNow, snapshotAtLoad, mineNow);
 */
export function mergePosterior(stored: LogisticPosterior, base: LogisticPosterior, local: LogisticPosterior): LogisticPosterior {
  const d = stored.dimension;
  if (base.dimension !== d || local.dimension !== d) throw new Error('The posteriors to merge have different dimensions.');
  const [s, b, l] = [natural(stored), natural(base), natural(local)];
  const precision = new Float64Array(d * d);
  const eta = new Float64Array(d);
  for (let i = 0; i < d * d; i++) precision[i] = s.precision[i] + l.precision[i] - b.precision[i];
  for (let i = 0; i < d; i++) eta[i] = s.eta[i] + l.eta[i] - b.eta[i];
  const cov = spdInverse(precision, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mean[i] += cov[i * d + j] * eta[j];
  return {
    dimension: d, mean, cov,
    evidence: stored.evidence + local.evidence - base.evidence,
    rewardSum: stored.rewardSum + local.rewardSum - base.rewardSum,
  };
}
