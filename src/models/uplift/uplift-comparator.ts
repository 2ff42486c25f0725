import type { Settings } from '../../config/settings.js';
import { everyAttributionWindow } from '../../decide/decision-calibration.js';
import { policyKind } from '../../decide/kinds.js';
import { bootstrapIntervals } from '../../measure/ope/bootstrap.js';
import { estimate, influence, opeTerms } from '../../measure/ope/estimators.js';
import { opeReport, type OpeReport } from '../../measure/ope/report.js';
import type { EstimatorName, LoggedFeedback } from '../../measure/ope/types.js';
import type { Store } from '../../store/store.js';
import type { ModelVersion } from '../registry/model-store.js';
import type { CompareVersions, Comparison } from '../registry/registry.js';
import { inSlices, runOffThread } from '../train/off-thread.js';
import { mapSliced } from '../train/time-slice.js';
import { HELD_OUT_SPLIT, splitHeldOutSliced, type HeldOutSplit } from './held-out.js';
import { heldOutPendingByArm } from './pending.js';
import { heldOutSubjectsSeenBy, personKeys, splitOf, trainedOnSplit, unseenRows } from './pre-split.js';
import { hasPropensity, UPLIFT_LOG } from './uplift-trainer.js';
import { type LoggedDecision, readDecisionLog, shownArm, span } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';

/** Bootstrap resamples and seed of the comparison (both versions are scored on the same resamples). */
const OPE = { replicates: 500, seed: 7, level: 0.95 };
const round = (x: number) => Math.round(x * 1e5) / 1e5;

/**
 * What the decisions would have shown under one uplift model version: for each logged decision,
 * the scored action with the highest uplift × value × levers − cost (the logged score where the
 * version has no established uplift for it, as decisions fall back to the rate), or "none" when
 * nothing beats the policy's `noneScore` — and where that action was awaiting review when the
 * decision was made, its stand-in (the arm the log records for such decisions: what was shown).
 * Deterministic: index 0 is "none".
 *
 * @example
 * targetActions(rows, scorer, actionIndex, { level: 0.9, maxWidth: 0.05, noneScore: 0 });
 */
export function targetActions(rows: readonly LoggedDecision[], scorer: UpliftScorer, index: Map<string, number>, o: { level: number; maxWidth: number; noneScore: number }): Int32Array {
  return Int32Array.from(rows, (r) => {
    let best = 'none';
    let bestScore = o.noneScore;
    for (const t of r.record.scored) {
      if (t.value === undefined || !index.has(t.action)) continue;
      const u = scorer.estimate(t.action, r.record.facts, o);
      const levers = (t.levers ?? []).reduce((m, [, w]) => m * w, 1);
      const score = u && u.status === 'established' ? u.value * t.value * levers - (t.cost ?? 0) : t.score;
      if (score > bestScore) (best = t.action), (bestScore = score);
    }
    return index.get(shownArm(r, best))!;
  });
}

/** A difference candidate − live of one estimator, with its 95% bootstrap interval. */
export interface Difference {
  value: number;
  ci: [number, number];
}

/** Both versions' off-policy reports on the same logged decisions, and their difference. */
export interface UpliftComparison extends Comparison {
  figures: {
    decisions: number; candidate: Figures; live: Figures; difference: { snips: Difference | null; dr: Difference | null } | null; rule: string; split?: AcrossSplit;
    /** The held-out subjects' decisions made less than `windowMs` ago, left out ({@link upliftComparator} sets both). */
    pending?: number;
    /** The horizon every arm's outcome is read within: {@link comparisonWindow}. */
    windowMs?: number;
    /** True when `pending` is a lower bound: counting stopped after 100,000 of the newest decisions (pending.ts). */
    pendingAtLeast?: true;
  };
}
/**
 * When a version was trained before the held-out split (on every subject): which, what the
 * candidate was judged against — the live version on the held-out decisions neither learned from,
 * or doing nothing when there were none — and how many held-out decisions were left out.
 */
interface AcrossSplit {
  trainedOnHeldOut: number[];
  judgedAgainst: 'live' | 'none';
  leftOut: number;
}
interface Figures {
  /** The version; null for doing nothing. */
  version: number | null;
  snips: { value: number; ci: [number, number] } | null;
  dr: { value: number; ci: [number, number] } | null;
  warnings: string[];
}

