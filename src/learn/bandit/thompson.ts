/**
 * Contextual Thompson sampling over disjoint logistic models (one Laplace posterior per action),
 * with the exact propensity of every choice, an exploration budget, and new actions that ramp in
 * from the population prior.
 *
 * Choice rule, for eligible actions E (K = |E|), greedy action g = argmax v_j·E[σ(Z_j)] (the
 * posterior expected reward, exploration.ts):
 *   π(a) = ε/K + (1−ε)·[q·1(a = g) + (1−q)·P_TS(a)]
 * where ε is the floor (uniform exploration, so every eligible action keeps support for
 * off-policy evaluation), P_TS is Thompson sampling's win probability (see propensity.ts), and q
 * is the smallest greedy share that keeps the expected share of non-greedy choices within the
 * policy's exploration budget. π(a) is computed, not estimated; its numerical error is logged.
 * Each action's linear predictor is held to the contexts it learned from (feature-range.ts).
 */
import type { Rng } from '../math/prng.js';
import { assertBanditConfig } from './config-check.js';
import { type FeatureRange, type HeldPredictor, emptyRange, extendRange, heldPredictor } from './feature-range.js';
import { mixture, propensityOf, sampleWinner } from './exploration.js';
import { type LogisticPosterior, createPosterior, laplaceUpdate, linearPredictor } from './logistic-posterior.js';
import { type ScoreDistributions, contenders } from './propensity.js';
import { populationPrior } from './population-prior.js';
import { type Relinearization, RELINEARIZE_DEFAULTS, observe, startRelinearization } from './relinearize.js';
import { type FeatureScaling, designVector, fitScaling, identityScaling, interceptOnly, observeContext, refitDue, rescalePosterior, rescaleRelinearization } from './scaling.js';

/** Settings of a bandit (stored with its state). */
export interface BanditConfig {
  /** Number of context features (an intercept is added internally). */
  features: number;
  /** Prior variance of each coefficient for the first actions, before any population exists. */
  priorVariance: number;
  /** Floor ε: share of uniformly random choices (0 = none); at most `maxExplorationShare` (createBandit refuses more, a stored one is capped). */
  floorEpsilon: number;
  /** Exploration budget: maximum expected share of non-greedy choices per decision (1 = plain Thompson sampling). */
  maxExplorationShare: number;
  /** Outcomes an action needs before it stops being "ramping" and its own posterior leads. */
  rampEvidence: number;
  /**
   * Refits of each action's posterior (relinearize.ts): outcomes kept per action for them; 0
   * turns them off (pure online steps). Absent in bandits stored before refits: the default.
   */
  refitWindow?: number;
  /**
   * Coefficients over standardised features (scaling.ts), so the prior means the same whatever a
   * feature's unit. Absent or false: over the raw features (as before 2026-12-04).
   */
  standardize?: boolean;
}

/** One action's model. */
export interface BanditAction extends LogisticPosterior {
  id: string;
  /** Refit state (in memory only; started from the posterior as it stands when absent; null once a refit failed numerically). */
  relin?: Relinearization | null;
  /**
   * Outcomes the prior it started from was pooled from (population-prior.ts; 0 for the configured
   * prior): while it ramps in, its interval rests on them. Absent in bandits stored before 2026-12-04.
   */
  priorEvidence?: number;
  /**
   * When its belief last changed (ms): its last outcome absorbed with a time, else the latest outcome
   * of the actions its prior was pooled from; null when it rests on nothing observed.
   */
  updatedAt?: number | null;
  /**
   * The raw contexts it learned from, per feature (feature-range.ts): beyond them its prediction is
   * held, not extrapolated. Read as unknown (`unrecorded` outcomes, not held until as many are recorded) when a row has none.
   */
  range?: FeatureRange;
}

/** The whole learner: plain data, serialisable with {@link banditToJson}. */
export interface BanditState {
  config: BanditConfig;
  actions: BanditAction[];
  /** Number of outcomes absorbed (a cheap model version counter). */
  updates: number;
  /** The feature scaling the coefficients are over (scaling.ts); absent: the raw features. */
  scaling?: FeatureScaling;
}

