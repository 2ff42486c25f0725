import type { Settings } from '../../config/settings.js';
import { attributionWindows } from '../../decide/decision-calibration.js';
import { policyKind } from '../../decide/kinds.js';
import { validationError } from '../../errors/tact-error.js';
import { type UpliftCalibrationPoint, type UpliftCalibrationReport, upliftCalibrationReport } from '../../learn/uplift/uplift-calibration.js';
import type { Store } from '../../store/store.js';
import { HELD_OUT_SPLIT, splitHeldOut } from './held-out.js';
import { splitOf } from './pre-split.js';
import { heldOutPendingByArm } from './pending.js';
import { type LoggedDecision, readDecisionLog, span } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';
import { hasPropensity, UPLIFT_LOG } from './uplift-trainer.js';
import { API_WORDING, type Wording } from '../calibration/wording.js';

/** The calibration of one action's predicted uplift under the live `uplift` version, as the API and `tact calibration uplift` show it. */
export interface UpliftCalibrationView extends UpliftCalibrationReport {
  model: 'uplift';
  /** The action; null when there is no live version. */
  key: string | null;
  goal: string | null;
  /** The live version reported on; null when none is trained. */
  version: number | null;
  /** The action's attribution window (the catalog's, else the policy's), as attribution credits it; null with no live version. */
  windowMs: number | null;
  /** Held-out decisions of the action or of "none" made less than `windowMs` ago: their outcomes may still come, so they are left out. */
  pending: number;
  /** True when `pending` is a lower bound: counting stopped after 100,000 of the newest decisions. */
  pendingAtLeast?: true;
}

/**
 * One action's held-out points under a version: the held-out subjects' decisions that showed the
 * action (treated) or did nothing (control), each with the version's predicted uplift for its
 * kept facts, whether the action's goal followed within the action's attribution window
 * (`windowMs`), and weight 1/propensity. Treated and control rows alike are judged only once that
 * window has closed (`at + windowMs ≤ now`): before, a conversion still to come would read as a
 * failure — and judging early only the rows that already converted would bias the other way. The
 * rows left out for that are counted (`pending`).
 *
 * @example
 * upliftPoints(heldOut, scorer, 'winback', { level: 0.9, maxWidth: 0.05, now: Date.now(), windowMs: 7 * 864e5 });
 */
export function upliftPoints(rows: readonly LoggedDecision[], scorer: UpliftScorer, action: string, o: { level: number; maxWidth: number; now: number; windowMs: number }): { points: UpliftCalibrationPoint[]; pending: number } {
  const goal = scorer.state.actions[action]?.goal;
  if (!goal) return { points: [], pending: 0 };
  const points: UpliftCalibrationPoint[] = [];
  let pending = 0;
  for (const r of rows) {
    if ((r.arm !== action && r.arm !== 'none') || !hasPropensity(r)) continue;
    if (r.record.at + o.windowMs > o.now) {
      pending++;
      continue;
    }
    const u = scorer.estimate(action, r.record.facts, o);
    if (!u) continue;
    const delay = r.delays?.get(goal);
    const followed = r.delays ? delay !== undefined && delay <= o.windowMs : r.followed.has(goal);
    points.push({ predicted: u.value, treated: r.arm === action, outcome: followed ? 1 : 0, weight: 1 / r.propensity });
  }
  return { points, pending };
}

/**
 * The calibration reports of the live `uplift` version, one per action it has an arm for (or the
 * `key` asked for): on the decisions of the held-out subjects, which no version is trained on
 * (held-out.ts; held out under the live version's recorded split, its subjects as of its training), predicted uplift per bin against the observed treatment − control difference with
 * its 95% interval (src/learn/uplift/uplift-calibration.ts), each action's rows judged once its
 * own attribution window (the catalog's, else the policy's: as attribution credits it) has closed
 * ({@link upliftPoints}). A `key` that is not an action of the live version is a 400 naming `key`
 * (said as `o.wording` says it: the API's by default).
 * With no live version, one empty report.
 *
 * @example
 * await upliftCalibrationReports(store, settings, undefined, Date.now());
 */