const RULE = 'better: neither report blocked, and for SNIPS and for DR the 95% interval of candidate − live entirely above 0; worse when either is entirely below 0; a tie when both versions would have earned exactly the same; otherwise inconclusive';

/**
 * Compares two uplift model versions on logged decisions that neither was trained on (the
 * held-out subjects' decisions: held-out.ts; {@link upliftComparator} selects them): what each
 * would have earned (the goal within the window the rows were read with: {@link comparisonWindow}), by SNIPS and
 * doubly robust estimates (src/measure's opeReport, 95% bootstrap intervals; the DR reward model is
 * the candidate's own outcome predictions, the same for both), and — like with like — the
 * difference candidate − live of each, with the 95% BCa interval of the difference over the same
 * resamples (paired: both versions are read on each resampled row set).
 *
 * The rule: the candidate is better — and may go live — when neither report is blocked and, for
 * SNIPS and for DR, the whole interval of the difference is above 0. It is worse when either
 * interval is wholly below 0; a tie ("no difference") when both differences are exactly 0 (the
 * versions would have made the same choices, say); otherwise inconclusive — the log cannot tell
 * them apart, and only `training.autoPromote` lets such a candidate through.
 *
 * `live` "none" judges the candidate against doing nothing (every decision "none") instead: what a
 * comparison does when the live version's figure on these rows would be in-sample
 * ({@link upliftComparator}).
 *
 * @example
 * const c = compareUpliftOnLog(heldOutRows, candidate, live, { level: 0.9, maxWidth: 0.05, noneScore: 0 });
 * c.better; // true
 */
export function compareUpliftOnLog(rows: readonly LoggedDecision[], candidate: UpliftScorer, live: UpliftScorer | 'none', o: { level: number; maxWidth: number; noneScore: number }): UpliftComparison {
  const liveVersion = live === 'none' ? null : live.version;
  const liveName = live === 'none' ? 'doing nothing' : `uplift@${live.version}`;
  const goals = new Set([candidate, live].flatMap((s) => (s === 'none' ? [] : [...Object.keys(s.state.none), ...Object.values(s.state.actions).map((a) => a.goal)])));
  const none = (version: number | null): Figures => ({ version, snips: null, dr: null, warnings: [] });
  const nothing = { decisions: rows.length, candidate: none(candidate.version), live: none(liveVersion), difference: null, rule: RULE };
  if (!rows.length) return { better: false, inconclusive: true, summary: 'no logged decision of a held-out subject has its outcome window closed yet: nothing to compare them on; promote it by hand (`tact models promote --force`), or wait', figures: nothing };
  // Inverse-propensity estimates need the logging policy's probability of every logged arm.
  const unusable = rows.filter((r) => !hasPropensity(r)).length;
  if (unusable) {
    const summary = `the decision log cannot compare them: ${unusable} of ${rows.length} logged decisions have no usable propensity (missing, zero or above 1), and off-policy estimates weigh each decision by it`;
    return { better: false, summary, figures: nothing };
  }
  const frame = logFrame(rows, candidate, goals, (r) => r.record.scored.map((t) => t.action));
  const K = frame.index.size;
  const distribution = (s: UpliftScorer | 'none'): Float64Array => {
    const dist = new Float64Array(rows.length * K);
    // Doing nothing: index 0, "none", in every row.
    const picks = s === 'none' ? new Int32Array(rows.length) : targetActions(rows, s, frame.index, o);
    picks.forEach((a, i) => (dist[i * K + a] = 1));
    return dist;
  };
  const pick = (e: { value: number; ci: [number, number] } | null | undefined) => (e ? { value: round(e.value), ci: [round(e.ci[0]), round(e.ci[1])] as [number, number] } : null);
  const report = (version: number | null, dist: Float64Array): { r: OpeReport; f: Figures } => {
    const r = estimateOnFrame(rows, frame, dist, ['snips', 'dr']);
    return { r, f: { version, snips: pick(r.estimates.snips), dr: pick(r.estimates.dr), warnings: r.warnings.map((w) => w.message) } };
  };
  const cd = distribution(candidate);
  const ld = distribution(live);
  const c = report(candidate.version, cd);
  const l = report(liveVersion, ld);
  if (c.r.blocked || l.r.blocked) {
    const why = [...c.r.warnings, ...l.r.warnings].find((w) => w.severity === 'block')?.message ?? 'the report is blocked';
    return { better: false, summary: `the decision log cannot compare them (${rows.length} decisions): ${why}`, figures: { ...nothing, candidate: c.f, live: l.f } };
  }
  const raw = differenceOnFrame(rows, frame, cd, ld);
  const difference = { snips: pick(raw.snips), dr: pick(raw.dr) };
  const figures = { decisions: rows.length, candidate: c.f, live: l.f, difference, rule: RULE };
  const fmt = (e: Figures['snips']) => (e ? `${e.value} [${e.ci[0]}, ${e.ci[1]}]` : 'n/a');
  const both = [raw.snips, raw.dr];
  const unseen = live === 'none' ? 'the candidate was not trained on them' : 'neither version was trained on them';
  const summary = `on ${rows.length} logged decisions of held-out subjects (${unseen}), uplift@${candidate.version} would have earned SNIPS ${fmt(c.f.snips)}, DR ${fmt(c.f.dr)} against ${liveName}'s SNIPS ${fmt(l.f.snips)}, DR ${fmt(l.f.dr)}; difference SNIPS ${fmt(difference.snips)}, DR ${fmt(difference.dr)} (95% bootstrap intervals)`;
  if (both.every((d) => d && d.value === 0)) return { better: false, verdict: 'no difference', summary: `${summary}: no difference between uplift@${candidate.version} and ${liveName}`, figures };
  if (both.some((d) => d && d.ci[1] < 0)) return { better: false, summary: `${summary}: the candidate is worse`, figures };
  if (both.every((d) => d && d.ci[0] > 0)) return { better: true, verdict: 'better', summary: `${summary}: the candidate is better`, figures };
  return { better: false, inconclusive: true, summary: `${summary}: an interval of the difference holds 0, so the log cannot tell them apart`, figures };
}