/** The decision of one round. */
export interface BanditChoice {
  action: string;
  /** Exact probability with which this action was chosen, given the state and the context. */
  propensity: number;
  /** Bound on the numerical error of `propensity` (quadrature + truncated tails). */
  propensityError: number;
  greedyAction: string;
  /** True when the chosen action is not the greedy one. */
  explored: boolean;
}

/** Defaults: plain Thompson sampling, no floor. @example createBandit(ids, defaultBanditConfig(10)) */
export const defaultBanditConfig = (features: number): BanditConfig => ({
  features,
  priorVariance: 1,
  floorEpsilon: 0,
  maxExplorationShare: 1,
  rampEvidence: 50,
  refitWindow: RELINEARIZE_DEFAULTS.window,
});

/**
 * A bandit with the given actions, all starting from the configured prior. Throws a validation
 * error naming the field when a share is outside [0, 1] or the floor is above the budget.
 *
 * @example
 * const bandit = createBandit(['a', 'b'], defaultBanditConfig(10));
 */
export function createBandit(actionIds: string[], config: BanditConfig): BanditState {
  assertBanditConfig(config);
  const state: BanditState = { config, actions: [], updates: 0 };
  if (config.standardize) state.scaling = identityScaling(config.features);
  for (const id of actionIds) addAction(state, id);
  return state;
}

/**
 * Adds a new action. It starts from the population prior — what established actions look like
 * (see population-prior.ts) — so it is neither assumed great nor ignored: Thompson sampling gives
 * it the share of traffic its chance of being best deserves, and that share moves with evidence.
 *
 * @example
 * addAction(bandit, 'new-offer');
 */
export function addAction(state: BanditState, id: string): BanditAction {
  if (state.actions.some((a) => a.id === id)) throw new Error(`The action "${id}" already exists in this bandit.`);
  const d = state.config.features + 1;
  const prior = populationPrior(state.actions, d, state.config.priorVariance, state.config.rampEvidence);
  const action: BanditAction = { id, ...createPosterior(prior.mean, prior.cov, true), priorEvidence: prior.evidence, updatedAt: prior.updatedAt, range: emptyRange() };
  state.actions.push(action);
  return action;
}

/**
 * The design vector of a context for this bandit: [1, context] over raw features, the standardised
 * [1, (x − center)/scale] when the bandit has a scaling (scaling.ts). A standardising bandit that
 * has learned nothing yet (no context, no action with an outcome) has nothing to centre and scale
 * by: every context is its own average, u = [1, 0, …, 0] — what the first context's fit makes of
 * it — so a fresh action's prior reads N(0, v) at every context, in any unit (its interval
 * σ(±1.645) = [0.16, 0.84] at v = 1). Until 2026-12-05 it read the raw features until the first
 * outcome (an sd of 1,000 at a spend of 1,000: [0, 1]). A bandit stored over raw features
 * (identity scaling, actions with outcomes) keeps reading them until its next context refits it.
 *
 * @example
 * linearPredictor(bandit.actions[0], designFor(bandit, [40, 1000]));
 */
export function designFor(state: BanditState, context: ArrayLike<number>): Float64Array {
  const s = state.scaling;
  if (!s) return withIntercept(context);
  if (s.count === 0 && !state.actions.some((a) => a.evidence > 0)) return interceptOnly(s.center.length);
  return designVector(s, context);
}

/**
 * Refits the scaling to the learned contexts' moments: every action that learned something is
 * re-expressed exactly in the new units (same predictions), with its refit window; an action with
 * no outcome of its own takes its prior afresh in them.
 *
 * @example
 * if (refitDue(state.scaling)) rescaleBandit(state);
 */
