import type { Settings } from '../../config/settings.js';
import { policyKind } from '../../decide/kinds.js';
import { validationError } from '../../errors/tact-error.js';
import { type UpliftCalibrationPoint, type UpliftCalibrationReport, upliftCalibrationReport } from '../../learn/uplift/uplift-calibration.js';
import type { Store } from '../../store/store.js';
import { splitHeldOut } from './held-out.js';
import { type LoggedDecision, readDecisionLog } from './uplift-log.js';
import { UpliftScorer, type UpliftState } from './uplift-model.js';
import { hasPropensity, UPLIFT_LOG } from './uplift-trainer.js';

/** The calibration of one action's predicted uplift under the live `uplift` version, as the API and `tact calibration uplift` show it. */
export interface UpliftCalibrationView extends UpliftCalibrationReport {
  model: 'uplift';
  /** The action; null when there is no live version. */
  key: string | null;
  goal: string | null;
  /** The live version reported on; null when none is trained. */
  version: number | null;
  /** The log is read only where the outcome window has closed: nothing is pending. */
  pending: 0;
}

/**
 * One action's held-out points under a version: the held-out subjects' decisions that showed the
 * action (treated) or did nothing (control), each with the version's predicted uplift for its
 * kept facts, whether the action's goal followed within the window, and weight 1/propensity.
 *
 * @example
 * upliftPoints(heldOut, scorer, 'winback', { level: 0.9, maxWidth: 0.05 });
 */
export function upliftPoints(rows: readonly LoggedDecision[], scorer: UpliftScorer, action: string, o: { level: number; maxWidth: number }): UpliftCalibrationPoint[] {
  const goal = scorer.state.actions[action]?.goal;
  if (!goal) return [];
  const points: UpliftCalibrationPoint[] = [];
  for (const r of rows) {
    if ((r.arm !== action && r.arm !== 'none') || !hasPropensity(r)) continue;
    const u = scorer.estimate(action, r.record.facts, o);
    if (!u) continue;
    points.push({ predicted: u.value, treated: r.arm === action, outcome: r.followed.has(goal) ? 1 : 0, weight: 1 / r.propensity });
  }
  return points;
}

/**
 * The calibration reports of the live `uplift` version, one per action it has an arm for (or the
 * `key` asked for): on the decisions of the held-out subjects, which no version is trained on
 * (held-out.ts), predicted uplift per bin against the observed treatment − control difference with
 * its 95% interval (src/learn/uplift/uplift-calibration.ts). A `key` that is not an action of the
 * live version is a 400 naming `key`. With no live version, one empty report.
 *
 * @example
 * await upliftCalibrationReports(store, settings, undefined, Date.now());
 */
export async function upliftCalibrationReports(store: Store, settings: Settings, key: string | undefined, now: number): Promise<UpliftCalibrationView[]> {
  const live = await store.models.live('uplift');
  const version = live && (await store.models.getVersion('uplift', live.version));
  if (!version) {
    if (key !== undefined) throw validationError([{ field: 'key', message: `The \`key\` \`${key}\` names no action of the live \`uplift\` version: no version is trained yet (tact train uplift).` }]);
    return [{ model: 'uplift', key: null, goal: null, version: null, pending: 0, ...upliftCalibrationReport([]) }];
  }
  const scorer = new UpliftScorer(version.state as UpliftState, version.version, version.dataTo);
  const actions = Object.keys(scorer.state.actions).sort();
  if (key !== undefined && !actions.includes(key)) {
    throw validationError([{ field: 'key', message: `The \`key\` \`${key}\` names no action of the live \`uplift\` version ${version.version}; its actions are ${actions.join(', ') || 'none'}.` }]);
  }
  const policy = settings.get(policyKind);
  const rows = splitHeldOut(await readDecisionLog(store, { now, windowMs: policy.attributionMs, ...UPLIFT_LOG })).heldOut;
  const o = { level: policy.estimates.level, maxWidth: policy.estimates.establishedWidth };
  return (key !== undefined ? [key] : actions).map((action) => ({
    model: 'uplift' as const, key: action, goal: scorer.state.actions[action].goal, version: version.version, pending: 0 as const,
    ...upliftCalibrationReport(upliftPoints(rows, scorer, action, o)),
  }));
}

/**
 * One uplift report as text: the rows, the overall predicted against observed uplift, then per bin
 * the predicted uplift, the observed difference with its 95% interval, and whether it holds it.
 *
 * @example
 * renderUpliftCalibration(view); // "uplift winback (version 3, goal conversion): 812 held-out decisions …"
 */
export function renderUpliftCalibration(r: UpliftCalibrationView): string {
  if (r.version === null) return 'uplift: no version is trained yet\n';
  const head = `uplift ${r.key} (version ${r.version}, goal ${r.goal}): ${r.n.toLocaleString('en-US')} held-out decisions (${r.treated.toLocaleString('en-US')} showed it, ${r.control.toLocaleString('en-US')} did nothing)`;
  if (!r.n) return `${head}\n  nothing to report yet\n`;
  const f = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const iv = (i: { low: number; high: number } | null) => (i ? `[${f(i.low)}, ${f(i.high)}]` : '');
  const lines = [head];
  lines.push(`  mean predicted uplift ${f(r.meanPredicted)}, observed ${f(r.observed)} ${iv(r.interval)} (95%; treated − control, weighted by 1/propensity)`);
  lines.push(`  mean gap ${f(r.meanAbsoluteGap)}; ${r.binsHolding} of ${r.binsObserved} bins' 95% intervals hold their predicted uplift`);
  lines.push('  bin                       n  treated  predicted  observed  95% interval');
  for (const b of r.bins) lines.push(`  ${`[${b.low.toFixed(4)}, ${b.high.toFixed(4)}]`.padEnd(22)} ${String(b.count).padStart(6)} ${String(b.treated).padStart(8)}  ${f(b.meanPredicted).padStart(9)}  ${f(b.observed).padStart(8)}  ${iv(b.interval)}${b.holds === false ? '  misses' : ''}`);
  return `${lines.join('\n')}\n`;
}
