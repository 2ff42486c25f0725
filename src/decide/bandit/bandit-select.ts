import { mixture, propensityOf } from '../../learn/bandit/exploration.js';
import { banditEstimate } from '../../learn/bandit/action-estimate.js';
import { normalQuantile } from '../../learn/math/special.js';
import { sampledScore, type ScoreDistributions } from '../../learn/bandit/propensity.js';
import { type BanditAction, type BanditConfig, type BanditState, designFor, predictorAt } from '../../learn/bandit/thompson.js';
import type { ContactRoom } from '../stages/contact-policy.js';
import { heldIfPicked, type Pick, standInFor } from '../stages/selection.js';
import type { Candidate, StageContext } from '../stages/types.js';
import { type CompiledSelection, contextVector } from './selection-option.js';

/** Absolute tolerance of the propensity integrals in decisions: the logged error bound stays below ~10⁻⁷. */
const QUADRATURE_TOL = 1e-7;

/** The bandits of the placements, as the pipeline sees them (placement-bandits.ts). @example const state = book.stateFor('home', ['a', 'b'], config); */
export interface BanditBook {
  /** The placement's bandit, with every listed action present (new ones start from the population prior). */
  stateFor(placement: string, actions: readonly string[], config: BanditConfig): BanditState;
  /** "bandit:<placement>@<outcomes absorbed>". */
  versionOf(placement: string): string;
}

/** What bandit selection decided, with what the log keeps for learning. @example { picks: [{ propensity: 0.93, … }], features: [1, 3], modelVersion: 'bandit:home@412' } */
export interface BanditPicks {
  picks: Pick[];
  /** The context vector (without the intercept) the outcomes will be learned at. */
  features: number[];
  modelVersion: string;
  /** Set when the placement's floor was above the policy's exploration budget: the floor asked and the one used (the budget). */
  floorCapped?: { asked: number; used: number };
}

/**
 * The settings of a placement's bandit under a policy's exploration budget (what its decisions use,
 * and what a placement's bandit is held with before its first decision: placement-bandits.ts hold).
 *
 * @example
 * banditConfig(placement.selection, play.policy.exploration); // { features: 2, floorEpsilon: 0.01, … }
 */
export function banditConfig(sel: Readonly<{ features: CompiledSelection['features']; priorVariance: number; floor?: number }>, budget: number): BanditConfig {
  const exploration = Math.min(1, Math.max(0, budget));
  return {
    features: sel.features.length,
    priorVariance: sel.priorVariance,
    // The policy's budget bounds the floor too: a placement's floor above it would explore more than the policy allows.
    floorEpsilon: Math.min(sel.floor ?? 0.01, exploration),
    maxExplorationShare: exploration,
    rampEvidence: 50,
    // Coefficients over standardised features: the prior means the same in any unit (learn/bandit/scaling.ts).
    standardize: true,
  };
}

/**
 * Thompson selection over the eligible candidates and "none". Each action's score is
 * v·σ(Z) − c with Z ~ N(xᵀμ, xᵀΣx) its posterior linear predictor (held to the contexts the
 * action learned from: learn/bandit/feature-range.ts), v = value × levers and c the
 * contact cost; "none" has the fixed score `noneScore`. At each rank the bandit's mixture
 * (uniform floor ε, greedy share q forced by the policy's exploration budget, Thompson sampling —
 * exploration.ts) chooses, and the logged propensity is its exact probability π(a) at that rank
 * given the ranks above, with its numerical error bound. Only the chosen option's (and the greedy
 * one's) integral is computed. Each candidate's estimate becomes the bandit's, so the explanation
 * shows it, and its score the posterior-mean score. With `fits`, an action that would pass a
 * contact cap or budget together with the ranks above it is not among a rank's options.
 *
 * @example
 * const r = banditSelect(candidates, ctx, book, 1); // r.picks[0].propensity === π(chosen)
 */
