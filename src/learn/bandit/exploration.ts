/**
 * The choice rule of the contextual bandit, separated from its state handling:
 *   π(a) = ε/K + (1−ε)·[q·1(a = g) + (1−q)·P_TS(a)]
 * ε = floor (uniform exploration, never above the budget), g = greedy action (highest expected score v·E[σ(Z)] − c under
 * the posterior, propensity.ts `expectedScore`; until 2026-12 the score at the posterior mean,
 * v·σ(μ) − c, which made an uncertain action "best" above one its estimate rates higher), q = greedy
 * share forced by the exploration budget, P_TS = Thompson sampling's exact win probability.
 */
import type { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { sigmoid } from '../math/special.js';
import { type ScoreDistributions, expectedScore, sampledScore, winProbability } from './propensity.js';
import type { BanditConfig } from './thompson.js';

/** How one decision mixes the floor, the greedy action and Thompson sampling. */
export interface Mixture {
  epsilon: number;
  q: number;
  greedy: number;
  greedyTs: { probability: number; errorBound: number } | null;
}

/**
 * The mixture weights for one decision: floor ε, greedy share q (the smallest that keeps the
 * expected non-greedy share within the budget), and the greedy action.
 *
 * @example
 * mixture(config, dist, 4); // { epsilon: 0.04, q: 0.3, greedy: 2, … }
 */
export function mixture(config: BanditConfig, dist: ScoreDistributions, K: number, tol?: number): Mixture {
  const greedy = bestExpected(dist, K);
  // The floor is capped to the budget (its non-greedy share ε(K−1)/K must fit in it): a stored or
  // hand-built config above it would otherwise explore more than the policy allows.
  const epsilon = K > 1 ? Math.max(0, Math.min(1, config.floorEpsilon, config.maxExplorationShare)) : 0;
  if (config.maxExplorationShare >= 1 || K === 1 || epsilon >= 1) return { epsilon, q: 0, greedy, greedyTs: null };
  const greedyTs = winProbability(dist, greedy, undefined, tol);
  const nonGreedyTs = 1 - greedyTs.probability;
  const budgetTs = (config.maxExplorationShare - (epsilon * (K - 1)) / K) / (1 - epsilon);
  const q = nonGreedyTs <= Math.max(0, budgetTs) ? 0 : 1 - Math.max(0, budgetTs) / nonGreedyTs;
  return { epsilon, q, greedy, greedyTs };
}

/** sup |σ''| / 2 = 1/(12√3): by Taylor, |E[σ(μ + sU)] − σ(μ)| ≤ s²/(12√3) for U ~ N(0, 1). */
const TAYLOR = 1 / (12 * Math.sqrt(3));

/**
 * The action of highest expected score (the first of equal ones). The integral E[σ(Z)] costs 32 to
 * a few hundred evaluations, so it is computed only for the actions that the Taylor bounds
 * σ(μ) ± s²/(12√3) leave in contention: an action whose upper bound is below another's lower bound
 * cannot be best or tie.
 *
 * @example
 * bestExpected({ means: [1, 0.7], sds: [3, 0] }, 2); // 1
 */
export function bestExpected(dist: ScoreDistributions, K: number): number {
  const lower = new Float64Array(K);
  const upper = new Float64Array(K);
  let floor = -Infinity;
  for (let j = 0; j < K; j++) {
    const p = sigmoid(dist.means[j]);
    const r = dist.sds[j] > 0 ? TAYLOR * dist.sds[j] * dist.sds[j] : 0;
    const v = dist.values ? Math.max(0, dist.values[j]) : 1;
    const c = dist.values && dist.offsets ? dist.offsets[j] : 0;
    lower[j] = v * Math.max(0, p - r) - c;
    upper[j] = v * Math.min(1, p + r) - c;
    floor = Math.max(floor, lower[j]);
  }
  let greedy = 0;
  let best = -Infinity;
  for (let j = 0; j < K; j++) {
    if (upper[j] < floor) continue;
    const s = expectedScore(dist, j);
    if (s > best) {
      best = s;
      greedy = j;
    }
  }
  return greedy;
}

/**
 * Exact π(a) = ε/K + (1−ε)·[q·1(a = greedy) + (1−q)·P_TS(a)], with its numerical error bound.
 *
 * @example
 * propensityOf(mix, dist, 0, 4);
 */
export function propensityOf(mix: Mixture, dist: ScoreDistributions, a: number, K: number, pruned = false, cands?: number[], tol?: number): { probability: number; errorBound: number } {
  const tsWeight = (1 - mix.epsilon) * (1 - mix.q);
  let ts = { probability: 0, errorBound: 0 };
  if (tsWeight > 0 && !pruned) ts = a === mix.greedy && mix.greedyTs ? mix.greedyTs : winProbability(dist, a, cands, tol);
  const probability = mix.epsilon / K + (1 - mix.epsilon) * mix.q * (a === mix.greedy ? 1 : 0) + tsWeight * ts.probability;
  return { probability, errorBound: tsWeight * ts.errorBound + greedyShareError(mix, a, ts) };
}

/**
 * What the greedy action's own win probability's error adds to another action's propensity, when
 * the budget forces a greedy share: q = 1 − B/(1 − P_g) is computed from the estimate P̂_g, so the
 * other actions' weight (1 − ε)(1 − q) = (1 − ε)·B/(1 − P̂_g) carries its error. With e_g the bound
 * on |P̂_g − P_g| and r = 1 − P̂_g, |B/r − B/(1 − P_g)| ≤ B·e_g / (r·(r − e_g)), times P(a) ≤ P̂(a) + e_a.
 * The greedy action's own π = ε/K + (1 − ε)(1 − B) does not depend on P̂_g. Until 2026-12-05 this
 * term was left out: an action whose own integral is closed form ("none") logged a bound of 1e-17
 * for an error of 2e-12.
 */
function greedyShareError(mix: Mixture, a: number, ts: { probability: number; errorBound: number }): number {
  if (!(mix.q > 0) || a === mix.greedy || !mix.greedyTs || !(ts.probability > 0)) return 0;
  const r = 1 - mix.greedyTs.probability;
  const e = mix.greedyTs.errorBound;
  if (!(r - e > 0)) return (1 - mix.epsilon) * (1 - mix.q) * ts.probability;
  const budget = (1 - mix.q) * r;
  return ((1 - mix.epsilon) * (ts.probability + ts.errorBound) * budget * e) / (r * (r - e));
}

/**
 * One Thompson draw: sample every action's score and return the argmax.
 *
 * @example
 * sampleWinner(dist, rng);
 */
export function sampleWinner(dist: ScoreDistributions, rng: Rng): number {
  let best = -Infinity;
  let arg = 0;
  for (let j = 0; j < dist.means.length; j++) {
    const s = sampledScore(dist, j, dist.means[j] + dist.sds[j] * normal(rng));
    if (s > best) {
      best = s;
      arg = j;
    }
  }
  return arg;
}
