import type { Settings } from '../../config/settings.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { catalogKind, policyKind } from '../../decide/kinds.js';
import { closestWord } from '../../errors/edit-distance.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import type { EffectType } from '../experiments/effect.js';
import type { ExperimentReadout, MetricSpec } from '../experiments/readout.js';
import type { MeasureStore } from '../measure-store.js';
import { checkWindow, compareGroups, throughNow } from './compare.js';
import { byPerson, firstExposedFrom, readExposures } from './exposures.js';
import { type HoldoutPeriod, holdoutPeriods, holdoutUnitsByPeriod, holdoutWarnings } from './holdout-history.js';
import { isoOrNull, type ResultsOptions } from './results.js';

/** What a holdout readout may set: the experiment options and a placement (default: every placement). */
export interface HoldoutOptions extends ResultsOptions {
  placement?: string;
}

/** The global holdout against the personalized subjects. */
export interface HoldoutResults {
  /** The policy's holdout: the share the SRM check expects (`share : 1 − share`), and its salt. */
  holdout: { share: number; salt: string };
  /** The placement read, or null for every placement that honours the holdout. */
  placement: string | null;
  /** ISO 8601 times, as ExperimentResults' window: `from` null for the whole log, `to` exclusive. */
  window: { from: string | null; to: string; preDays: number };
  /** How the readout states effects: relative lifts or absolute differences (what personalization adds per subject). */
  effect: EffectType;
  /** Decisions read from the log. */
  decisions: number;
  /** Subjects per group, by first decision. */
  units: { holdout: number; personalized: number };
  /** Subjects seen in both groups (e.g. after the share or salt changed), counted in their first. */
  crossovers: number;
  /**
   * The holdout's shares and salts over the window, oldest first (from the policy's configuration
   * history; without it, the holdout in force): ISO 8601 times, `to` null for the one in force, share 0
   * and salt null where the policy had no holdout, subjects per group by first decision. A change among
   * periods with subjects is named in the warnings.
   */
  periods: { from: string; to: string | null; share: number; salt: string | null; units: { holdout: number; personalized: number } }[];
  metrics: MetricSpec[];
  /** `holdout` is the control, `personalized` the treatment: a lift is what personalization adds. */
  readout: ExperimentReadout;
}

/**
 * The global holdout's readout: every subject decided at the placement (or at every placement),
 * grouped by its first decision's arm — `holdout` (never personalized: the safe default) or
 * `personalized` (logged arm `treatment`) — and compared on the experiment metrics with the
 * experiment readout (`readExposures` and `compareGroups`, the code experiments use): lift with
 * CI, always-valid CI, chance to beat, expected loss, CUPED, and the SRM check against the
 * holdout share in force at each subject's first decision (`holdoutPeriods`, given `documents`). Recommendation placements are left out (they do not apply the holdout).
 *
 * @example
 * const r = await holdoutResults(store.measure, settings, { placement: 'home' });
 * r.readout.metrics.find((m) => m.metric === 'value')?.frequentist?.ci; // what personalization adds
 */
export async function holdoutResults(store: MeasureStore, settings: Settings, o: HoldoutOptions = {}): Promise<HoldoutResults> {
  const policy = settings.get(policyKind);
  const placements = settings.get(catalogKind).placements;
  if (o.placement !== undefined && !placements.has(o.placement)) await checkLogged(store, o.placement, placements.keys());
  if (o.placement !== undefined && placements.get(o.placement)?.recommend) {
    throw validationError([{ field: 'placement', message: `The placement \`${o.placement}\` is a recommendation placement, which does not apply the global holdout; choose a placement whose actions compete.` }]);
  }
  const to = o.to ?? throughNow();
  checkWindow(o, to);
  // The share changed mid-window: each subject was drawn under the share of its first decision, so the
  // sample-ratio check expects their mix (against the latest alone, 20% then 5% read as a mismatch).
  const periods: HoldoutPeriod[] = o.documents ? await holdoutPeriods(o.documents, { from: o.from, to }) : [];
  // A holdout ended since (share 0, or none) is still read for the windows it ran in (until 2026-12-05, a 409).
  const ran = periods.filter((p) => p.share > 0).at(-1);
  const holdout = policy.holdout ?? (ran ? { share: 0, salt: ran.salt ?? 'holdout' } : undefined);
  if (!holdout) {
    throw new TactError('conflict', { detail: 'The policy in force holds no one out (no `holdout: { share, salt }`, or a `share` of 0), and none did in the window read, so there is no holdout to compare with; set one in the policy and read the results once subjects have been decided under it, or read a window in which one ran.' });
  }
  const preDays = o.preDays ?? 14;
  const honours = (d: DecisionRecord) => !placements.get(d.placement)?.recommend;
  const groupOf = (d: DecisionRecord) => (honours(d) ? (d.arm === 'holdout' ? 'holdout' : 'personalized') : undefined);
  const read = await readExposures(store, { placement: o.placement, from: o.from, to }, groupOf);
  const { exposures, decisions, crossovers, keysOf } = firstExposedFrom(o.profiles ? await byPerson(o.profiles, read) : read, o.from);
  const { share, salt } = holdout;
  if (!periods.length) {
    let first = o.from ?? to;
    for (const x of exposures.values()) first = Math.min(first, x.first);
    periods.push({ from: first, share, salt, units: { holdout: 0, personalized: 0 } });
  }
  const groups = holdoutUnitsByPeriod(periods, exposures) ?? [{ id: 'holdout', weight: share }, { id: 'personalized', weight: 1 - share }];
  const { units, metrics, readout } = await compareGroups(store, settings, exposures, { control: 'holdout', groups }, { to, preDays, alpha: o.alpha, effect: o.effect, keysOf });
  readout.warnings.push(...holdoutWarnings(periods));
  return {
    holdout: { share, salt },
    placement: o.placement ?? null,
    window: { from: isoOrNull(o.from), to: new Date(to).toISOString(), preDays },
    effect: o.effect ?? 'relative',
    decisions,
    units: { holdout: units.holdout, personalized: units.personalized },
    crossovers,
    periods: periods.map((p) => ({ from: new Date(p.from).toISOString(), to: isoOrNull(p.to), share: p.share, salt: p.salt, units: p.units })),
    metrics,
    readout,
  };
}

/**
 * A placement the catalog in force does not know must have a logged decision (one since removed from
 * the catalog keeps its log): else it is a typo, a 400 naming `placement` with the closest name, as
 * off-policy evaluation answers (until 2026-12-04 it was a 404 without one).
 */
async function checkLogged(store: MeasureStore, placement: string, known: Iterable<string>): Promise<void> {
  if ((await store.decisionsPage({ placement, limit: 1 })).length) return;
  const near = closestWord(placement, known);
  throw validationError([{ field: 'placement', message: `No decision was logged at the placement \`${placement}\`, and the catalog has no such placement${near ? ` (did you mean \`${near}\`?)` : ''}.` }]);
}