export function banditSelect(candidates: Candidate[], ctx: StageContext, book: BanditBook, slots: number, fits?: ContactRoom, standIn?: Candidate): BanditPicks {
  const sel = ctx.placement.selection;
  const live = candidates.filter((c) => !c.out && c.score !== undefined);
  const exploration = Math.min(1, Math.max(0, ctx.policy.exploration));
  const config = banditConfig(sel, ctx.policy.exploration);
  const state = book.stateFor(ctx.placement.id, live.map((c) => c.action.id), config);
  const modelVersion = book.versionOf(ctx.placement.id);
  const context = contextVector(sel, ctx.vars);
  const x = designFor(state, context);
  const byId = new Map<string, BanditAction>(state.actions.map((a) => [a.id, a]));
  const n = live.length + 1;
  const means = new Float64Array(n);
  const sds = new Float64Array(n);
  const values = new Float64Array(n);
  const offsets = new Float64Array(n);
  const establishedWhen = { maxWidth: ctx.policy.estimates.establishedWidth };
  const level = ctx.policy.estimates.level;
  const z = normalQuantile(0.5 + level / 2);
  live.forEach((c, i) => {
    const action = byId.get(c.action.id) as BanditAction;
    // held to the contexts the action learned from: beyond them, no extrapolated mean (learn/bandit/feature-range.ts)
    const lp = predictorAt(state, action, context, x);
    const levers = (c.levers ?? []).reduce((p, [, w]) => p * w, 1);
    means[i] = lp.mean;
    sds[i] = Math.sqrt(lp.variance);
    // A negative value would make the score fall with the goal probability; the bandit treats it as 0.
    values[i] = Math.max(0, c.action.value * levers);
    offsets[i] = c.action.contactCost;
    // value E[σ(Z)] inside its interval, evidence and updatedAt as every Estimate's (learn/bandit/action-estimate.ts)
    c.estimate = banditEstimate(action, lp, { z, level, rampEvidence: state.config.rampEvidence, establishedWhen, modelVersion });
    c.score = values[i] * c.estimate.value - offsets[i];
    // The bandit scores on its own estimate: an uplift the scoring stage set (policy `scoring: uplift`)
    // is not this score's term, and the explanation must not say it is (until 2026-12-05 it read
    // "scored 0.5 = −2e-11% uplift × value 1", the bandit's 0.5 with the uplift's words).
    delete c.uplift;
    delete c.upliftFallback;
  });
  offsets[n - 1] = -ctx.policy.noneScore; // "none": v = 0, fixed score noneScore
  const remaining = Array.from({ length: n }, (_, i) => i);
  const picks: Pick[] = [];
  const taken: Candidate[] = [];
  while (picks.length < slots && remaining.length) {
    // The contact policy's caps and budgets hold for the decision's choices together (contactRoom).
    if (fits && taken.length) for (let j = remaining.length - 1; j >= 0; j--) if (remaining[j] !== n - 1 && !fits(live[remaining[j]], taken)) remaining.splice(j, 1);
    const K = remaining.length;
    const dist: ScoreDistributions = {
      means: remaining.map((i) => means[i]), sds: remaining.map((i) => sds[i]),
      values: remaining.map((i) => values[i]), offsets: remaining.map((i) => offsets[i]),
    };
    const mix = mixture(config, dist, K, QUADRATURE_TOL);
    let chosen: number;
    if (K > 1 && ctx.random() < mix.epsilon) chosen = Math.min(K - 1, Math.floor(ctx.random() * K));
    else if (mix.q > 0 && ctx.random() < mix.q) chosen = mix.greedy;
    else chosen = sampleWinner(dist, ctx.random);
    const p = K === 1 ? { probability: 1, errorBound: 0 } : propensityOf(mix, dist, chosen, K, false, undefined, QUADRATURE_TOL);
    const option = (k: number) => (remaining[k] === n - 1 ? undefined : live[remaining[k]]);
    const scoreAt = (k: number) => sampledScore(dist, k, dist.means[k]);
    const c = option(chosen);
    picks.push({
      candidate: c, score: c ? (c.score as number) : ctx.policy.noneScore, propensity: p.probability, propensityError: p.errorBound,
      greedy: chosen === mix.greedy, best: option(mix.greedy), bestScore: option(mix.greedy)?.score ?? scoreAt(mix.greedy),
      chance: remaining.some((i) => i !== n - 1 && heldIfPicked(live[i])) ? chanceAt(remaining.slice(), live, n, mix, dist) : undefined,
    });
    if (!c) break;
    remaining.splice(chosen, 1);
    // Held for review: the safe default shows in its place and leaves the options (selection.ts, standInFor).
    const standInAt = standIn ? live.indexOf(standIn) : -1;
    const shown = standInFor(c, standInAt < 0 ? undefined : standIn, remaining.map((k) => live[k] ?? null), taken, fits);
    if (shown === null) break;
    if (shown !== c) remaining.splice(remaining.indexOf(standInAt), 1);
    taken.push(shown);
  }
  const floorCapped = sel.floor !== undefined && sel.floor > exploration ? { asked: sel.floor, used: config.floorEpsilon } : undefined;
  return { picks, features: [...context], modelVersion, ...(floorCapped ? { floorCapped } : {}) };
}

/**
 * The probability a rank's draw had of picking an option (a live candidate, or undefined for
 * "none"), from that draw's options and mixture: another integral of the same tolerance, computed
 * only when the pipeline asks (a held action's stand-in sums its routes).
 */
function chanceAt(drawn: number[], live: readonly Candidate[], n: number, mix: ReturnType<typeof mixture>, dist: ScoreDistributions): (option: Candidate | undefined) => number {
  return (option) => {
    const j = drawn.indexOf(option ? live.indexOf(option) : n - 1);
    if (j < 0) return 0;
    return drawn.length === 1 ? 1 : propensityOf(mix, dist, j, drawn.length, false, undefined, QUADRATURE_TOL).probability;
  };
}

/** One Thompson draw with the decider's random source (Box–Muller normals). */
function sampleWinner(dist: ScoreDistributions, random: () => number): number {
  let best = -Infinity;
  let arg = 0;
  for (let j = 0; j < dist.means.length; j++) {
    const z = dist.sds[j] > 0 ? dist.means[j] + dist.sds[j] * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()) : dist.means[j];
    const s = sampledScore(dist, j, z);
    if (s > best) {
      best = s;
      arg = j;
    }
  }
  return arg;
}