/**
 * The difference target − other of SNIPS and DR on the same rows, with the BCa interval of the
 * difference: both are read on each bootstrap resample (the influence of a difference is the
 * difference of the influences). Null for an estimator without a value on these rows.
 */
function differenceOnFrame(rows: readonly LoggedDecision[], f: LogFrame, target: Float64Array, other: Float64Array): Record<'snips' | 'dr', Difference | null> {
  const tt = opeTerms(feedback(rows, f, target));
  const to = opeTerms(feedback(rows, f, other));
  const names = (['snips', 'dr'] as const).filter((k) => Number.isFinite(estimate(tt, k)) && Number.isFinite(estimate(to, k)));
  const stats = Object.fromEntries(names.map((k) => [k, (idx: Int32Array) => estimate(tt, k, idx) - estimate(to, k, idx)]));
  const bca = Object.fromEntries(names.map((k) => {
    const a = influence(tt, k)!;
    const b = influence(to, k)!;
    return [k, { estimate: estimate(tt, k) - estimate(to, k), influence: a.map((x, i) => x - b[i]) }];
  }));
  const intervals = bootstrapIntervals(rows.length, stats, { ...OPE, bca });
  const out: Record<'snips' | 'dr', Difference | null> = { snips: null, dr: null };
  for (const k of names) out[k] = { value: bca[k].estimate, ci: intervals[k].ci };
  return out;
}

/**
 * Off-policy estimates, on logged rows, of a policy that shows arm a ("none" or an action) in a
 * row with probability `target(row).get(a)`: IPS and SNIPS weigh each row by the target's
 * probability of its logged arm over the logged propensity, DR adds `rewardModel`'s outcome
 * predictions (Dudík, Langford & Li 2011); the reward is whether an outcome of `goals` (default:
 * the reward model's) followed within the window. The comparison below is this with each
 * version's deterministic pick as the target.
 *
 * @example
 * valueOnLog(rows, () => new Map([['shoes', 0.775], ['none', 0.225]]), { rewardModel: scorer }).estimates.ips?.value;
 */