export function rescaleBandit(state: BanditState): void {
  const s = state.scaling;
  if (!s) return;
  const from = { center: [...s.center], scale: [...s.scale] };
  const to = fitScaling(s);
  Object.assign(s, to, { fittedAt: s.count });
  const d = state.config.features + 1;
  const fresh: BanditAction[] = [];
  for (const a of state.actions) {
    if (a.evidence === 0) {
      fresh.push(a);
      continue;
    }
    Object.assign(a, rescalePosterior(a, from, to)); // in place: references to the action stay valid
    if (a.relin) rescaleRelinearization(a.relin, d, from, to);
  }
  for (const a of fresh) {
    const prior = populationPrior(state.actions.filter((x) => x.evidence > 0), d, state.config.priorVariance, state.config.rampEvidence);
    Object.assign(a, createPosterior(prior.mean, prior.cov, true), { priorEvidence: prior.evidence, updatedAt: prior.updatedAt, relin: undefined });
  }
}

/** Context with the intercept prepended. @example withIntercept([0.3, 2]) // [1, 0.3, 2] */
export function withIntercept(context: ArrayLike<number>): Float64Array {
  const x = new Float64Array(context.length + 1);
  x[0] = 1;
  for (let i = 0; i < context.length; i++) x[i + 1] = context[i];
  return x;
}

/**
 * An action's linear predictor at a raw context, held to the range of contexts it learned from
 * (feature-range.ts): what its decisions, propensities and estimates use. `x`: the context's design
 * vector, when already computed.
 *
 * @example
 * predictorAt(bandit, bandit.actions[0], [3, 400]); // { mean, variance, beyond: [] }
 */
export function predictorAt(state: BanditState, action: BanditAction, context: ArrayLike<number>, x?: Float64Array): HeldPredictor {
  return heldPredictor(action, action.range, context, (c) => designFor(state, c), x);
}

/** {@link scoreDistributions} at a raw context, each predictor held to its action's range. */
function heldDistributions(state: BanditState, actions: BanditAction[], context: ArrayLike<number>, values?: ArrayLike<number>): ScoreDistributions {
  const means = new Float64Array(actions.length);
  const sds = new Float64Array(actions.length);
  const design = (c: ArrayLike<number>) => designFor(state, c);
  const x = design(context);
  for (let j = 0; j < actions.length; j++) {
    const lp = heldPredictor(actions[j], actions[j].range, context, design, x);
    means[j] = lp.mean;
    sds[j] = Math.sqrt(lp.variance);
  }
  return { means, sds, values };
}

/** Means and sds of each action's linear predictor at x (with intercept), not held to any range. @example scoreDistributions(bandit.actions, withIntercept(x)) */
export function scoreDistributions(actions: BanditAction[], x: Float64Array, values?: ArrayLike<number>): ScoreDistributions {
  const means = new Float64Array(actions.length);
  const sds = new Float64Array(actions.length);
  for (let j = 0; j < actions.length; j++) {
    const lp = linearPredictor(actions[j], x);
    means[j] = lp.mean;
    sds[j] = Math.sqrt(lp.variance);
  }
  return { means, sds, values };
}

/** Options of one decision. */
export interface ChooseOptions {
  /** Ids of the actions allowed for this decision (after rules, consent, contact policy); default all. */
  eligible?: string[];
  /** Value of a success per action id (default 1): the bandit maximises value × probability. */
  values?: Record<string, number>;
}

/**
 * Chooses an action for a context and returns it with its exact propensity.
 *
 * @example
 * const { action, propensity } = chooseAction(bandit, [0.3, -1.2], new Rng(7));
 */
