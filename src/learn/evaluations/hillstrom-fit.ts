/**
 * Fitting the Hillstrom uplift models without looking at the test half (memoised per process so
 * the calibration evaluation reuses them). See hillstrom.ts for the protocol.
 */
import { HILLSTROM_FEATURES, type Hillstrom, hillstromFeatures, loadHillstrom } from '../data/hillstrom.js';
import { fitSLearner } from '../uplift/s-learner.js';
import { fitTLearner } from '../uplift/t-learner.js';
import type { UpliftData, UpliftModel } from '../uplift/uplift-data.js';
import { fitUpliftForest } from '../uplift/uplift-forest.js';
import { fitXLearner } from '../uplift/x-learner.js';
import { bestArm, curve, meanShare, sub, subInt, upliftMatrix } from './hillstrom-policy.js';

/**
 * The candidates, fixed before looking at the test half (settings chosen by train-half CV only).
 * The T-learner is the product's uplift learner (uplift/logged-uplift.ts fitLoggedArms), so it
 * is fitted as the product fits it: each arm's ridge λ chosen by 5-fold cross-validated log-loss
 * on that arm's rows of the fit (ridge-choice.ts; a fixed λ = 10 until 2026-12-06) — the
 * evaluation measures the learner that runs, and the choice still sees only the train half.
 * What wins on Hillstrom (seed-free, deterministic): for conversion the T-learner with the men's
 * e-mail only (cross-fitted mean lift share 0.480 vs 0.36–0.47 for the others); for visit the
 * S-learner with each customer's best arm (0.563). No learner is clearly better than random on
 * conversion: ~110 incremental conversions per half are too few (docs/models.md).
 */
export const LEARNERS: Record<string, (data: UpliftData, rows: ArrayLike<number>) => UpliftModel> = {
  't-learner': (data, rows) => fitTLearner(data, { lambda: 'cv', rows }),
  'x-learner': (data, rows) => fitXLearner(data, { lambda: 100, ridgeLambda: 1e4, rows }),
  's-learner': (data, rows) => fitSLearner(data, { lambda: 10, interactionLambda: 100, rows }),
  'uplift-forest': (data, rows) => fitUpliftForest(data, { trees: 50, maxDepth: 4, minLeaf: 200, mtry: 6, seed: 1, rows }),
};
/** Arm modes: each customer's best arm, or only the best single arm (ranked by its uplift). */
export const MODES = ['best arm per customer', 'best single arm only'] as const;
/** One of the two arm modes. */
export type Mode = (typeof MODES)[number];
/** Folds of the train-half cross-fitting. */
export const CV_FOLDS = 4;

/**
 * Cross-fitted selection inside the train half: every learner is fitted on 3 of 4 folds of the
 * train rows and predicts the 4th; the pooled out-of-fold uplifts give one lift curve per
 * (learner, arm mode) on all train rows; the highest mean lift share over the nine budgets wins.
 */
function selectLearner(h: Hillstrom, X: Float64Array, data: UpliftData, train: Int32Array, fitted: (learner: string) => void): { scores: Record<string, number>; learner: string; mode: Mode } {
  const folds = Array.from({ length: CV_FOLDS }, (_, f) => train.filter((_, r) => r % CV_FOLDS === f));
  const best = bestArm(h.arm, data.y, train);
  const scores: Record<string, number> = {};
  let winner = { score: -Infinity, learner: '', mode: MODES[0] as Mode };
  for (const [name, fit] of Object.entries(LEARNERS)) {
    const perMode = MODES.map(() => new Float64Array(train.length * 3));
    let offset = 0;
    const order: number[] = [];
    for (let f = 0; f < CV_FOLDS; f++) {
      const fitRows = Int32Array.from(folds.filter((_, g) => g !== f).flatMap((rows) => [...rows]));
      const model = fit(data, fitRows);
      fitted(name);
      MODES.forEach((mode, m) => perMode[m].set(upliftMatrix(model, X, folds[f], undefined, mode === 'best single arm only' ? best : undefined), offset * 3));
      offset += folds[f].length;
      order.push(...folds[f]);
    }
    const rows = Int32Array.from(order);
    MODES.forEach((mode, m) => {
      const score = meanShare(curve(perMode[m], subInt(h.arm, rows), sub(data.y, rows), best));
      scores[`${name} / ${mode}`] = score;
      if (score > winner.score) winner = { score, learner: name, mode };
    });
  }
  return { scores, learner: winner.learner, mode: winner.mode };
}

