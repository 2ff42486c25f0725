import type { Settings } from '../config/settings.js';
import { type HeldOutPoint, heldOutReport } from '../learn/calibration/held-out.js';
import type { CalibrationView } from '../models/calibration/calibration.js';
import { catalogKind, policyKind } from './kinds.js';
import type { DecisionRecord } from './decision.js';
import type { DecisionStore } from './decision-store.js';
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
      const won = success.has(`${r.id}|${c.action}`);
      if (!won && r.at + windowOf(c.action) > now) {
        pending++;
        continue;
      }
      points.push({ subjectId: r.profileKey, seq: r.at, alpha: t.a, beta: t.b, outcome: won ? 1 : 0 });
    }
  }
  return { points, pending, withoutPosterior };
}

/**
 * The reliability report of the decisions' goal-rate estimates on the most recent decisions:
 * ECE and bins of the predicted rate against what happened, and the coverage of 90% intervals
 * (held-out.ts).
 *
 * @example
 * await decisionCalibration(store.decisions, Date.now(), (a) => play.catalog.actions.get(a)?.attributionMs ?? play.policy.attributionMs);
 */
export async function decisionCalibration(store: DecisionStore, now: number, windowOf: (action: string) => number): Promise<DecisionCalibration> {
  const records = await store.queryDecisions({ limit: DECISION_CALIBRATION_WINDOW });
  const from = records.reduce((m, r) => Math.min(m, r.at), now);
  const outcomes = await store.outcomesSince(from);
  const { points, pending, withoutPosterior } = decisionPoints(records, outcomes, now, windowOf);
  return { model: 'decisions', key: null, pending, withoutPosterior, ...heldOutReport(points) };
}

/**
 * Each action's attribution window under the catalog and policy in force.
 *
 * @example
 * const windowOf = attributionWindows(settings); windowOf('winter-sale'); // 604800000
 */
export function attributionWindows(settings: Settings): (action: string) => number {
  const catalog = settings.get(catalogKind);
  const policy = settings.get(policyKind);
  return (action) => catalog.actions.get(action)?.attributionMs ?? policy.attributionMs;
}
