/**
 * The fixed bandit simulator of issue 4: seed 0; 50 actions; contexts x ∈ R¹⁰ ~ N(0, I);
 * θ_j ~ N(0, I/10); click probability σ(x·θ_j − 3); one action per round.
 *
 * Random streams: `world = new Rng(seed)` draws θ (action by action), then per round the
 * context and one uniform u_t; the click of action j in round t is u_t < p_j(x_t) (common random
 * numbers, so every action's potential outcome is defined and comparisons between policies on the
 * same rounds are paired). The learner draws from its own stream `world.fork()` taken right after θ.
 * The run is memoised per (seed, rounds, config) so `calibration` reuses the `bandit` run in-process.
 */
import { Rng } from '../math/prng.js';
import { normal } from '../math/samplers.js';
import { sigmoid } from '../math/special.js';
import { type BanditConfig, type BanditState, chooseAction, createBandit, defaultBanditConfig, updateBandit, withIntercept } from '../bandit/thompson.js';
import { linearPredictor, predictiveMean } from '../bandit/logistic-posterior.js';

/** Actions of the fixed simulator. */
export const SIM_ACTIONS = 50;
/** Context dimension of the fixed simulator. */
export const SIM_FEATURES = 10;

/** Everything the bandit and calibration evaluations need from one run. */
export interface BanditRun {
  rounds: number;
  window: number;
  theta: Float64Array;
  /** Contexts of the last `window` rounds (row-major window × features). */
  contexts: Float64Array;
  chosen: Int32Array;
  propensity: Float64Array;
  propensityError: Float64Array;
  click: Uint8Array;
  u: Float64Array;
  /** Learner's predictive click probability of the chosen action, before its outcome. */
  predicted: Float64Array;
  /** 90% credible interval of the chosen action's click probability, before its outcome. */
  low90: Float64Array;
  high90: Float64Array;
  /** True click probability of the chosen action. */
  truth: Float64Array;
  /**
   * Whether the 90% credible interval of a uniformly drawn action (its own stream, seed 99) held
   * that action's true click probability: calibration without the selection of the chosen one.
   */
  anyCovered: Uint8Array;
  /** The action drawn at random for `anyCovered`, per round of the window. */
  anyAction: Uint16Array;
  explored: number;
  final: BanditState;
  /** The learner as it stood when the window began (before round rounds − window). */
  atWindowStart: BanditState;
  seconds: number;
}

const cache = new Map<string, BanditRun>();

/** Click probabilities of all actions for one context. @example trueProbabilities(run.theta, x)[7] */
export function trueProbabilities(theta: Float64Array, x: ArrayLike<number>, out = new Float64Array(SIM_ACTIONS)): Float64Array {
  for (let j = 0; j < SIM_ACTIONS; j++) {
    let s = -3;
    for (let k = 0; k < SIM_FEATURES; k++) s += x[k] * theta[j * SIM_FEATURES + k];
    out[j] = sigmoid(s);
  }
  return out;
}

/**
 * Runs (or returns the memoised) simulation.
 *
 * @example
 * const run = runBanditSimulation({ seed: 0, rounds: 100_000, window: 10_000 });
 */
export function runBanditSimulation(opts: { seed?: number; rounds?: number; window?: number; config?: Partial<BanditConfig>; progress?: (done: number, total: number) => void }): BanditRun {
  const { seed = 0, rounds = 100_000, window = 10_000 } = opts;
  const key = JSON.stringify([seed, rounds, window, opts.config ?? {}]);
  const hit = cache.get(key);
  if (hit) {
    opts.progress?.(rounds, rounds);
    return hit;
  }
  const started = performance.now();
  const world = new Rng(seed);
  const theta = new Float64Array(SIM_ACTIONS * SIM_FEATURES);
  for (let i = 0; i < theta.length; i++) theta[i] = normal(world) * Math.sqrt(0.1);
  const learner = world.fork();
  const ids = Array.from({ length: SIM_ACTIONS }, (_, j) => `a${j}`);
  const state = createBandit(ids, { ...defaultBanditConfig(SIM_FEATURES), ...opts.config });
  const w = Math.min(window, rounds);
  const run: BanditRun = {
    rounds, window: w, theta,
    contexts: new Float64Array(w * SIM_FEATURES), chosen: new Int32Array(w), propensity: new Float64Array(w),
    propensityError: new Float64Array(w), click: new Uint8Array(w), u: new Float64Array(w), predicted: new Float64Array(w),
    low90: new Float64Array(w), high90: new Float64Array(w), truth: new Float64Array(w), anyCovered: new Uint8Array(w), anyAction: new Uint16Array(w), explored: 0, final: state, atWindowStart: state, seconds: 0,
  };
  const x = new Float64Array(SIM_FEATURES);
  const p = new Float64Array(SIM_ACTIONS);
  const any = new Rng(99);
  for (let t = 0; t < rounds; t++) {
    for (let k = 0; k < SIM_FEATURES; k++) x[k] = normal(world);
    const u = world.float();
    trueProbabilities(theta, x, p);
    if (t === rounds - w) run.atWindowStart = structuredClone(state);
    const choice = chooseAction(state, x, learner);
    const a = Number(choice.action.slice(1));
    const clicked = u < p[a] ? 1 : 0;
    const i = t - (rounds - w);
    if (i >= 0) {
      const lp = linearPredictor(state.actions[a], withIntercept(x));
      const sd = Math.sqrt(lp.variance);
      run.contexts.set(x, i * SIM_FEATURES);
      run.chosen[i] = a;
      run.propensity[i] = choice.propensity;
      run.propensityError[i] = choice.propensityError;
      run.click[i] = clicked;
      run.u[i] = u;
      run.predicted[i] = predictiveMean(lp.mean, lp.variance);
      run.low90[i] = sigmoid(lp.mean - 1.6448536269514722 * sd);
      run.high90[i] = sigmoid(lp.mean + 1.6448536269514722 * sd);
      run.truth[i] = p[a];
      const r = any.int(SIM_ACTIONS);
      const lr = linearPredictor(state.actions[r], withIntercept(x));
      const half = 1.6448536269514722 * Math.sqrt(lr.variance);
      const eta = Math.log(p[r] / (1 - p[r]));
      run.anyCovered[i] = Math.abs(eta - lr.mean) <= half ? 1 : 0;
      run.anyAction[i] = r;
      if (choice.explored) run.explored += 1;
    }
    updateBandit(state, choice.action, x, clicked);
    // Every 1,000 rounds done, and the last: the bar ends at rounds of rounds.
    if (opts.progress && ((t + 1) % 1000 === 0 || t + 1 === rounds)) opts.progress(t + 1, rounds);
  }
  run.seconds = (performance.now() - started) / 1000;
  cache.set(key, run);
  return run;
}