export function valueOnLog(rows: readonly LoggedDecision[], target: (r: LoggedDecision) => ReadonlyMap<string, number>, o: { rewardModel: UpliftScorer; goals?: ReadonlySet<string>; estimators?: EstimatorName[] }): OpeReport {
  const targets = rows.map(target);
  const frame = logFrame(rows, o.rewardModel, o.goals ?? new Set(Object.keys(o.rewardModel.state.none)), (_, i) => targets[i].keys());
  const K = frame.index.size;
  const dist = new Float64Array(rows.length * K);
  targets.forEach((t, i) => t.forEach((p, a) => (dist[i * K + frame.index.get(a)!] += p)));
  return estimateOnFrame(rows, frame, dist, o.estimators ?? ['ips', 'snips', 'dr']);
}

/** The rows as the estimators read them: the arms (index 0 "none"), each row's reward and logged arm, the reward model's predictions (n × K). */
interface LogFrame {
  index: Map<string, number>;
  reward: Float64Array;
  logged: Int32Array;
  q: Float64Array;
}

/** `options`: the arms a row's target may show besides its logged arm and stand-in. */
function logFrame(rows: readonly LoggedDecision[], rewardModel: UpliftScorer, goals: ReadonlySet<string>, options: (r: LoggedDecision, i: number) => Iterable<string>): LogFrame {
  const index = new Map<string, number>([['none', 0]]);
  rows.forEach((r, i) => {
    for (const a of [r.arm, ...(r.standIn !== undefined ? [r.standIn] : []), ...options(r, i)]) if (!index.has(a)) index.set(a, index.size);
  });
  const K = index.size;
  const actions = [...index.keys()];
  const goal = [...goals][0] ?? 'conversion';
  const reward = Float64Array.from(rows, (r) => ([...r.followed].some((t) => goals.has(t)) ? 1 : 0));
  const logged = Int32Array.from(rows, (r) => index.get(r.arm)!);
  const q = new Float64Array(rows.length * K);
  rows.forEach((r, i) => actions.forEach((a, k) => (q[i * K + k] = rewardModel.outcome(k === 0 ? undefined : a, rewardModel.state.actions[a]?.goal ?? goal, r.record.facts) ?? 0)));
  return { index, reward, logged, q };
}

/** The rows as the estimators read them, under a target distribution (n × K). */
function feedback(rows: readonly LoggedDecision[], f: LogFrame, dist: Float64Array): LoggedFeedback {
  const K = f.index.size;
  return {
    reward: f.reward, loggedPropensity: Float64Array.from(rows, (x) => x.propensity), targetProbability: Float64Array.from(rows, (_, i) => dist[i * K + f.logged[i]]),
    nActions: K, action: f.logged, targetDistribution: dist, rewardPrediction: f.q,
  };
}

function estimateOnFrame(rows: readonly LoggedDecision[], f: LogFrame, dist: Float64Array, estimators: EstimatorName[]): OpeReport {
  return opeReport(feedback(rows, f, dist), { ...OPE, estimators });
}

/**
 * The registry's comparison for `uplift`: reads the decision log (the longest attribution window
 * closed, every arm's outcomes within it: {@link comparisonWindow}) and
 * applies {@link compareUpliftOnLog} to the held-out subjects' decisions, which no version
 * trained with the split learns from (held-out.ts): held out under each version's recorded split —
 * its subjects as of its training, so a merge received since that moved a subject onto the
 * held-out side does not bring back decisions a version learned from. A version trained before the split learned
 * from them too, so its figure there would be in-sample and optimistic: see {@link compareAcrossSplit}.
 * The held-out decisions left out as younger than the horizon are counted (`figures.pending`) and,
 * when there are any, said at the end of the summary.
 *
 * @example
 * registry.setComparator('uplift', upliftComparator({ store, settings }));
 */
