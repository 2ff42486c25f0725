import type { Settings } from '../../config/settings.js';
import { attributionWindows, decisionCalibration } from '../../decide/decision-calibration.js';
import type { Store } from '../../store/store.js';
import { ratesKind } from '../rates/rates-kind.js';
import { type CalibrationView, calibrationReport } from './calibration.js';

/** The models with a reliability report: the learned rates, and the decisions' goal-rate estimates. */
export const CALIBRATED_MODELS = ['rates', 'decisions'] as const;

/**
 * The reliability reports of one model on its held-out outcomes, as the API and `tact
 * calibration` show them: `rates`, one per configured rate (or the `key` asked for); `decisions`,
 * the Beta estimates the decisions scored their chosen actions with, against the goal outcomes
 * credited to them.
 *
 * @example
 * await calibrationReports(store, settings, 'decisions', undefined, Date.now());
 */
export async function calibrationReports(store: Store, settings: Settings, name: string, key: string | undefined, now: number): Promise<CalibrationView[]> {
  if (name === 'rates') {
    const keys = key !== undefined ? [key] : settings.get(ratesKind).map((r) => r.def.name);
    const reports: CalibrationView[] = [];
    for (const k of keys) reports.push(await calibrationReport(store.estimates, name, k, now));
    return reports;
  }
  if (name === 'decisions') return [await decisionCalibration(store.decisions, now, attributionWindows(settings))];
  return [await calibrationReport(store.estimates, name, key, now)];
}
