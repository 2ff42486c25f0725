import { bootstrapIntervals, type BootstrapInterval } from '../ope/bootstrap.js';
import { estimate, influence, type OpeTerms } from '../ope/estimators.js';
import { fitSmoothedMeans, predictSmoothed } from '../ope/smoothed-means.js';

/** Rows for the model-based estimators: the logged option, its reward, the weights, the candidate's distribution (n × k). */
export interface ModelRows {
  n: number;
  k: number;
  action: Int32Array;
  reward: Float64Array;
  weight: Float64Array;
  targetDistribution: Float64Array;
}

/**
 * Terms of DM and DR with the reward model (each option's smoothed mean reward) fitted on the
 * rows `idx` (all rows when omitted).
 *
 * @example
 * estimate(modelTerms(rows), 'dr');
 */
export function modelTerms(r: ModelRows, idx?: Int32Array): OpeTerms {
  const m = idx ? idx.length : r.n;
  const reward = new Float64Array(m);
  const action = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const i = idx ? idx[j] : j;
    reward[j] = r.reward[i];
    action[j] = r.action[i];
  }
  const model = fitSmoothedMeans(reward, action, new Int32Array(m), r.k, 1);
  const q = Float64Array.from({ length: r.k }, (_, a) => predictSmoothed(model, a, 0));
  const directTerm = new Float64Array(r.n);
  const loggedPrediction = new Float64Array(r.n);
  for (let i = 0; i < r.n; i++) {
    let s = 0;
    for (let a = 0; a < r.k; a++) s += r.targetDistribution[i * r.k + a] * q[a];
    directTerm[i] = s;
    loggedPrediction[i] = q[r.action[i]];
  }
  return { n: r.n, weight: r.weight, reward: r.reward, directTerm, loggedPrediction };
}

/**
 * Bootstrap (BCa) intervals of DM, DR and SNDR that refit the reward model on every resample, so the
 * intervals carry the model's own uncertainty (a model held fixed gives the direct method a
 * falsely narrow interval when the contexts look alike).
 *
 * @example
 * refitIntervals(rows, { seed: 1, replicates: 500 }).dm.ci; // [3.1, 3.8]
 */
export function refitIntervals(r: ModelRows, o: { seed?: number; replicates?: number }): Record<'dm' | 'dr' | 'sndr', BootstrapInterval> {
  // bootstrapIntervals calls the statistics in key order on each resample (one shared index
  // array, refilled in place): `dm` refits the model, `dr` and `sndr` reuse it.
  let terms: OpeTerms | undefined;
  // BCa, as opeReport's: the bias correction from these (refitted) replicates, the acceleration from the
  // influence values of the model fitted on every row.
  const whole = modelTerms(r);
  const bca = Object.fromEntries((['dm', 'dr', 'sndr'] as const).flatMap((k) => {
    const u = influence(whole, k);
    return u ? [[k, { estimate: estimate(whole, k), influence: u }]] : [];
  }));
  return bootstrapIntervals(r.n, {
    dm: (idx) => estimate((terms = modelTerms(r, idx)), 'dm', idx),
    dr: (idx) => estimate(terms!, 'dr', idx),
    sndr: (idx) => estimate(terms!, 'sndr', idx),
  }, { ...o, bca });
}
