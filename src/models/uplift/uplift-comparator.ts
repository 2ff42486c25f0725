import type { Settings } from '../../config/settings.js';
import { policyKind } from '../../decide/kinds.js';
import { opeReport, type OpeReport } from '../../measure/ope/report.js';
import type { EstimatorName } from '../../measure/ope/types.js';
import type { Store } from '../../store/store.js';
import type { CompareVersions, Comparison } from '../registry/registry.js';
import { hasPropensity, UPLIFT_LOG } from './uplift-trainer.js';
import { type LoggedDecision, readDecisionLog, shownArm } from './uplift-log.js';
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

/** Both versions' off-policy reports on the same logged decisions. */
export interface UpliftComparison extends Comparison {
  figures: { decisions: number; candidate: Figures; live: Figures; rule: string };
}
interface Figures {
  version: number;
  snips: { value: number; ci: [number, number] } | null;
  dr: { value: number; ci: [number, number] } | null;
  warnings: string[];
}

/**
 * Compares two uplift model versions on the decision log: what each would have earned (the goal
 * within the attribution window after the decision), by SNIPS and doubly robust estimates with
 * 95% bootstrap intervals (src/measure's opeReport; the DR reward model is the candidate's own
 * outcome predictions, the same for both). The rule: the candidate is not worse — and may go live
 * — when neither report is blocked and, for SNIPS and for DR, its estimate is at least the lower
 * end of the live version's 95% interval. Otherwise it is refused, with the figures.
 *
 * @example
 * const c = compareUpliftOnLog(rows, candidate, live, { level: 0.9, maxWidth: 0.05, noneScore: 0 });
 * c.better; // true
 */
export function compareUpliftOnLog(rows: readonly LoggedDecision[], candidate: UpliftScorer, live: UpliftScorer, o: { level: number; maxWidth: number; noneScore: number }): UpliftComparison {
  const goals = new Set([...Object.keys(candidate.state.none), ...Object.keys(live.state.none)]);
  const frame = logFrame(rows, candidate, goals, (r) => r.record.scored.map((t) => t.action));
  const report = (s: UpliftScorer): { r: OpeReport; f: Figures } => {
    const target = targetActions(rows, s, frame.index, o);
    const K = frame.index.size;
    const dist = new Float64Array(rows.length * K);
    target.forEach((a, i) => (dist[i * K + a] = 1));
    const r = estimateOnFrame(rows, frame, dist, ['snips', 'dr']);
    const pick = (e: OpeReport['estimates']['snips']) => (e ? { value: round(e.value), ci: [round(e.ci[0]), round(e.ci[1])] as [number, number] } : null);
    return { r, f: { version: s.version, snips: pick(r.estimates.snips), dr: pick(r.estimates.dr), warnings: r.warnings.map((w) => w.message) } };
  };
  const rule = 'not worse: neither report blocked, and SNIPS and DR each at least the lower end of the live version’s 95% interval';
  // Inverse-propensity estimates need the logging policy's probability of every logged arm.
  const unusable = rows.filter((r) => !hasPropensity(r)).length;
  if (unusable) {
    const none = (version: number): Figures => ({ version, snips: null, dr: null, warnings: [] });
    const summary = `the decision log cannot compare them: ${unusable} of ${rows.length} logged decisions have no usable propensity (missing, zero or above 1), and off-policy estimates weigh each decision by it`;
    return { better: false, summary, figures: { decisions: rows.length, candidate: none(candidate.version), live: none(live.version), rule } };
  }
  const c = report(candidate);
  const l = report(live);
  const figures = { decisions: rows.length, candidate: c.f, live: l.f, rule };
  if (c.r.blocked || l.r.blocked) {
    const why = [...c.r.warnings, ...l.r.warnings].find((w) => w.severity === 'block')?.message ?? 'the report is blocked';
    return { better: false, summary: `the decision log cannot compare them (${rows.length} decisions): ${why}`, figures };
  }
  const fmt = (e: Figures['snips']) => (e ? `${e.value} [${e.ci[0]}, ${e.ci[1]}]` : 'n/a');
  const ok = (cand: Figures['snips'], lv: Figures['snips']) => !!cand && !!lv && cand.value >= lv.ci[0];
  const better = ok(c.f.snips, l.f.snips) && ok(c.f.dr, l.f.dr);
  const summary = `on ${rows.length} logged decisions, uplift@${candidate.version} would have earned SNIPS ${fmt(c.f.snips)}, DR ${fmt(c.f.dr)} against uplift@${live.version}'s SNIPS ${fmt(l.f.snips)}, DR ${fmt(l.f.dr)} (95% bootstrap intervals)`;
  return { better, summary: better ? summary : `${summary}: the candidate is worse`, figures };
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

function estimateOnFrame(rows: readonly LoggedDecision[], f: LogFrame, dist: Float64Array, estimators: EstimatorName[]): OpeReport {
  const K = f.index.size;
  return opeReport({
    reward: f.reward, loggedPropensity: Float64Array.from(rows, (x) => x.propensity), targetProbability: Float64Array.from(rows, (_, i) => dist[i * K + f.logged[i]]),
    nActions: K, action: f.logged, targetDistribution: dist, rewardPrediction: f.q,
  }, { ...OPE, estimators });
}

/**
 * The registry's comparison for `uplift`: reads the decision log (outcome windows closed) and
 * applies {@link compareUpliftOnLog}.
 *
 * @example
 * registry.setComparator('uplift', upliftComparator({ store, settings }));
 */
export function upliftComparator(d: { store: Store; settings: Settings; now?: () => number }): CompareVersions {
  return async (candidate, live) => {
    const policy = d.settings.get(policyKind);
    // Each decision is read under its own catalog version (its safe default, its variants), not the current one.
    const rows = await readDecisionLog(d.store, { now: (d.now ?? Date.now)(), windowMs: policy.attributionMs, ...UPLIFT_LOG });
    const o = { level: policy.estimates.level, maxWidth: policy.estimates.establishedWidth, noneScore: policy.noneScore };
    return compareUpliftOnLog(rows, new UpliftScorer(candidate.state as UpliftState, candidate.version, candidate.dataTo), new UpliftScorer(live.state as UpliftState, live.version, live.dataTo), o);
  };
}
