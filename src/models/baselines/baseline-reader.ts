import type { Estimate } from '../../learn/estimate.js';
import { baselineEstimate } from '../../learn/baselines/baseline-estimate.js';
import { populationInterval, type PopulationSample } from '../../learn/baselines/population.js';
import type { StoredEstimate } from '../estimates/estimate-store.js';
import { localHour, tzOffsetMinutes } from '../local-time.js';
import { type StoredBaseline, withHeld } from './baseline-step.js';
import type { CompiledMetric } from './metrics-kind.js';

/** The trained population of a metric: readings pooled across subjects. */
export interface MetricPool {
  pool: PopulationSample;
  modelVersion: string;
  /** The end of the trained version's data window (ms): when the pool's evidence last changed. */
  dataTo: number;
}

/**
 * A subject's baseline of one metric for the current hour. While it is learning, the interval is
 * the population's — the trained pool across subjects when there is one, else the subject's own
 * readings so far (unbounded until there are enough: "not enough data yet"). A baseline without a
 * reading for the metric's `staleAfter` is "learning" with reason "stale". Readings held while the
 * zone was unknown are read in `timeZone` (withHeld). The evidence is what the interval rests on:
 * the subject's readings once established, the pool's readings while learning (the subject's own
 * count is the row's `readings`); `updatedAt` is when that evidence last changed: the row's last
 * write, or the trained pool's data window; null with neither.
 *
 * @example
 * baselineNow(row, metric, 'Europe/Paris', Date.now(), pools.get('session_length'));
 */
export function baselineNow(row: StoredEstimate | undefined, m: CompiledMetric, timeZone: string | null | undefined, now: number, pool: MetricPool | undefined): Estimate {
  const t = localHour(now, timeZone);
  const poolAt = pool ? new Date(pool.dataTo).toISOString() : null;
  if (!row) {
    const [low, high] = pool ? populationInterval(pool.pool, m.config.level) : [-Infinity, Infinity];
    const value = pool && pool.pool.values.length ? median(pool.pool.values) : NaN;
    return { value, low, high, level: m.config.level, evidence: pool?.pool.values.length ?? 0, source: 'population', status: 'learning', modelVersion: pool?.modelVersion ?? m.config.modelVersion, updatedAt: poolAt };
  }
  const stored = withHeld(row.state as StoredBaseline, timeZone);
  // The metric's current staleness setting, not the one stored with the state (absent in older states).
  const s = { ...stored, config: { ...stored.config, staleAfterDays: m.config.staleAfterDays } };
  const e = baselineEstimate(pool ? { ...s, population: pool.pool } : s, t, new Date(row.updatedAt).toISOString());
  if (e.status !== 'learning' || e.reason === 'shift') return e;
  // Before any training the range is drawn from the subject's own readings (the state's fallback
  // pool, baseline-step.ts OWN_POOL): personal evidence, still learning. Until 2026-12-06 it was
  // labelled population, as if the range were everyone's.
  return pool ? { ...e, modelVersion: pool.modelVersion, updatedAt: poolAt } : { ...e, source: 'personal' };
}

/**
 * The subject's own readings of a row, held ones included.
 *
 * @example
 * ownReadings(row); // 12
 */
export function ownReadings(row: StoredEstimate | undefined): number {
  const s = row?.state as StoredBaseline | undefined;
  return (s?.readings ?? 0) + (s?.unzoned?.length ?? 0);
}

/**
 * What GET /v1/profiles/{id}/estimates says of a baseline beside its estimate: the subject's own
 * readings, and while it re-learns its level after a shift (reason "shift") the time of the first
 * reading of the run taken as the shift (`shiftSince`, ISO-8601).
 *
 * @example
 * baselineDetail(row, 'Europe/Paris'); // { readings: 412, shiftSince: '2026-11-30T08:00:00.000Z' }
 */
export function baselineDetail(row: StoredEstimate | undefined, timeZone: string | null | undefined): { readings: number; shiftSince?: string } {
  const from = (row?.state as StoredBaseline | undefined)?.adoptedShift?.from;
  if (from === undefined) return { readings: ownReadings(row) };
  // The state counts local hours (localHour): back to the instant, at that hour's offset.
  const local = from * 3_600_000;
  return { readings: ownReadings(row), shiftSince: new Date(local - tzOffsetMinutes(timeZone, local) * 60_000).toISOString() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}