export async function upliftCalibrationReports(store: Store, settings: Settings, key: string | undefined, now: number, log: { sinceMs: number; max: number } = UPLIFT_LOG, o: { scanMax?: number; wording?: Wording } = {}): Promise<UpliftCalibrationView[]> {
  const w = o.wording ?? API_WORDING;
  const live = await store.models.live('uplift');
  const version = live && (await store.models.getVersion('uplift', live.version));
  if (!version) {
    if (key !== undefined) throw validationError([{ field: 'key', message: `The ${w.field('key')} ${w.value(key)} names no action of the live ${w.value('uplift')} version: no version is trained yet (tact train uplift).` }]);
    return [{ model: 'uplift', key: null, goal: null, version: null, windowMs: null, pending: 0, ...upliftCalibrationReport([]) }];
  }
  const scorer = new UpliftScorer(version.state as UpliftState, version.version, version.dataTo);
  const actions = Object.keys(scorer.state.actions).sort();
  if (key !== undefined && !actions.includes(key)) {
    throw validationError([{ field: 'key', message: `The ${w.field('key')} ${w.value(key)} names no action of the live ${w.value('uplift')} version ${version.version}; its actions are ${actions.join(', ') || 'none'}.` }]);
  }
  const policy = settings.get(policyKind);
  const windowOf = attributionWindows(settings);
  const reported = key !== undefined ? [key] : actions;
  // The log is read from the shortest reported window's closed decisions, with their outcomes up to
  // the longest; each action closes its own rows' windows (upliftPoints) and counts the open ones.
  // Newer decisions, open for every action, are only counted: read, they would take the capped
  // read's share (at 1,000 decisions a second, 100,000 are the last two minutes) from closed ones.
  const windows = reported.map(windowOf);
  const shortest = Math.min(...windows);
  // Held out under the live version's own split: its subjects as of its training (a merge since may have moved one).
  const splits = [splitOf(version) ?? HELD_OUT_SPLIT];
  const rows = splitHeldOut(await readDecisionLog(store, { now, windowMs: shortest, horizonMs: Math.max(...windows), ...log }), splits).heldOut;
  const { counts: younger, atLeast } = await heldOutPendingByArm(store, now, shortest, o.scanMax, splits);
  return reported.map((action) => {
    const windowMs = windowOf(action);
    const { points, pending: read } = upliftPoints(rows, scorer, action, { level: policy.estimates.level, maxWidth: policy.estimates.establishedWidth, now, windowMs });
    const pending = read + (younger.get(action) ?? 0) + (younger.get('none') ?? 0);
    return { model: 'uplift' as const, key: action, goal: scorer.state.actions[action].goal, version: version.version, windowMs, pending, ...(atLeast ? { pendingAtLeast: true as const } : {}), ...upliftCalibrationReport(points) };
  });
}

/**
 * One uplift report as text: the rows, the overall predicted against observed uplift, then per bin
 * the predicted uplift, the observed difference with its 95% interval (Newcombe's), and whether it
 * misses it or has too few rows to judge.
 *
 * @example
 * renderUpliftCalibration(view); // "uplift winback (version 3, goal conversion): 812 held-out decisions …"
 */
export function renderUpliftCalibration(r: UpliftCalibrationView): string {
  if (r.version === null) return 'uplift: no version is trained yet\n';
  const open = r.pending && r.windowMs !== null ? `; ${r.pendingAtLeast ? 'at least ' : ''}${r.pending.toLocaleString('en-US')} more still inside the ${span(r.windowMs)} attribution window, left out` : '';
  const head = `uplift ${r.key} (version ${r.version}, goal ${r.goal}): ${r.n.toLocaleString('en-US')} held-out decisions (${r.treated.toLocaleString('en-US')} showed it, ${r.control.toLocaleString('en-US')} did nothing)${open}`;
  if (!r.n) return `${head}\n  nothing to report yet\n`;
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const iv = (i: { low: number; high: number } | null) => (i ? `[${f(i.low)}, ${f(i.high)}]` : '');
  const lines = [head];
  lines.push(`  mean predicted uplift ${f(r.meanPredicted)}, observed ${f(r.observed)} ${iv(r.interval)} (95%; treated − control, weighted by 1/propensity)`);
  const unjudged = r.binsObserved - r.binsJudged;
  const few = unjudged ? ` (${unjudged} more with fewer than ${r.minRows} effective treated or control rows: too few to judge)` : '';
  lines.push(`  mean gap ${f(r.meanAbsoluteGap)}; ${r.binsHolding} of ${r.binsJudged} judged bins' 95% intervals hold their predicted uplift${few}`);
  lines.push('  bin                       n  treated  predicted  observed  95% interval');
  for (const b of r.bins) lines.push(`  ${`[${b.low.toFixed(4)}, ${b.high.toFixed(4)}]`.padEnd(22)} ${String(b.count).padStart(6)} ${String(b.treated).padStart(8)}  ${f(b.meanPredicted).padStart(9)}  ${f(b.observed).padStart(8)}  ${iv(b.interval)}${b.verdict === 'misses' || b.verdict === 'too few' ? `  ${b.verdict}` : ''}`);
  return `${lines.join('\n')}\n`;
}

