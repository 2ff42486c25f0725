import type { Settings } from '../config/settings.js';
import { type HeldOutPoint, heldOutReport } from '../learn/calibration/held-out.js';
import type { CalibrationView } from '../models/calibration/calibration.js';
import { catalogKind, policyKind } from './kinds.js';
import type { DecisionRecord } from './decision.js';
import type { DecisionStore } from './decision-store.js';
import { outcomesSincePaged } from './outcome-pages.js';
import type { OutcomeRecord } from './records.js';

/** Decisions read per report (the most recent). */
export const DECISION_CALIBRATION_WINDOW = 50_000;

/** The report, with what it had to leave out. */
export interface DecisionCalibration extends CalibrationView {
  /** Action choices whose estimate was not a Beta posterior (bandit or uplift scoring, or logged before 2026-12-01). */
  withoutPosterior: number;
}

/**
 * The held-out points of the decisions' goal-rate estimates: every action a decision chose (not
 * the holdout's), with the Beta belief its estimate had when the decision was made (logged with
 * it), and its outcome — 1 when a goal outcome was credited to it as a success, 0 once its
 * attribution window has passed without one; still inside the window, it is pending.
 *
 * @example
 * decisionPoints(records, outcomes, Date.now(), (action) => 7 * 86_400_000);
 */
export function decisionPoints(records: readonly DecisionRecord[], outcomes: readonly OutcomeRecord[], now: number, windowOf: (action: string) => number): { points: HeldOutPoint[]; pending: number; withoutPosterior: number } {
  const success = new Set<string>();
  for (const o of outcomes) if (o.success && o.decisionId && o.action) success.add(`${o.decisionId}|${o.action}`);
  const points: HeldOutPoint[] = [];
  let pending = 0;
  let withoutPosterior = 0;
  for (const r of records) {
    if (r.arm !== 'treatment') continue;
    for (const c of r.choices) {
      if (c.kind !== 'action' || !c.action) continue;
      const t = r.scored.find((s) => s.action === c.action);
      if (!t || t.a === undefined || t.b === undefined || r.bandit || t.uplift) {
        withoutPosterior++;
        continue;
      }
      // Judged once the window is over; a success inside it waits like a silence: taking early
      // successes and leaving early silences would read the observed rate high.
      if (r.at + windowOf(c.action) > now) {
        pending++;
        continue;
      }
      const won = success.has(`${r.id}|${c.action}`);
      points.push({ subjectId: r.profileKey, seq: r.at, alpha: t.a, beta: t.b, outcome: won ? 1 : 0 });
    }
  }
  return { points, pending, withoutPosterior };
}

/**
 * The reliability report of the decisions' goal-rate estimates on the most recent decisions whose
 * shortest attribution window has closed (at most `max`): ECE and bins of the predicted rate
 * against what happened, and the coverage of 90% intervals (held-out.ts). Newer decisions' action
 * choices are counted as pending, not read: read newest first from now, they would take the capped
 * read's share (at 1,000 decisions a second, 50,000 are the last minute) and leave nothing to judge.
 *
 * @example
 * await decisionCalibration(store.decisions, Date.now(), attributionWindows(settings), { shortest: shortestWindow(settings) });
 */
export async function decisionCalibration(store: DecisionStore, now: number, windowOf: (action: string) => number, o: { shortest: number; max?: number }): Promise<DecisionCalibration> {
  const { shortest } = o;
  const records = await store.queryDecisions({ to: now - shortest + 1, limit: o.max ?? DECISION_CALIBRATION_WINDOW });
  const from = records.reduce((m, r) => Math.min(m, r.at), now);
  // A page at a time, the event loop given turns between (outcome-pages.ts): it runs in a training.
  const outcomes = await outcomesSincePaged(store, from);
  const { points, pending, withoutPosterior } = decisionPoints(records, outcomes, now, windowOf);
  // The newer decisions' action choices, from the per-minute volumes the global budgets read (not
  // one by one: at 1,000 decisions a second a 7-day window holds 600 million), whatever scored them.
  const younger = shortest > 0 ? (await store.contactVolumes(now - shortest + 1, now + 1)).reduce((n, v) => n + v.n, 0) : 0;
  return { model: 'decisions', key: null, pending: pending + younger, withoutPosterior, ...heldOutReport(points) };
}

/**
 * Each action's attribution window under the catalog and policy in force.
 *
 * @example
 * const windowOf = attributionWindows(settings); windowOf('winter-sale'); // 604800000
 */
export function attributionWindows(settings: Pick<Settings, 'get'>): (action: string) => number {
  const catalog = settings.get(catalogKind);
  const policy = settings.get(policyKind);
  return (action) => catalog.actions.get(action)?.attributionMs ?? policy.attributionMs;
}

/**
 * The shortest attribution window of the policy and the catalog's actions: decisions younger than
 * it have no choice whose window has closed.
 *
 * @example
 * shortestWindow(settings); // 86400000 with an action credited for a day
 */
export function shortestWindow(settings: Settings): number {
  return Math.min(...everyAttributionWindow(settings));
}

/**
 * The policy's attribution window, then each catalog action's (its own, else the policy's): what the
 * longest and shortest windows are read from.
 *
 * @example
 * Math.max(...everyAttributionWindow(settings)); // 1209600000 with an action credited for 14 days
 */
export function everyAttributionWindow(settings: Pick<Settings, 'get'>): number[] {
  const windowOf = attributionWindows(settings);
  return [settings.get(policyKind).attributionMs, ...[...settings.get(catalogKind).actions.keys()].map(windowOf)];
}
