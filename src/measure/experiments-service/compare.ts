import type { Settings } from '../../config/settings.js';
import { policyKind } from '../../decide/kinds.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { EffectType } from '../experiments/effect.js';
import { experimentReadout, type ExperimentReadout, type MetricSpec } from '../experiments/readout.js';
import type { MeasureStore } from '../measure-store.js';
import { ArmSums, metricSpecs, subjectValues, type Exposure } from './subject-metrics.js';

const DAY = 86_400_000;
const BATCH = 500;

/**
 * The exclusive end of a window that runs through now: an outcome or decision logged in the
 * current millisecond counts (an end of `Date.now()` would leave it out of a readout asked for
 * right after it).
 *
 * @example
 * const to = o.to ?? throughNow();
 */
export const throughNow = (): number => Date.now() + 1;

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
  const readout = experimentReadout({ controlId: design.control, arms, metrics, alpha: o.alpha, effectType: o.effect ?? 'relative', sequentialTuning: Math.max(1000, keys.length) });
  return { units, metrics, readout };
}
