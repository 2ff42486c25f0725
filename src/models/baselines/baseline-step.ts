import type { Message } from '../../collect/message.js';
import type { Estimate } from '../../learn/estimate.js';
import { type AnomalyVerdict, baselineEstimate, checkReading } from '../../learn/baselines/baseline-estimate.js';
import { issueForecast, observeReading } from '../../learn/baselines/baseline-update.js';
import { type BaselineState, createBaseline } from '../../learn/baselines/metric-baseline.js';
import { extract } from '../../profiles/features/state.js';
import type { CompiledMetric } from './metrics-kind.js';

/**
 * Scores kept per horizon bucket in a stored state (a busy stream would otherwise keep weeks of them).
 *
 * @example
 * state.scores.every((b) => b.length <= MAX_SCORES); // after every baselineStep
 */
export const MAX_SCORES = 1000;
/**
 * The subject's own readings kept as its fallback population pool.
 *
 * @example
 * newBaselineState(metric).population.cap; // 500
 */
export const OWN_POOL = 500;

/**
 * A new stored baseline for a metric.
 *
 * @example
 * const s = newBaselineState(metric);
 */
export function newBaselineState(m: CompiledMetric): BaselineState {
  const s = createBaseline(m.config);
  s.population.cap = OWN_POOL;
  return s;
}

/**
 * The reading a message carries for a metric: the first finite number at its property path.
 *
 * @example
 * readingOf(message, metric); // 312 for { properties: { duration: 312 } }
 */
export function readingOf(m: Message, metric: CompiledMetric): number | undefined {
  if (m.type !== 'track' || m.event !== metric.def.event) return undefined;
  for (const v of extract(m.properties ?? {}, metric.path)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/**
 * Folds one reading y at local hour index t into the state, in place: issues the day-ahead
 * forecast at the first reading of a new day, checks the reading against the range as it stood
 * before it (a flag only once established), then learns from it.
 *
 * @example
 * const { anomaly, estimate } = baselineStep(state, t, 912, 0.98, new Date().toISOString());
 */
export function baselineStep(s: BaselineState, t: number, y: number, anomalyLevel: number, updatedAt: string): { anomaly: AnomalyVerdict | null; estimate: Estimate } {
  const day = Math.floor(t / 24);
  if (s.readings > 0 && (!s.issued || s.issued.day < day)) issueForecast(s, day * 24);
  const verdict = checkReading(s, t, y, updatedAt, anomalyLevel);
  observeReading(s, t, y);
  for (const bucket of s.scores) if (bucket.length > MAX_SCORES) bucket.splice(0, bucket.length - MAX_SCORES);
  return { anomaly: verdict.anomaly ? verdict : null, estimate: baselineEstimate(s, t, updatedAt) };
}