export function chooseAction(state: BanditState, context: ArrayLike<number>, rng: Rng, options: ChooseOptions = {}): BanditChoice {
  const actions = options.eligible ? state.actions.filter((a) => options.eligible!.includes(a.id)) : state.actions;
  if (actions.length === 0) throw new Error('No eligible action: the bandit needs at least one action to choose from.');
  const values = options.values ? actions.map((a) => options.values![a.id] ?? 1) : undefined;
  const dist = heldDistributions(state, actions, context, values);
  const mix = mixture(state.config, dist, actions.length);
  const K = actions.length;
  let chosen: number;
  if (rng.float() < mix.epsilon) chosen = rng.int(K);
  else if (mix.q > 0 && rng.float() < mix.q) chosen = mix.greedy;
  else chosen = sampleWinner(dist, rng);
  const p = propensityOf(mix, dist, chosen, K);
  return {
    action: actions[chosen].id,
    propensity: p.probability,
    propensityError: p.errorBound,
    greedyAction: actions[mix.greedy].id,
    explored: chosen !== mix.greedy,
  };
}

/**
 * Probabilities of eligible actions for a context under the current state — for off-policy
 * evaluation of this policy on another log. Keys are action ids; `only` restricts the
 * computation to some actions (each costs one integral).
 *
 * @example
 * actionProbabilities(bandit, [0.3, -1.2]); // { a: 0.61, b: 0.39 }
 */
export function actionProbabilities(state: BanditState, context: ArrayLike<number>, options: ChooseOptions & { only?: string[] } = {}): Record<string, number> {
  const actions = options.eligible ? state.actions.filter((a) => options.eligible!.includes(a.id)) : state.actions;
  const values = options.values ? actions.map((a) => options.values![a.id] ?? 1) : undefined;
  const dist = heldDistributions(state, actions, context, values);
  const mix = mixture(state.config, dist, actions.length);
  const out: Record<string, number> = {};
  const cands = contenders(dist);
  const isCandidate = new Set(cands);
  const wanted = options.only ? new Set(options.only) : null;
  for (let j = 0; j < actions.length; j++) {
    if (wanted && !wanted.has(actions[j].id)) continue;
    out[actions[j].id] = propensityOf(mix, dist, j, actions.length, !isCandidate.has(j), cands).probability;
  }
  return out;
}

/**
 * Absorbs the outcome of a decision (reward in [0, 1], e.g. 1 = clicked) into the action's model;
 * `at` (ms) dates the action's belief (its estimates' `updatedAt`). With a scaling, the context
 * joins its moments first, and the scaling is refitted when they have doubled (rescaleBandit).
 *
 * @example
 * updateBandit(bandit, 'a', [0.3, -1.2], 1, Date.now());
 */
export function updateBandit(state: BanditState, actionId: string, context: ArrayLike<number>, reward: number, at?: number): void {
  if (!state.actions.some((a) => a.id === actionId)) throw new Error(`The action "${actionId}" is not part of this bandit.`);
  if (state.scaling) {
    observeContext(state.scaling, context);
    if (refitDue(state.scaling)) rescaleBandit(state);
  }
  const action = state.actions.find((a) => a.id === actionId) as BanditAction;
  if (at !== undefined) action.updatedAt = Math.max(at, action.updatedAt ?? -Infinity);
  // A range is kept from the first outcome on: one started later would not hold what was learned before.
  if (!action.range && action.evidence === 0) action.range = emptyRange();
  if (action.range) extendRange(action.range, context);
  const x = designFor(state, context);
  const y = Math.min(1, Math.max(0, reward));
  const window = state.config.refitWindow ?? RELINEARIZE_DEFAULTS.window;
  const refits = window > 0 && action.relin !== null;
  const opts = { ...RELINEARIZE_DEFAULTS, window };
  if (refits && (!action.relin || action.relin.ys.length !== window)) action.relin = tryRefit(action, () => startRelinearization(action, opts));
  laplaceUpdate(action, x, y);
  if (refits && action.relin) tryRefit(action, () => observe(action, action.relin!, x, y, opts));
  state.updates += 1;
}

/**
 * Runs a refit step; if the numbers fail (a covariance no longer positive definite), the action
 * keeps its online posterior and stops refitting in this process (`relin` null), rather than
 * losing the outcome.
 */
function tryRefit<T>(action: BanditAction, step: () => T): T | null {
  try {
    return step();
  } catch {
    action.relin = null;
    return null;
  }
}
