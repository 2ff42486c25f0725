import type { Settings } from '../../config/settings.js';
import { validationError } from '../../errors/tact-error.js';
import { policyKind } from '../../decide/kinds.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { EffectType } from '../experiments/effect.js';
import { experimentReadout, type ExperimentReadout, type MetricSpec } from '../experiments/readout.js';
import type { MeasureStore } from '../measure-store.js';
import { ArmSums, metricSpecs, subjectValues, type Exposure } from './subject-metrics.js';

const DAY = 86_400_000;
const BATCH = 500;
/** Expected total units the always-valid interval is narrowest at; fixed in advance, as its validity needs. */
const SEQUENTIAL_TUNING = 5000;

/**
 * The exclusive end of a window that runs through now: an outcome or decision logged in the
 * current millisecond counts (an end of `Date.now()` would leave it out of a readout asked for
 * right after it).
 *
 * @example
 * const to = o.to ?? throughNow();
 */
export const throughNow = (): number => Date.now() + 1;

/**
 * Refuses a window that holds no time: `to` at or before `from` (both as given), or a `from` at or
 * after the window's default end (now, or an experiment's stop). Without it the answer was a 200
 * that had read nothing — units 0, every metric `not-enough-data` — for what is a typo.
 *
 * @example
 * checkWindow({ from: Date.parse('2026-12-01'), to: Date.parse('2026-11-01') }, throughNow()); // throws, naming `to`
 */
export function checkWindow(o: { from?: number; to?: number }, end: number, endName = 'now'): void {
  if (o.from === undefined) return;
  const iso = (t: number) => new Date(t).toISOString();
  if (o.to !== undefined && o.to <= o.from) {
    throw validationError([{ field: 'to', message: `The window's \`to\` (${iso(o.to)}) is not after its \`from\` (${iso(o.from)}): it holds no decisions. Give a \`to\` later than \`from\`.` }]);
  }
  if (o.to === undefined && end <= o.from) {
    throw validationError([{ field: 'from', message: `The window's \`from\` (${iso(o.from)}) is not before its end (${endName}, ${iso(end)}): it holds no decisions.` }]);
  }
}

/** The groups to compare: their ids with their expected shares (normalised here), and the control. */
export interface GroupDesign {
  control: string;
  groups: ReadonlyArray<{ id: string; weight: number }>;
}

/** How to read the outcomes and the readout. */
export interface CompareOptions {
  /** Outcomes before (exclusive, ms). */
  to: number;
  /** Pre-period for CUPED: days before each subject's first exposure (0 turns CUPED off). */
  preDays: number;
  alpha?: number;
  /** Lifts relative to the control (default) or absolute differences. */
  effect?: EffectType;
  /** Per subject, every profile key its outcomes may be under (exposures grouped by person); default: its own. */
  keysOf?: ReadonlyMap<string, readonly string[]>;
  /** The total units the fixed-horizon test was planned for (an experiment's `plannedUnits`): the readout says when this is the planned look. */
  plannedUnits?: number;
}

/** Units per group, the metrics read and the readout (difference with CI, always-valid test, chance to beat, SRM). */
export interface GroupComparison {
  units: Record<string, number>;
  metrics: MetricSpec[];
  readout: ExperimentReadout;
}

/**
 * Compares groups of subjects on the experiment metrics (the value function, conversion,
 * revenue, one guardrail per negative outcome type seen): every outcome of a subject from its
 * first exposure on counts, the `preDays` before it are the CUPED pre-period, and the readout is
 * `experimentReadout` (SRM against the groups' weights). Subjects whose group is not in the
 * design are left out. Outcomes are read 500 subjects at a time. Experiments and the global
 * holdout both read their results through this one function.
 *
 * @example
 * const { exposures } = await readExposures(store.measure, q, groupOf);
 * const c = await compareGroups(store.measure, settings, exposures, { control: 'holdout', groups: [{ id: 'holdout', weight: 0.05 }, { id: 'personalized', weight: 0.95 }] }, { to: Date.now(), preDays: 14 });
 * c.readout.srm.mismatch; // false
 */
export async function compareGroups(store: MeasureStore, settings: Settings, exposures: ReadonlyMap<string, Exposure>, design: GroupDesign, o: CompareOptions): Promise<GroupComparison> {
  const ids = design.groups.map((g) => g.id);
  const keys = [...exposures.keys()].filter((k) => ids.includes(exposures.get(k)!.arm));
  const negative = Object.entries(settings.get(policyKind).rewards).filter(([, r]) => typeof r === 'number' && r < 0).map(([t]) => t);
  const possible = [...new Set([...negative, 'dismissal'])];
  const sums = new ArmSums(metricSpecs(possible));
  const seen = new Set<string>();
  const pre = o.preDays * DAY;
  for (let i = 0; i < keys.length; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    const since = Math.min(...batch.map((k) => exposures.get(k)!.first)) - pre;
    const by = new Map<string, OutcomeRecord[]>();
    const personOf = new Map<string, string>();
    for (const k of batch) for (const key of o.keysOf?.get(k) ?? [k]) personOf.set(key, k);
    for (const r of await store.outcomesOfSubjects([...personOf.keys()], since)) {
      const person = personOf.get(r.profileKey);
      if (r.at >= o.to || person === undefined) continue;
      (by.get(person) ?? by.set(person, []).get(person)!).push(r);
    }
    for (const k of batch) {
      const x = exposures.get(k)!;
      const rs = by.get(k) ?? [];
      const post = rs.filter((r) => r.at >= x.first);
      for (const r of post) seen.add(r.type);
      sums.add(x.arm, subjectValues(post, possible), subjectValues(rs.filter((r) => r.at < x.first && r.at >= x.first - pre), possible));
    }
  }
  const metrics = metricSpecs(possible.filter((t) => seen.has(t)));
  const units = Object.fromEntries(ids.map((g) => [g, 0]));
  for (const k of keys) units[exposures.get(k)!.arm] += 1;
  const total = design.groups.reduce((s, g) => s + g.weight, 0);
  const arms = design.groups.map((g) => ({ id: g.id, weight: g.weight / total, units: units[g.id], metrics: sums.sums(g.id, ids) }));
  // The always-valid interval's tuning is fixed before any data (GrowthBook's 5000): tuned to the units read so
  // far, as it was, it changed at every peek, and an A/A test read at every 2% of growth called a difference 9% of
  // the time instead of at most 5% (compare.test.ts).
  const readout = experimentReadout({ controlId: design.control, arms, metrics, alpha: o.alpha, effectType: o.effect ?? 'relative', sequentialTuning: SEQUENTIAL_TUNING, plannedUnits: o.plannedUnits });
  return { units, metrics, readout };
}
