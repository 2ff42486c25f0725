import { catalogKind, policyKind } from '../../decide/kinds.js';
import { fitLoggedArms, type ArmModel } from '../../learn/uplift/logged-uplift.js';
import type { Trainer } from '../train/trainer.js';
import { HELD_OUT_SPLIT, splitHeldOut } from './held-out.js';
import type { LoggedDecision } from './uplift-log.js';
import { readDecisionLog } from './uplift-log.js';
import { featureRow, numeric, type UpliftFeature, type UpliftState } from './uplift-model.js';

const DAY = 86_400_000;
/** The log read for training (and for the comparison and the calibration report): the last 90 days, at most 100 000 decisions. @example readDecisionLog(store, { now, windowMs, ...UPLIFT_LOG }) */
export const UPLIFT_LOG = { sinceMs: 90 * DAY, max: 100_000 };
/** Rows an arm needs before it is fitted; features kept at most; share of rows a fact must appear in. */
const MIN_ROWS = 30;
const MAX_FEATURES = 12;
const MIN_SHARE = 0.1;

/**
 * The features: the numeric facts the decisions kept (what their rules read), those present in at
 * least 10% of the rows, the most frequent first (at most 12), standardised on these rows.
 *
 * @example
 * chooseFeatures(rows); // [{ path: 'features.orders', mean: 1.7, sd: 2.1 }]
 */
export function chooseFeatures(rows: readonly LoggedDecision[]): UpliftFeature[] {
  const stats = new Map<string, { n: number; sum: number; sq: number }>();
  for (const r of rows) {
    for (const [path, v] of Object.entries(r.record.facts)) {
      const x = numeric(v);
      if (x === undefined) continue;
      const s = stats.get(path) ?? { n: 0, sum: 0, sq: 0 };
      s.n++;
      s.sum += x;
      s.sq += x * x;
      stats.set(path, s);
    }
  }
  return [...stats.entries()]
    .filter(([, s]) => s.n >= MIN_SHARE * rows.length)
    .map(([path, s]) => {
      const mean = s.sum / s.n;
      const sd = Math.sqrt(Math.max(s.sq / s.n - mean * mean, 0));
      return { path, mean, sd, n: s.n };
    })
    .filter((f) => f.sd > 0)
    .sort((a, b) => b.n - a.n || a.path.localeCompare(b.path))
    .slice(0, MAX_FEATURES)
    .map(({ path, mean, sd }) => ({ path, mean, sd }));
}

/**
 * Whether a logged decision carries a usable probability of its arm, in (0, 1].
 *
 * @example
 * hasPropensity(row); // false for a decision logged without one
 */
export function hasPropensity(r: LoggedDecision): boolean {
  return r.propensity > 0 && r.propensity <= 1;
}

/**
 * Fits the uplift state on logged decisions: per goal type, the "none" rows against each action
 * with that goal (IPS-weighted T-learner, src/learn/uplift/logged-uplift.ts). Pure.
 *
 * @example
 * const { state, metrics } = fitUplift(rows, (a) => catalog.actions.get(a)?.goal, 7 * DAY);
 */
export function fitUplift(logged: readonly LoggedDecision[], goalOf: (action: string) => string | undefined, windowMs: number): { state: UpliftState; metrics: Record<string, unknown> } {
  // A decision without the probability of its arm cannot be weighted: it is left out, and counted.
  const rows = logged.filter(hasPropensity);
  const features = chooseFeatures(rows);
  const state: UpliftState = { features, none: {}, actions: {}, windowMs };
  const metrics: Record<string, unknown> = { decisions: rows.length, withoutPropensity: logged.length - rows.length, none: rows.filter((r) => r.arm === 'none').length, features: features.map((f) => f.path), actions: {} };
  const goals = new Set<string>();
  for (const r of rows) if (r.arm !== 'none' && goalOf(r.arm)) goals.add(goalOf(r.arm)!);
  for (const goal of goals) {
    const arms = ['none', ...new Set(rows.filter((r) => r.arm !== 'none' && goalOf(r.arm) === goal).map((r) => r.arm))];
    const used = rows.filter((r) => arms.includes(r.arm));
    const d = features.length + 1;
    const X = new Float64Array(used.length * d);
    used.forEach((r, i) => X.set(featureRow(features, r.record.facts), i * d));
    const data = {
      X, d, arms: arms.length,
      arm: Int32Array.from(used, (r) => arms.indexOf(r.arm)),
      y: Float64Array.from(used, (r) => (r.followed.has(goal) ? 1 : 0)),
      propensity: Float64Array.from(used, (r) => r.propensity),
    };
    const fitted = fitLoggedArms(data, { lambda: 10, maxWeight: 50, minRows: MIN_ROWS });
    const none = fitted[0];
    if (!none) continue;
    state.none[goal] = none;
    arms.forEach((a, k) => {
      const m = fitted[k] as ArmModel | null;
      if (k === 0 || !m) return;
      state.actions[a] = { goal, model: m };
      (metrics.actions as Record<string, unknown>)[a] = { goal, rows: m.rows, positives: m.positives, noneRows: none.rows, nonePositives: none.positives };
    });
  }
  return { state, metrics };
}

/**
 * The `uplift` model: each action's incremental effect over doing nothing, learned from the
 * decision log (decisions where nothing was done — "none" chosen or the holdout — against those
 * where the action was, outcomes within the attribution window, IPS-weighted by the logged
 * propensities, features = the facts the decisions kept), leaving out the held-out subjects'
 * decisions (held-out.ts: `metrics.heldOut` counts them). Trained by `tact train uplift` and on
 * the schedule; decisions use it when the policy says `scoring: uplift`.
 *
 * @example
 * await learning.train(['uplift'], 'cli');
 */
export const upliftTrainer: Trainer = {
  name: 'uplift',
  description: 'Incremental effect of each action over "none", from the decision log (IPS-weighted T-learner, the winner on Hillstrom conversions).',
  async train(ctx) {
    const windowMs = ctx.settings.get(policyKind).attributionMs;
    const catalog = ctx.settings.get(catalogKind);
    // The held-out subjects' decisions are kept for judging versions (the comparison, the calibration report): never fitted on.
    const { training: rows, heldOut } = splitHeldOut(await readDecisionLog(ctx.store, { now: ctx.now, windowMs, ...UPLIFT_LOG }));
    const none = rows.filter((r) => r.arm === 'none' && hasPropensity(r)).length;
    if (none < MIN_ROWS) return { skipped: `needs ${MIN_ROWS} logged decisions that did nothing ("none" or the holdout) with their outcome window closed, of subjects outside the held-out split; there are ${none}` };
    const { state, metrics } = fitUplift(rows, (a) => catalog.actions.get(a)?.goal, windowMs);
    if (!Object.keys(state.actions).length) return { skipped: `no action has ${MIN_ROWS} logged decisions with their outcome window closed yet` };
    const dataFrom = Math.min(...rows.map((r) => r.record.at));
    // The state records the split, so a comparison knows which subjects the version never saw (pre-split.ts).
    return { state: { ...state, heldOut: HELD_OUT_SPLIT }, metrics: { ...metrics, heldOut: heldOut.length }, dataFrom, dataTo: ctx.now - windowMs };
  },
};
