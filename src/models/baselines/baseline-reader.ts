import type { Estimate } from '../../learn/estimate.js';
import { baselineEstimate } from '../../learn/baselines/baseline-estimate.js';
import type { BaselineState } from '../../learn/baselines/metric-baseline.js';
import { populationInterval, type PopulationSample } from '../../learn/baselines/population.js';
import type { StoredEstimate } from '../estimates/estimate-store.js';
import { localHour } from '../local-time.js';
import type { CompiledMetric } from './metrics-kind.js';

/** The trained population of a metric: readings pooled across subjects. */
export interface MetricPool {
  pool: PopulationSample;
  modelVersion: string;
}

/**
 * A subject's baseline of one metric for the current hour. While it is learning, the interval is
 * the population's — the trained pool across subjects when there is one, else the subject's own
 * readings so far (unbounded until there are enough: "not enough data yet"). A baseline without a
 * reading for the metric's `staleAfter` is "learning" with reason "stale".
 *
 * @example
 * baselineNow(row, metric, 'Europe/Paris', Date.now(), pools.get('session_length'));
 */
export function baselineNow(row: StoredEstimate | undefined, m: CompiledMetric, timeZone: string | null | undefined, now: number, pool: MetricPool | undefined): Estimate {
  const updatedAt = new Date(row?.updatedAt ?? now).toISOString();
  const t = localHour(now, timeZone);
  if (!row) {
    const [low, high] = pool ? populationInterval(pool.pool, m.config.level) : [-Infinity, Infinity];
    const value = pool && pool.pool.values.length ? median(pool.pool.values) : NaN;
    return { value, low, high, level: m.config.level, evidence: 0, source: 'population', status: 'learning', modelVersion: pool?.modelVersion ?? m.config.modelVersion, updatedAt };
  }
  const stored = row.state as BaselineState;
  // The metric's current staleness setting, not the one stored with the state (absent in older states).
  const s = { ...stored, config: { ...stored.config, staleAfterDays: m.config.staleAfterDays } };
  const e = baselineEstimate(pool ? { ...s, population: pool.pool } : s, t, updatedAt);
  return e.status === 'learning' && pool ? { ...e, modelVersion: pool.modelVersion } : e;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}
