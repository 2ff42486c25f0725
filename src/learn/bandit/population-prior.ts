/**
 * The prior a new action starts from: what the established actions look like.
 *
 * Mean = the average of the established actions' posterior means; covariance = the spread of
 * those means across actions (diagonal: the between-action variance, a method-of-moments
 * empirical-Bayes estimate) plus their average posterior variance, floored at 1% of the configured
 * prior variance so a new action is never considered known. With fewer than three established
 * actions there is no population yet and the configured N(0, priorVariance·I) is used.
 */
import type { LogisticPosterior } from './logistic-posterior.js';

/** A Gaussian prior: mean vector and full covariance (row-major d×d). */
export interface GaussianPrior {
  mean: Float64Array;
  cov: Float64Array;
  /** How many established actions it was pooled from (0 = configured default). */
  pooledFrom: number;
  /** Their outcomes together (0 = configured default): the n the prior rests on. */
  evidence: number;
  /** The latest `updatedAt` among them (ms; null = configured default, or none dated). */
  updatedAt: number | null;
}

/**
 * Population prior over d coefficients from the actions that have at least `minEvidence` outcomes.
 *
 * @example
 * populationPrior([], 3, 1, 50); // N(0, I) — no population yet
 */
export function populationPrior(actions: (LogisticPosterior & { updatedAt?: number | null })[], d: number, priorVariance: number, minEvidence: number): GaussianPrior {
  const established = actions.filter((a) => a.evidence >= minEvidence && a.dimension === d);
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  if (established.length < 3) {
    for (let i = 0; i < d; i++) cov[i * d + i] = priorVariance;
    return { mean, cov, pooledFrom: 0, evidence: 0, updatedAt: null };
  }
  const n = established.length;
  for (const a of established) for (let i = 0; i < d; i++) mean[i] += a.mean[i] / n;
  for (let i = 0; i < d; i++) {
    let between = 0;
    let within = 0;
    for (const a of established) {
      between += (a.mean[i] - mean[i]) ** 2;
      within += a.cov[i * d + i];
    }
    cov[i * d + i] = Math.max(between / (n - 1) + within / n, 0.01 * priorVariance);
  }
  const dated = established.map((a) => a.updatedAt).filter((t): t is number => typeof t === 'number');
  return { mean, cov, pooledFrom: n, evidence: established.reduce((s, a) => s + a.evidence, 0), updatedAt: dated.length ? Math.max(...dated) : null };
}
