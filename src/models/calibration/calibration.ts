import { type HeldOutReport, heldOutReport } from '../../learn/calibration/held-out.js';
import type { EstimateStore } from '../estimates/estimate-store.js';

/**
 * Calibration points read per report (the most recent whose window has closed).
 *
 * @example
 * await store.points('rates', 'email_open', CALIBRATION_WINDOW, { closedBy: Date.now() });
 */
export const CALIBRATION_WINDOW = 50_000;

/** A model's calibration on its held-out outcomes, as the API shows it. */
export interface CalibrationView extends HeldOutReport {
  model: string;
  key: string | null;
  /** Predictions whose outcome is not known yet (still inside their window): left out. */
  pending: number;
}

/**
 * The reliability report of a rate model on its recorded predictions: each was made before its
 * outcome was known and is judged once its window is over (an open one past its deadline counts as
 * a failure); one still inside its window is left out and counted, whatever has happened so far (an
 * early success judged while early silences wait would read the observed rate high).
 *
 * @example
 * await calibrationReport(store.estimates, 'rates', 'email_open', Date.now()); // { ece: 0.012, coverage: { coverage: 0.91, … }, … }
 */
export async function calibrationReport(store: EstimateStore, model: string, key: string | undefined, now: number): Promise<CalibrationView> {
  // The newest points whose window has closed: read newest first from now, open ones would take the
  // capped read's share (a newsletter to 100,000 fills it for its whole window) and leave nothing to judge.
  const points = await store.points(model, key, CALIBRATION_WINDOW, { closedBy: now });
  const pending = await store.openPoints(model, key, now);
  const resolved = points.map((p) => ({ subjectId: p.subjectId, seq: p.seq, alpha: p.alpha, beta: p.beta, outcome: p.outcome ?? 0 }));
  return { model, key: key ?? null, pending, ...heldOutReport(resolved) };
}
