import type { Settings } from '../../config/settings.js';
import type { DecisionRecord } from '../../decide/decision.js';
import { nameNotFound } from '../../errors/not-found.js';
import { armShares } from '../experiments/assignment.js';
import type { EffectType } from '../experiments/effect.js';
import type { ExperimentReadout, MetricSpec } from '../experiments/readout.js';
import type { MeasureStore } from '../measure-store.js';
import { checkWindow, compareGroups, throughNow } from './compare.js';
import { experimentsKind, type ExperimentsBody } from './experiments-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import { byPerson, firstExposedFrom, readExposures } from './exposures.js';
import { type DesignPeriod, designPeriods, designWarnings, unitsByPeriod } from './design-history.js';

/** What a results request may set. */
export interface ResultsOptions {
  /** Subjects first exposed from (inclusive, ms; the log before it is read for first exposures); default: the whole log. */
  from?: number;
  /** Decisions and outcomes up to (exclusive, ms); default: through now (the current millisecond included). */
  to?: number;
  /** Pre-period for CUPED: days before each subject's first exposure (default 14; 0 turns CUPED off). */
  preDays?: number;
  alpha?: number;
  /** Lifts relative to the control (default, as GrowthBook) or absolute differences in the metric's unit. */
  effect?: EffectType;
  /**
   * The profiles: given, a unit is a person — a visitor exposed before logging in is one unit with
   * the customer profile theirs merged into, and the outcomes under either count (byPerson).
   * Without, a unit is the profile key a decision was logged under.
   */
  profiles?: ProfileStore;
  /**
   * The configuration history: given, a stopped experiment is read up to its stop (when no `to`
   * is set), so outcomes after it, under the policy in force, are not credited to its arms.
   */
  documents?: Pick<DocumentStore, 'history'>;
}

/** An experiment's results: units per arm, the holdout, and the readout per metric. */
export interface ExperimentResults {
  experiment: { id: string; placement: string; status: string; control: string; arms: { id: string; weight: number }[] };
  /**
   * ISO 8601 times, as every answer of the API gives them: `from` null for the whole log, `to`
   * exclusive; `stoppedAt`: when a stopped experiment stopped (the default end of its window), else null.
   */
  window: { from: string | null; to: string; preDays: number; stoppedAt: string | null };
  /** How the readout states effects: relative lifts or absolute differences. */
  effect: EffectType;
  /** Decisions of the experiment read from the log. */
  decisions: number;
  /** Subjects per arm, by first exposure. */
  units: Record<string, number>;
  /** Subjects the global holdout kept out (not part of the comparison). */
  holdout: number;
  /** Subjects seen in more than one arm, the holdout included (counted in their first). */
  crossovers: number;
  /**
   * The planned horizon of the fixed-horizon test (`plannedUnits` of the experiment; null without one),
   * the units read, and whether they reach it (null without a plan).
   */
  horizon: { plannedUnits: number | null; units: number; reached: boolean | null };
  /**
   * The experiment's designs over the window, oldest first (from the configuration history; without
   * it, the design in force): ISO 8601 times, `to` null for the one in force, units per arm by first
   * exposure. More than one running design (weights, arms or salt changed) is named in the warnings.
   */
  periods: { from: string; to: string | null; status: string; arms: { id: string; weight: number }[]; units: Record<string, number> }[];
  metrics: MetricSpec[];
  readout: ExperimentReadout;
}

/**
 * Reads an experiment's results from the decision log and the outcomes: one unit per subject
 * (its first exposure fixes its arm), metrics from every outcome of the subject from that
 * exposure on, the pre-period from the N days before it (CUPED). Reads are paged: decisions
 * 2,000 at a time, outcomes 500 subjects at a time (`readExposures` and `compareGroups`, shared
 * with the global holdout's readout).
 *
 * @example
 * const r = await experimentResults(store.measure, settings, 'hero-test', { preDays: 14 });
 * r.readout.metrics.find((m) => m.metric === 'conversion')?.frequentist?.ci;
 */