export function upliftComparator(d: { store: Store; settings: Settings; now?: () => number }): CompareVersions {
  return async (candidate, live) => {
    const policy = d.settings.get(policyKind);
    // Each decision is read under its own catalog version (its safe default, its variants), not the
    // current one; and once the longest attribution window has closed, every arm's outcomes within it.
    const now = (d.now ?? Date.now)();
    const windowMs = comparisonWindow(d.settings);
    const rows = await readDecisionLog(d.store, { now, windowMs, ...UPLIFT_LOG });
    const o = { level: policy.estimates.level, maxWidth: policy.estimates.establishedWidth, noneScore: policy.noneScore };
    // Held out under each version's own split (its subjects as of its training: a merge since may have moved one).
    const recorded = [candidate, live].map(splitOf).filter((x): x is HeldOutSplit => x !== undefined);
    const splits = recorded.length ? recorded : [HELD_OUT_SPLIT];
    const heldOut = (await splitHeldOutSliced(rows, splits)).heldOut;
    const c = trainedOnSplit(candidate) && trainedOnSplit(live) ? await compareUpliftVersions(heldOut, candidate, live, o) : await compareAcrossSplit(d.store, heldOut, { candidate, live }, o);
    const { counts, atLeast } = await heldOutPendingByArm(d.store, now, windowMs, undefined, splits);
    return withPending(c, [...counts.values()].reduce((a, b) => a + b, 0), windowMs, atLeast);
  };
}

/**
 * The comparison with the decisions it left out for their open window counted: in its figures
 * (`pending`, `windowMs`) and, when there are any, at the end of its summary.
 */
function withPending(c: UpliftComparison, pending: number, windowMs: number, atLeast: boolean): UpliftComparison {
  const said = pending ? `; ${atLeast ? 'at least ' : ''}${pending.toLocaleString('en-US')} decision${pending === 1 ? '' : 's'} of held-out subjects still inside the ${span(windowMs)} window left out (their outcomes may still come)` : '';
  return { ...c, summary: `${c.summary}${said}`, figures: { ...c.figures, pending, windowMs, ...(atLeast ? { pendingAtLeast: true as const } : {}) } };
}

/**
 * The horizon the comparison reads every arm's outcome within: the longest attribution window of
 * the catalog's actions and the policy (as attribution credits them). The versions' picks differ
 * in their actions, so a row's reward must not depend on the arm: one horizon for all, "none"
 * included, judges each pick against doing nothing over the same time — an action's own window for
 * its arm and the policy's for "none" would credit a 14-day action with a week that "none" is not
 * given. A decision younger than it is left out: a conversion still to come would read as a failure
(the comparison counts them: `figures.pending`).
 *
 * @example
 * comparisonWindow(settings); // 1209600000 with an action credited for 14 days
 */
export function comparisonWindow(settings: Settings): number {
  return Math.max(...everyAttributionWindow(settings));
}

const scorer = (v: ModelVersion) => new UpliftScorer(v.state as UpliftState, v.version, v.dataTo);

/** A version as a worker thread receives it: what its scorer is built from. */
type ScorerOf = Pick<ModelVersion, 'state' | 'version' | 'dataTo'>;
/** Held-out decisions from which the comparison runs in a worker thread: below, starting one costs more than comparing here. */
export const OFF_THREAD_ROWS = 500;

/**
 * {@link compareUpliftOnLog} of two versions, run in a worker thread (off-thread.ts) from
 * {@link OFF_THREAD_ROWS} decisions: the picks, the reward model's predictions and three
 * bootstraps of 500 resamples held the server's thread ≈ 450–550 ms of a second training at 4,000
 * held-out decisions (QA 2026-12-06), and the bootstraps (src/measure) are one synchronous pass
 * each. The same function on the same rows, so the same answer; only what it reads of each row
 * crosses to the worker (not its delays or merges).
 *
 * @example
 * const c = await compareUpliftVersions(heldOut, candidate, live, { level: 0.9, maxWidth: 0.05, noneScore: 0 });
 */
export async function compareUpliftVersions(rows: readonly LoggedDecision[], candidate: ModelVersion, live: ModelVersion | 'none', o: { level: number; maxWidth: number; noneScore: number }): Promise<UpliftComparison> {
  if (rows.length < OFF_THREAD_ROWS) return compareUpliftOnLog(rows, scorer(candidate), live === 'none' ? 'none' : scorer(live), o);
  const of = (v: ModelVersion): ScorerOf => ({ state: v.state, version: v.version, dataTo: v.dataTo });
  const read = await mapSliced(rows, (r): LoggedDecision => ({ record: r.record, arm: r.arm, propensity: r.propensity, followed: r.followed, ...(r.standIn !== undefined ? { standIn: r.standIn } : {}) }));
  // Sent a slice at a time (off-thread-send.ts): 4,000 rows cloned in one piece held the thread 98 ms.
  return runOffThread<typeof compareVersionsOnLog>(import.meta.url, 'compareVersionsOnLog', [inSlices(read), of(candidate), live === 'none' ? 'none' : of(live), o]);
}