/** A fitted outcome model with how it was chosen. */
export interface FittedOutcome {
  model: UpliftModel;
  cv: Record<string, number>;
  /** The only arm used ("best single arm only" mode), or undefined for each customer's best arm. */
  onlyArm: number | undefined;
}

/** Everything the Hillstrom and calibration evaluations need. */
export interface HillstromFit {
  h: Hillstrom;
  X: Float64Array;
  train: Int32Array;
  test: Int32Array;
  conversion: FittedOutcome;
  visit: FittedOutcome;
}

const cache = new Map<string, HillstromFit>();

/**
 * Each learner's share of the fitting time (seconds of its four cross-fitting fits of one outcome
 * on the full train half): the progress of a fit is counted in these units. The T-learner's
 * cross-validated λ (30 extra fits an arm) made it the costliest: 3.0–6.3 s an outcome measured
 * 2026-12-06 against 0.13–0.43 s with λ = 10 (0.4 here before), the others' in the same runs
 * 0.2–0.6, 0.4–0.7 and 1.3–2.1 s.
 */
const FIT_COST: Record<string, number> = { 't-learner': 6, 'x-learner': 0.5, 's-learner': 0.9, 'uplift-forest': 2.1 };

/**
 * Loads the data, selects and fits the conversion and visit models on the train half (memoised).
 * `progress` hears the fits done (in FIT_COST units), ending at total of total — at once when memoised.
 *
 * @example
 * const fit = fitHillstrom(ctx.datasetsDir, false);
 */
export function fitHillstrom(datasetsDir: string, quick: boolean, progress?: (done: number, total: number) => void): HillstromFit {
  const key = `${datasetsDir}|${quick}`;
  const hit = cache.get(key);
  if (hit) {
    progress?.(1, 1);
    return hit;
  }
  // Two outcomes, each: every learner on CV_FOLDS folds of 3/4 of the train half, then the winner
  // on the whole train half (counted as 4/3 of a fold's fit; the total expects a learner of average cost).
  const whole = CV_FOLDS / (CV_FOLDS - 1);
  const costs = Object.values(FIT_COST);
  const perOutcome = costs.reduce((s, c) => s + c, 0);
  const total = 2 * (perOutcome + (perOutcome / costs.length / CV_FOLDS) * whole);
  let done = 0;
  const fitted = (learner: string, share = 1) => {
    done += (FIT_COST[learner] / CV_FOLDS) * share;
    progress?.(Math.min(done, total), total);
  };
  const h = loadHillstrom(datasetsDir);
  const all = Int32Array.from({ length: h.n }, (_, i) => i);
  let train = all.filter((i) => i % 2 === 0);
  let test = all.filter((i) => i % 2 === 1);
  if (quick) {
    train = train.filter((_, r) => r % 4 === 0);
    test = test.filter((_, r) => r % 4 === 0);
  }
  const X = hillstromFeatures(h, train);
  const fitOutcome = (y: Float64Array): FittedOutcome => {
    const data: UpliftData = { X, d: HILLSTROM_FEATURES, arm: h.arm, y, arms: 3 };
    const selection = selectLearner(h, X, data, train, fitted);
    const model = LEARNERS[selection.learner](data, train);
    fitted(selection.learner, whole);
    return {
      model,
      cv: selection.scores,
      onlyArm: selection.mode === 'best single arm only' ? bestArm(h.arm, y, train) : undefined,
    };
  };
  const fit = { h, X, train, test, conversion: fitOutcome(h.conversion), visit: fitOutcome(h.visit) };
  progress?.(total, total);
  cache.set(key, fit);
  return fit;
}
