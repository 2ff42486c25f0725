/**
 * The range of raw contexts an action has learned from — per feature, the least and the greatest
 * value — and its linear predictor held to it.
 *
 * Why: a logistic model is linear in the features, so at a context far outside those it learned
 * from its mean keeps growing with the distance, and once the slope is well known the interval
 * around it is narrow: a confident 0% or 100% that no outcome supports. So beyond the range the
 * mean is the model's at the nearest context inside it (each feature clamped to [min, max]), and
 * the variance the larger of the two — the uncertainty of the far context is kept, its
 * extrapolated mean is not. The estimate says so (`reason: 'extrapolated'`, action-estimate.ts).
 * A range is tracked from an action's first outcome. An action can also have learned where no range
 * was recorded: before ranges were kept (2026-12-04), or in a row a process of that age read and
 * wrote back during a rolling deploy (it drops the field). Its range is then unknown — it counts
 * those outcomes as `unrecorded` and records the contexts it learns from next — and its predictions
 * are not held until it has recorded at least as many outcomes as it learned without (then the
 * range of those applies). Why that many: for contexts drawn alike, a new one falls outside the
 * range of n others on a given feature with probability 2/(n + 1) (the range of n draws is the
 * tolerance interval of Wilks 1941; n + 1 exchangeable draws, each equally likely to be the
 * least or the greatest); with the unrecorded outcomes at most half the evidence N, that is at
 * most twice the 2/(N + 1) of a range kept from the first outcome. The range of the next 50
 * outcomes alone would hold a third of the contexts an action with 10 independent continuous
 * features did learn from (1 − (1 − 2/51)¹⁰ = 0.33). Such a range is stored as `partialRange`
 * until it holds (serialize.ts).
 */
import { type LogisticPosterior, linearPredictor } from './logistic-posterior.js';

/** Per feature, the least and greatest raw value learned from (empty arrays: none yet). */
export interface FeatureRange {
  min: number[];
  max: number[];
  /**
   * Outcomes the action learned from at contexts not recorded here (above); absent: 0. The range
   * holds predictions only once the outcomes it records are at least as many ({@link rangeHolds}).
   */
  unrecorded?: number;
}

/** The range of an action that has learned nothing yet. @example emptyRange() // { min: [], max: [] } */
export const emptyRange = (): FeatureRange => ({ min: [], max: [] });

/** A copy. @example copyRange({ min: [0], max: [3] }) */
export const copyRange = (r: FeatureRange): FeatureRange => ({ min: [...r.min], max: [...r.max], ...(r.unrecorded ? { unrecorded: r.unrecorded } : {}) });

/**
 * The range of an action that learned `evidence` outcomes where no range was recorded (above).
 *
 * @example
 * unknownRange(500); // { min: [], max: [], unrecorded: 500 }
 */
export const unknownRange = (evidence: number): FeatureRange => (evidence > 0 ? { min: [], max: [], unrecorded: evidence } : emptyRange());

/**
 * Whether the range holds an action's predictions: it has recorded contexts, and at least as many
 * outcomes as the action learned without a recorded context (`evidence` is the action's).
 *
 * @example
 * rangeHolds({ min: [0], max: [9], unrecorded: 500 }, 600); // false: 100 recorded
 * rangeHolds({ min: [0], max: [9], unrecorded: 500 }, 1000); // true
 */
export function rangeHolds(r: FeatureRange | undefined, evidence: number): r is FeatureRange {
  if (!r || r.min.length === 0 || evidence <= 0) return false;
  const unrecorded = r.unrecorded ?? 0;
  return evidence - unrecorded >= unrecorded;
}

/**
 * Widens the range to hold a context (in place).
 *
 * @example
 * extendRange(action.range, [3, 120]);
 */
