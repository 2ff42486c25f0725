/**
 * The choice rule of the contextual bandit, separated from its state handling:
 *   π(a) = ε/K + (1−ε)·[q·1(a = g) + (1−q)·P_TS(a)]
 * ε = floor (uniform exploration), g = greedy action (highest posterior-mean score), q = greedy
 * share forced by the exploration budget, P_TS = Thompson sampling's exact win probability.
 */
import type { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { type ScoreDistributions, sampledScore, winProbability } from './propensity.js';
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
  let greedy = 0;
  let best = -Infinity;
  for (let j = 0; j < K; j++) {
    const s = sampledScore(dist, j, dist.means[j]);
    if (s > best) {
      best = s;
      greedy = j;
    }
  }
  const epsilon = K > 1 ? Math.min(1, Math.max(0, config.floorEpsilon)) : 0;
  if (config.maxExplorationShare >= 1 || K === 1 || epsilon >= 1) return { epsilon, q: 0, greedy, greedyTs: null };
  const greedyTs = winProbability(dist, greedy, undefined, tol);
  const nonGreedyTs = 1 - greedyTs.probability;
  const budgetTs = (config.maxExplorationShare - (epsilon * (K - 1)) / K) / (1 - epsilon);
  const q = nonGreedyTs <= Math.max(0, budgetTs) ? 0 : 1 - Math.max(0, budgetTs) / nonGreedyTs;
  return { epsilon, q, greedy, greedyTs };
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
  return { probability, errorBound: tsWeight * ts.errorBound };
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
