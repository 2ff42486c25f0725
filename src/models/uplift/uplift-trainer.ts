import { attributionWindows, everyAttributionWindow } from '../../decide/decision-calibration.js';
import { catalogKind, policyKind } from '../../decide/kinds.js';
import { fitLoggedArms, type ArmModel } from '../../learn/uplift/logged-uplift.js';
import { inSlices, runOffThread } from '../train/off-thread.js';
import type { Trainer } from '../train/trainer.js';
import { splitAsOf, splitHeldOut } from './held-out.js';
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
 * Whether an outcome of `goal` followed the decision within `windowMs` (from its `delays`, read up
 * to the longest window; a row without them: its `followed`, read within the log's window).
 *
 * @example
 * followedWithin(row, 'conversion', 14 * 864e5); // true for a conversion 10 days on
 */
export function followedWithin(r: LoggedDecision, goal: string, windowMs: number): boolean {
  if (!r.delays) return r.followed.has(goal);
  const delay = r.delays.get(goal);
  return delay !== undefined && delay <= windowMs;
}

/**
 * Fits the uplift state on logged decisions: per goal type and attribution window, the "none" rows
 * against each action with that goal and window (IPS-weighted T-learner,
 * src/learn/uplift/logged-uplift.ts), outcomes within that window: an action's uplift is its rate
 * within its window less doing nothing's within the same window, so "none" is fitted once per
 * (goal, window) — `windowMs` (the policy's: `state.none`, also when no action has it) and each
 * other window an action has (`state.noneByWindow`). With `now`, a (goal, window)'s rows are the
 * decisions whose window has closed (`at + window ≤ now`), treated and control alike, so a
 * conversion still to come is not read as a failure. `windowOf` (default: every action
 * `windowMs`) is an action's window, as attribution credits it. Pure.
 *
 * @example
 * const { state, metrics } = fitUplift(rows, (a) => catalog.actions.get(a)?.goal, 7 * DAY, { windowOf, now });
 */
export function fitUplift(logged: readonly LoggedDecision[], goalOf: (action: string) => string | undefined, windowMs: number, o: { windowOf?: (action: string) => number; now?: number } = {}): { state: UpliftState; metrics: Record<string, unknown> } {
  // A decision without the probability of its arm cannot be weighted: it is left out, and counted.
  const rows = logged.filter(hasPropensity);
  const windowOf = o.windowOf ?? (() => windowMs);
  const features = chooseFeatures(rows);
  const state: UpliftState = { features, none: {}, actions: {}, windowMs };
  const metrics: Record<string, unknown> = { decisions: rows.length, withoutPropensity: logged.length - rows.length, none: rows.filter((r) => r.arm === 'none').length, features: features.map((f) => f.path), actions: {} };
  // Goal → window → its actions, in the order the rows first show them; every goal has the policy's window.
  const groups = new Map<string, Map<number, string[]>>();
  for (const r of rows) {
    const goal = r.arm === 'none' ? undefined : goalOf(r.arm);
    if (!goal) continue;
    let byWindow = groups.get(goal);
    if (!byWindow) groups.set(goal, (byWindow = new Map([[windowMs, []]])));
    const w = windowOf(r.arm);
    const actions = byWindow.get(w) ?? [];
    if (!actions.includes(r.arm)) actions.push(r.arm);
    byWindow.set(w, actions);
  }
  const d = features.length + 1;
  for (const [goal, byWindow] of groups) {
    for (const [w, actions] of byWindow) {
      const arms = ['none', ...actions];
      const used = rows.filter((r) => arms.includes(r.arm) && (o.now === undefined || r.record.at + w <= o.now));
      const X = new Float64Array(used.length * d);
      used.forEach((r, i) => X.set(featureRow(features, r.record.facts), i * d));
      const data = {
        X, d, arms: arms.length,
        arm: Int32Array.from(used, (r) => arms.indexOf(r.arm)),
        y: Float64Array.from(used, (r) => (followedWithin(r, goal, w) ? 1 : 0)),
        propensity: Float64Array.from(used, (r) => r.propensity),
      };
      const fitted = fitLoggedArms(data, { lambda: 'cv', maxWeight: 50, minRows: MIN_ROWS });
      const none = fitted[0];
      if (!none) continue;
      if (w === windowMs) state.none[goal] = none;
      else ((state.noneByWindow ??= {})[String(w)] ??= {})[goal] = none;
      arms.forEach((a, k) => {
        const m = fitted[k] as ArmModel | null;
        if (k === 0 || !m) return;
        state.actions[a] = { goal, model: m, windowMs: w };
        (metrics.actions as Record<string, unknown>)[a] = { goal, windowMs: w, rows: m.rows, positives: m.positives, noneRows: none.rows, nonePositives: none.positives };
      });
    }
  }
  return { state, metrics };
}

/**
 * The `uplift` model: each action's incremental effect over doing nothing, learned from the
 * decision log (decisions where nothing was done — "none" chosen or the holdout — against those
 * where the action was, outcomes within the action's attribution window — the catalog's, else the
 * policy's — for both, IPS-weighted by the logged propensities, features = the facts the decisions
 * kept), leaving out the held-out subjects'
 * decisions (held-out.ts: `metrics.heldOut` counts them; a subject is the profile its decisions
 * belong to now, merges followed: `state.heldOut` records the rule and its time). Trained by `tact train uplift` and on
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
    // Each action is read within its own attribution window (the catalog's, else the policy's), as
    // attribution credits it: the log is read from the shortest window's closed decisions, with their
    // outcomes up to the longest; fitUplift closes each (goal, window)'s rows itself.
    const windowOf = attributionWindows(ctx.settings);
    const windows = everyAttributionWindow(ctx.settings);
    const shortest = Math.min(...windows);
    const log = await readDecisionLog(ctx.store, { now: ctx.now, windowMs: shortest, horizonMs: Math.max(...windows), ...UPLIFT_LOG });
    // The held-out subjects' decisions are kept for judging versions (the comparison, the calibration report): never fitted on.
    // A subject is the profile its decisions belong to now, every merge received by `ctx.now` followed.
    const split = splitAsOf(ctx.now);
    const { training: rows, heldOut } = splitHeldOut(log, [split]);
    const none = rows.filter((r) => r.arm === 'none' && hasPropensity(r)).length;
    if (none < MIN_ROWS) return { skipped: `needs ${MIN_ROWS} logged decisions that did nothing ("none" or the holdout) with their outcome window closed, of subjects outside the held-out split; there are ${none}` };
    // The fit takes seconds on a large log: off the server's thread, with the goal and window of
    // every arm in the rows written out (a function does not cross to a worker), the rows sent a
    // slice at a time (cloned at once, 16,000 held the event loop 0.2–2.3 s: off-thread-send.ts).
    const arms = [...new Set(rows.map((r) => r.arm))];
    const goals = Object.fromEntries(arms.map((a) => [a, catalog.actions.get(a)?.goal]));
    const armWindows = Object.fromEntries(arms.map((a) => [a, windowOf(a)]));
    const { state, metrics } = await runOffThread<typeof fitUpliftOnTables>(import.meta.url, 'fitUpliftOnTables', [inSlices(rows), goals, armWindows, windowMs, ctx.now]);
    if (!Object.keys(state.actions).length) return { skipped: `no action has ${MIN_ROWS} logged decisions with their outcome window closed yet` };
    const dataFrom = Math.min(...rows.map((r) => r.record.at));
    // The state records the split, with when its subjects were read, so a comparison knows which subjects the version never saw (pre-split.ts).
    return { state: { ...state, heldOut: split }, metrics: { ...metrics, heldOut: heldOut.length }, dataFrom, dataTo: ctx.now - shortest };
  },
  // Every training reads its split at its own time: with the same fit it is the same model.
  identity: (s) => ({ ...(s as object), heldOut: { ...(s as { heldOut?: object }).heldOut, asOf: undefined } }),
};

/**
 * {@link fitUplift} with each arm's goal and attribution window as tables rather than functions,
 * so that it can run in a worker thread (off-thread.ts); an arm missing from `windows` reads
 * `windowMs`, as fitUplift's default. Same result as the call with the functions.
 *
 * @example
 * fitUpliftOnTables(rows, { 'shoes-offer': 'conversion' }, { 'shoes-offer': 3_600_000 }, 3_600_000, Date.now());
 */
export function fitUpliftOnTables(logged: readonly LoggedDecision[], goals: Record<string, string | undefined>, windows: Record<string, number>, windowMs: number, now: number): ReturnType<typeof fitUplift> {
  return fitUplift(logged, (a) => goals[a], windowMs, { windowOf: (a) => windows[a] ?? windowMs, now });
}
