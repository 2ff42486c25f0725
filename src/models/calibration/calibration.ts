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
  /**
   * The model versions that made the resolved predictions, most first (`rates`: each exposure
   * records the live version's prediction, so the report spans every version live during its
   * points — unlike a version's held-out figures in `GET /v1/models/rates`, its own replayed).
   */
  versions?: { modelVersion: string; n: number }[];
}

/**
 * Resolved predictions per model version, most first (ties by name).
 *
 * @example
 * versionCounts([{ modelVersion: 'rates@2' }, { modelVersion: 'rates@default' }, { modelVersion: 'rates@2' }]);
 * // [{ modelVersion: 'rates@2', n: 2 }, { modelVersion: 'rates@default', n: 1 }]
 */
export function versionCounts(points: readonly { modelVersion: string }[]): { modelVersion: string; n: number }[] {
  const n = new Map<string, number>();
  for (const p of points) n.set(p.modelVersion, (n.get(p.modelVersion) ?? 0) + 1);
  return [...n].map(([modelVersion, count]) => ({ modelVersion, n: count })).sort((x, y) => y.n - x.n || x.modelVersion.localeCompare(y.modelVersion));
}

/**
 * The versions line of a report as `tact calibration` prints it, or null when it has none.
 *
 * @example
 * versionsLine({ model: 'rates', versions: [{ modelVersion: 'rates@2', n: 900 }, { modelVersion: 'rates@default', n: 300 }] });
 * // "  made by rates@2 (900), rates@default (300): several versions mixed; a version's own held-out figures are in `tact models rates` (GET /v1/models/rates)"
 */
export function versionsLine(r: Pick<CalibrationView, 'model' | 'versions'>): string | null {
  if (!r.versions?.length) return null;
  const list = r.versions.map((v) => `${v.modelVersion} (${v.n.toLocaleString('en-US')})`).join(', ');
  return r.versions.length > 1 ? `  made by ${list}: several versions mixed; a version's own held-out figures are in \`tact models ${r.model}\` (GET /v1/models/${r.model})` : `  made by ${list}`;
}

/**
 * The reliability report of a rate model on its recorded predictions: each was made before its
 * outcome was known and is judged once its window is over (an open one past its deadline counts as
 * a failure); one still inside its window is left out and counted, whatever has happened so far (an
 * early success judged while early silences wait would read the observed rate high). `versions`
 * says which model versions made them (until 2026-12-06 it did not, and a report mixing
 * `rates@default` and `rates@1` read as the live version's).
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
  return { model, key: key ?? null, pending, versions: versionCounts(points), ...heldOutReport(resolved) };
}