/**
 * {@link compareUpliftOnLog} of two versions given as their state, version and data end: what a
 * worker thread is given ({@link compareUpliftVersions}). Exported to run there (off-thread.ts).
 *
 * @example
 * compareVersionsOnLog(rows, { state, version: 2, dataTo }, 'none', { level: 0.9, maxWidth: 0.05, noneScore: 0 });
 */
export function compareVersionsOnLog(rows: readonly LoggedDecision[], candidate: ScorerOf, live: ScorerOf | 'none', o: { level: number; maxWidth: number; noneScore: number }): UpliftComparison {
  const build = (v: ScorerOf) => new UpliftScorer(v.state as UpliftState, v.version, v.dataTo);
  return compareUpliftOnLog(rows, build(candidate), live === 'none' ? 'none' : build(live), o);
}

/**
 * The comparison when a version was trained before the held-out split, on every subject: judged
 * on the held-out decisions it never learned from (pre-split.ts `unseenRows`: made after its data
 * window, of subjects with no decision inside it). With none, a live version's figure could only
 * be in-sample, so the candidate — which never saw a held-out subject — is judged against doing
 * nothing on all of them, by the same rule; a candidate trained before the split with none is
 * inconclusive. Refitting the live version on the four subjects in five was not chosen: the refit
 * would re-read a log that has changed since (late outcomes, catalog and policy versions), so it
 * would not be the version that is live.
 */
async function compareAcrossSplit(store: Store, heldOut: readonly LoggedDecision[], v: { candidate: ModelVersion; live: ModelVersion }, o: { level: number; maxWidth: number; noneScore: number }): Promise<UpliftComparison> {
  const before = [v.candidate, v.live].filter((x) => !trainedOnSplit(x));
  let rows: readonly LoggedDecision[] = heldOut;
  const keysOf = before.length ? await personKeys(store.profiles, heldOut) : undefined;
  for (const x of before) rows = unseenRows(rows, x, await heldOutSubjectsSeenBy(store, x), keysOf);
  const trainedOnHeldOut = before.map((x) => x.version);
  const why = `${trainedOnHeldOut.map((x) => `uplift@${x}`).join(' and ')} ${before.length > 1 ? 'were' : 'was'} trained before the held-out split, on every subject, so a figure on the held-out decisions of subjects it learned from would be in-sample and optimistic`;
  const leftOut = heldOut.length - rows.length;
  if (rows.length) {
    const c = await compareUpliftVersions(rows, v.candidate, v.live, o);
    return { ...c, summary: `${why}; judged only on held-out decisions made after its data ended, of subjects it never saw (${leftOut} others left out): ${c.summary}`, figures: { ...c.figures, split: { trainedOnHeldOut, judgedAgainst: 'live', leftOut } } };
  }
  if (before.includes(v.candidate)) {
    const c = compareUpliftOnLog([], scorer(v.candidate), scorer(v.live), o);
    return { better: false, inconclusive: true, summary: `${why}, and no held-out decision is of a subject neither version learned from: nothing to compare them on; promote it by hand (\`tact models promote --force\`), or wait`, figures: { ...c.figures, split: { trainedOnHeldOut, judgedAgainst: 'live', leftOut } } };
  }
  const c = await compareUpliftVersions(heldOut, v.candidate, 'none', o);
  const end = new Date(v.live.dataTo).toISOString();
  return { ...c, summary: `${why}; no held-out decision is of a subject it never saw (made after its data ended, ${end}), so the candidate is judged against doing nothing instead: ${c.summary}`, figures: { ...c.figures, split: { trainedOnHeldOut, judgedAgainst: 'none', leftOut: 0 } } };
}
