import type { Settings } from '../../config/settings.js';
import { policyKind } from '../../decide/kinds.js';
import type { OutcomeRecord } from '../../decide/records.js';
import { TactError } from '../../errors/tact-error.js';
import { experimentReadout, type ExperimentReadout, type MetricSpec } from '../experiments/readout.js';
import type { MeasureStore } from '../measure-store.js';
import { experimentsKind, type CompiledExperiment } from './experiments-kind.js';
import { ArmSums, metricSpecs, subjectValues, type Exposure } from './subject-metrics.js';

const DAY = 86_400_000;
const PAGE = 2000;
const BATCH = 500;

/** What a results request may set. */
export interface ResultsOptions {
  /** Decisions from (inclusive, ms); default: the whole log. */
  from?: number;
  /** Decisions and outcomes up to (exclusive, ms); default: now. */
  to?: number;
  /** Pre-period for CUPED: days before each subject's first exposure (default 14; 0 turns CUPED off). */
  preDays?: number;
  alpha?: number;
}

/** An experiment's results: units per arm, the holdout, and the readout per metric. */
export interface ExperimentResults {
  experiment: { id: string; placement: string; status: string; control: string; arms: { id: string; weight: number }[] };
  window: { from: number | null; to: number; preDays: number };
  /** Decisions of the experiment read from the log. */
  decisions: number;
  /** Subjects per arm, by first exposure. */
  units: Record<string, number>;
  /** Subjects the global holdout kept out (not part of the comparison). */
  holdout: number;
  /** Subjects seen in more than one arm (counted in their first). */
  crossovers: number;
  metrics: MetricSpec[];
  readout: ExperimentReadout;
}

/**
 * Reads an experiment's results from the decision log and the outcomes: one unit per subject
 * (its first exposure fixes its arm), metrics from every outcome of the subject from that
 * exposure on, the pre-period from the N days before it (CUPED). Reads are paged: decisions
 * 2,000 at a time, outcomes 500 subjects at a time.
 *
 * @example
 * const r = await experimentResults(store.measure, settings, 'hero-test', { preDays: 14 });
 * r.readout.metrics.find((m) => m.metric === 'conversion')?.frequentist?.ci;
 */
export async function experimentResults(store: MeasureStore, settings: Settings, id: string, o: ResultsOptions = {}): Promise<ExperimentResults> {
  const e = settings.get(experimentsKind).byId.get(id);
  if (!e) throw new TactError('not_found', { what: 'experiment', id });
  const to = o.to ?? Date.now();
  const preDays = o.preDays ?? 14;
  const { exposures, decisions, holdout, crossovers } = await readExposures(store, e, o.from, to);
  const negative = Object.entries(settings.get(policyKind).rewards).filter(([, r]) => typeof r === 'number' && r < 0).map(([t]) => t);
  const possible = [...new Set([...negative, 'dismissal'])];
  const sums = new ArmSums(metricSpecs(possible));
  const seen = new Set<string>();
  const keys = [...exposures.keys()];
  for (let i = 0; i < keys.length; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    const since = Math.min(...batch.map((k) => exposures.get(k)!.first)) - preDays * DAY;
    const by = new Map<string, OutcomeRecord[]>();
    for (const r of await store.outcomesOfSubjects(batch, since)) {
      if (r.at >= to) continue;
      (by.get(r.profileKey) ?? by.set(r.profileKey, []).get(r.profileKey)!).push(r);
    }
    for (const k of batch) {
      const x = exposures.get(k)!;
      const rs = by.get(k) ?? [];
      const post = rs.filter((r) => r.at >= x.first);
      for (const r of post) seen.add(r.type);
      sums.add(x.arm, subjectValues(post, possible), subjectValues(rs.filter((r) => r.at < x.first && r.at >= x.first - preDays * DAY), possible));
    }
  }
  const specs = metricSpecs(possible.filter((t) => seen.has(t)));
  const armIds = e.arms.map((a) => a.id);
  const units = Object.fromEntries(armIds.map((a) => [a, 0]));
  for (const x of exposures.values()) units[x.arm] = (units[x.arm] ?? 0) + 1;
  const total = e.arms.reduce((s, a) => s + a.weight, 0);
  const arms = e.arms.map((a) => ({ id: a.id, weight: a.weight / total, units: units[a.id], metrics: sums.sums(a.id, armIds) }));
  const readout = experimentReadout({ controlId: e.control, arms, metrics: specs, alpha: o.alpha, sequentialTuning: Math.max(1000, exposures.size) });
  return {
    experiment: { id: e.id, placement: e.placement, status: e.status, control: e.control, arms: e.arms.map((a) => ({ id: a.id, weight: a.weight / total })) },
    window: { from: o.from ?? null, to, preDays },
    decisions,
    units,
    holdout,
    crossovers,
    metrics: specs,
    readout,
  };
}

async function readExposures(store: MeasureStore, e: CompiledExperiment, from: number | undefined, to: number) {
  const exposures = new Map<string, Exposure>();
  const held = new Set<string>();
  const crossed = new Set<string>();
  const arms = new Set(e.arms.map((a) => a.id));
  let decisions = 0;
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const page = await store.decisionsPage({ placement: e.placement, from, to, after, limit: PAGE });
    for (const d of page) {
      if (d.experiment?.id !== e.id) continue;
      decisions++;
      if (d.experiment.arm === 'holdout') {
        if (!exposures.has(d.profileKey)) held.add(d.profileKey);
        continue;
      }
      if (!arms.has(d.experiment.arm) || held.has(d.profileKey)) continue;
      const x = exposures.get(d.profileKey);
      if (!x) exposures.set(d.profileKey, { arm: d.experiment.arm, first: d.at });
      else if (x.arm !== d.experiment.arm) crossed.add(d.profileKey);
    }
    if (page.length < PAGE) break;
    after = { at: page[page.length - 1].at, id: page[page.length - 1].id };
  }
  return { exposures, decisions, holdout: held.size, crossovers: crossed.size };
}