export function extendRange(r: FeatureRange, context: ArrayLike<number>): void {
  if (r.min.length !== context.length) {
    r.min = Array.from(context);
    r.max = Array.from(context);
    return;
  }
  for (let i = 0; i < context.length; i++) {
    if (context[i] < r.min[i]) r.min[i] = context[i];
    if (context[i] > r.max[i]) r.max[i] = context[i];
  }
}

/**
 * The range of a belief that holds both sides' evidence: their union, its unrecorded outcomes the
 * most of either side's (the merge of placement-bandits.ts adds to the stored belief what this
 * process recorded since its snapshot, whose unrecorded ones the stored belief already counts).
 * Undefined when either side learned without any range object (an in-memory state of before
 * 2026-12-04); a side with no evidence adds nothing.
 *
 * @example
 * unionRange({ range: { min: [0], max: [3] }, evidence: 9 }, { range: { min: [2], max: [5] }, evidence: 4 }); // { min: [0], max: [5] }
 */
export function unionRange(...sides: { range?: FeatureRange; evidence: number }[]): FeatureRange | undefined {
  const out = emptyRange();
  let unrecorded = 0;
  for (const s of sides) {
    if (s.evidence <= 0) continue;
    if (!s.range) return undefined;
    if (s.range.min.length) {
      extendRange(out, s.range.min);
      extendRange(out, s.range.max);
    }
    // a side with evidence and no context recorded learned all of it unrecorded
    unrecorded = Math.max(unrecorded, s.range.min.length ? (s.range.unrecorded ?? 0) : s.evidence);
  }
  return unrecorded > 0 ? { ...out, unrecorded } : out;
}

/**
 * Indices of the features of a context outside the range (none when the range is unknown or empty).
 *
 * @example
 * beyondRange({ min: [0, 0], max: [1, 10] }, [1, 40]); // [1]
 */
export function beyondRange(r: FeatureRange | undefined, context: ArrayLike<number>): number[] {
  if (!r || r.min.length !== context.length) return [];
  const out: number[] = [];
  for (let i = 0; i < context.length; i++) if (context[i] < r.min[i] || context[i] > r.max[i]) out.push(i);
  return out;
}

/** A linear predictor, with the features found beyond the action's range (empty: inside it). */
export interface HeldPredictor {
  mean: number;
  variance: number;
  beyond: number[];
}

/**
 * The action's linear predictor at a context, held to its range (above): inside it, or while the
 * range does not hold ({@link rangeHolds}), xᵀθ as it is; beyond it, the mean at the clamped
 * context and the larger variance. `design` maps a raw context
 * to the model's design vector (the bandit's scaling); `x`, when given, is the context's (shared
 * by the actions of one decision).
 *
 * @example
 * heldPredictor(action, action.range, [3, 400], (x) => designFor(state, x)); // { mean, variance, beyond: [1] }
 */
export function heldPredictor(post: LogisticPosterior, range: FeatureRange | undefined, context: ArrayLike<number>, design: (context: ArrayLike<number>) => Float64Array, x = design(context)): HeldPredictor {
  const lp = linearPredictor(post, x);
  // Called for every action of every decision: the common cases (no range, inside it) allocate
  // nothing beyond the answer.
  if (!rangeHolds(range, post.evidence) || range.min.length !== context.length || !outside(range, context)) {
    return { mean: lp.mean, variance: lp.variance, beyond: [] };
  }
  const beyond = beyondRange(range, context);
  const clamped = new Float64Array(context.length);
  for (let i = 0; i < context.length; i++) clamped[i] = Math.min(range.max[i], Math.max(range.min[i], context[i]));
  const inside = linearPredictor(post, design(clamped));
  return { mean: inside.mean, variance: Math.max(lp.variance, inside.variance), beyond };
}

/** Whether any feature of the context lies outside the range (same length). */
function outside(r: FeatureRange, context: ArrayLike<number>): boolean {
  for (let i = 0; i < context.length; i++) if (context[i] < r.min[i] || context[i] > r.max[i]) return true;
  return false;
}
