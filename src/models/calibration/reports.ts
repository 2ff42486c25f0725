import type { Settings } from '../../config/settings.js';
import { attributionWindows, decisionCalibration, shortestWindow } from '../../decide/decision-calibration.js';
import { editDistance } from '../../errors/edit-distance.js';
import { validationError } from '../../errors/tact-error.js';
import type { Store } from '../../store/store.js';
import { ratesKind } from '../rates/rates-kind.js';
import { type UpliftCalibrationView, upliftCalibrationReports } from '../uplift/uplift-calibration.js';
import { type CalibrationView, calibrationReport } from './calibration.js';
import { API_WORDING, type Wording } from './wording.js';
import { FEW_ROWS } from './calibrated-models.js';

/** A report whose bins say whether they hold few predictions, and how many do. */
export type MarkedCalibrationView = Omit<CalibrationView, 'bins'> & { bins: (CalibrationView['bins'][number] & { few: boolean })[]; binsWithFewRows: number };

/**
 * Marks each bin holding fewer than {@link FEW_ROWS} predictions `few`, and counts them.
 *
 * @example
 * markFewRows(report).binsWithFewRows; // 10 when 20 predictions fill 10 bins
 */
export function markFewRows<T extends CalibrationView>(r: T): Omit<T, 'bins'> & MarkedCalibrationView {
  const bins = r.bins.map((b) => ({ ...b, few: b.count < FEW_ROWS }));
  return { ...r, bins, binsWithFewRows: bins.filter((b) => b.few).length };
}


/**
 * The reliability reports of one model on its held-out outcomes, as the API and `tact
 * calibration` show them: `rates`, one per configured rate (or the `key` asked for); `decisions`,
 * the Beta estimates the decisions scored their chosen actions with, against the goal outcomes
 * credited to them (`uplift` has its own kind: {@link modelCalibrationReports}). A `key` that is no
 * configured rate and has no recorded predictions (a typo, which would read as "nothing yet") is a
 * 400 naming `key`, and so is a `key` for `decisions`; `wording` says the field and values as the
 * caller knows them (the API's by default, `CLI_WORDING` for `tact calibration`).
 *
 * @example
 * await calibrationReports(store, settings, 'decisions', undefined, Date.now());
 */
export async function calibrationReports(store: Store, settings: Settings, name: string, key: string | undefined, now: number, wording: Wording = API_WORDING): Promise<MarkedCalibrationView[]> {
  return (await reportsOf(store, settings, name, key, now, wording)).map(markFewRows);
}

/**
 * The reports the API and `tact calibration` show for any model: {@link calibrationReports}, and
 * for `uplift` its own kind of report (predicted uplift per bin against the observed difference).
 *
 * @example
 * await modelCalibrationReports(store, settings, 'uplift', undefined, Date.now());
 */
export async function modelCalibrationReports(store: Store, settings: Settings, name: string, key: string | undefined, now: number, wording: Wording = API_WORDING): Promise<(MarkedCalibrationView | UpliftCalibrationView)[]> {
  return name === 'uplift' ? upliftCalibrationReports(store, settings, key, now, undefined, { wording }) : calibrationReports(store, settings, name, key, now, wording);
}

async function reportsOf(store: Store, settings: Settings, name: string, key: string | undefined, now: number, w: Wording): Promise<CalibrationView[]> {
  if (name === 'rates') {
    const names = settings.get(ratesKind).map((r) => r.def.name);
    if (key !== undefined && !names.includes(key)) {
      // a rate taken out of the settings keeps its recorded predictions: still reported
      const report = await calibrationReport(store.estimates, name, key, now);
      if (report.n === 0 && report.pending === 0) throw validationError([{ field: 'key', message: unknownRate(key, names, w) }]);
      return [report];
    }
    const reports: CalibrationView[] = [];
    for (const k of key !== undefined ? [key] : names) reports.push(await calibrationReport(store.estimates, name, k, now));
    return reports;
  }
  if (name === 'decisions') {
    if (key !== undefined) throw validationError([{ field: 'key', message: `The ${w.field('key')} chooses one rate of ${w.value('rates')} or one action of ${w.value('uplift')}; ${w.value('decisions')} has one report and no keys.` }]);
    return [await decisionCalibration(store.decisions, now, attributionWindows(settings), { shortest: shortestWindow(settings) })];
  }
  return [await calibrationReport(store.estimates, name, key, now)];
}

/** The sentence for a rate `key` that names nothing: the configured rate it likely means (≤ 2 edits) and the list. */
function unknownRate(key: string, names: readonly string[], w: Wording): string {
  let near: string | undefined;
  let best = 3;
  for (const n of names) {
    const d = editDistance(n.toLowerCase(), key.toLowerCase());
    if (d < best) [near, best] = [n, d];
  }
  const list = names.length ? `The rates are ${names.join(', ')}.` : 'No rate is configured (`rates` in tact.config.yaml).';
  return `The ${w.field('key')} ${w.value(key)} is not a configured rate and has no recorded predictions.${near ? ` Did you mean ${w.value(near)}?` : ''} ${list}`;
}