export async function experimentResults(store: MeasureStore, settings: Settings, id: string, o: ResultsOptions = {}): Promise<ExperimentResults> {
  const e = settings.get(experimentsKind).byId.get(id);
  if (!e) throw nameNotFound({ one: 'experiment', many: 'experiments', listedAt: 'GET /v1/config/experiments' }, id, settings.get(experimentsKind).byId.keys());
  const stopped = e.status === 'stopped' && o.documents ? await stoppedAt(o.documents, e.id) : undefined;
  const to = o.to ?? stopped ?? throughNow();
  checkWindow(o, to, stopped !== undefined ? 'when the experiment stopped' : 'now');
  const preDays = o.preDays ?? 14;
  const arms = new Set(e.arms.map((a) => a.id));
  const groupOf = (d: DecisionRecord) => (d.experiment?.id === e.id && (d.experiment.arm === 'holdout' || arms.has(d.experiment.arm)) ? d.experiment.arm : undefined);
  const read = await readExposures(store, { placement: e.placement, from: o.from, to }, groupOf);
  const { exposures, decisions, crossovers, keysOf } = firstExposedFrom(o.profiles ? await byPerson(o.profiles, read) : read, o.from);
  const shares = armShares(e.arms.map((a) => a.weight));
  const weights = e.arms.map((a, i) => ({ id: a.id, weight: shares[i] }));
  // A weight changed mid-flight: each unit was drawn under the weights of its first exposure, so the
  // sample-ratio check expects their mix (against the latest alone a ramp-up from 90/10 read as a mismatch).
  const periods: DesignPeriod[] = o.documents ? await designPeriods(o.documents, e.id, { from: o.from, to }) : [];
  if (!periods.length) {
    let first = Infinity;
    for (const x of exposures.values()) first = Math.min(first, x.first);
    // No version of the design in the window: a period is told from the units exposed in it (a design
    // older than the history read); with none either — a window before the experiment existed — no
    // period (QA 2026-12-06: a "running" period from the window's start, 2020, for an experiment made today).
    if (first < Infinity || !o.documents) periods.push({ from: Math.min(o.from ?? to, first), status: e.status, salt: e.salt, arms: weights, units: {} });
  }
  const expected = unitsByPeriod(periods, exposures, [...arms]) ?? weights;
  const { units, metrics, readout } = await compareGroups(store, settings, exposures, { control: e.control, groups: expected }, { to, preDays, alpha: o.alpha, effect: o.effect, keysOf, plannedUnits: e.plannedUnits });
  readout.warnings.push(...designWarnings(e.id, periods));
  const inArms = e.arms.reduce((s, a) => s + (units[a.id] ?? 0), 0);
  const horizon = { plannedUnits: e.plannedUnits ?? null, units: inArms, reached: e.plannedUnits === undefined ? null : inArms >= e.plannedUnits };
  if (horizon.reached === false) {
    readout.warnings.push(
      `"${e.id}" has ${inArms} of its planned ${e.plannedUnits} units: the fixed-horizon p-values and intervals (\`frequentist\`) are valid only once the plan is reached, and read before it they call a difference more often than alpha; until then go by the always-valid ones (\`sequential\`), which the verdicts use.`,
    );
  }
  let holdout = 0;
  for (const x of exposures.values()) if (x.arm === 'holdout') holdout++;
  return {
    experiment: { id: e.id, placement: e.placement, status: e.status, control: e.control, arms: weights },
    window: { from: isoOrNull(o.from), to: new Date(to).toISOString(), preDays, stoppedAt: isoOrNull(stopped) },
    effect: o.effect ?? 'relative',
    decisions,
    units,
    holdout,
    crossovers,
    horizon,
    periods: periods.map((p) => ({ from: new Date(p.from).toISOString(), to: isoOrNull(p.to), status: p.status, arms: p.arms, units: p.units })),
    metrics,
    readout,
  };
}

/**
 * A time of the window as an answer states it: ISO 8601, or null when not set.
 *
 * @example
 * isoOrNull(1764547200000); // '2025-12-01T00:00:00.000Z'
 */
export const isoOrNull = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());

/**
 * When an experiment stopped: the time of the oldest of the latest versions of the experiments
 * document that all have it stopped (undefined when the latest has it running).
 *
 * @example
 * await stoppedAt(store.documents, 'hero-test'); // 1764547200000
 */
export async function stoppedAt(documents: Pick<DocumentStore, 'history'>, id: string): Promise<number | undefined> {
  let at: number | undefined;
  for (const d of await documents.history(experimentsKind.kind, 1000)) {
    const e = (d.body as ExperimentsBody | undefined)?.[id];
    if (!e || (e.status ?? 'running') === 'running') break;
    at = d.createdAt;
  }
  return at;
}
