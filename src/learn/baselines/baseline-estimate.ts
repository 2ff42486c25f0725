/**
 * Reading a metric baseline: the interval for an hour as an {@link Estimate} (personal once
 * established, population while learning), and anomaly flags that are only raised once the
 * baseline is established and its range at the flag's level is bounded.
 */
import type { Estimate } from '../estimate.js';
import { type BaselineState, bucketOf, hourScale, persistence, staleAfterHours, structural } from './metric-baseline.js';
import { populationInterval, populationMedian } from './population.js';
import { weightedConformalBounded, weightedConformalInterval } from './weighted-quantile.js';

/**
 * The conformal scores behind an interval: a horizon bucket's (or, pooled, all of them), each
 * weighted by age — a score `scoreHalfLifeDays` older than another weighs half as much — so the
 * interval follows drift. The coming reading, the test point of weighted conformal prediction
 * (Barber et al. 2023), weighs as much as the newest score: only ratios to it matter, so the
 * interval and whether it is bounded change when a score comes or leaves, not as hours pass.
 */
function weightedScores(s: BaselineState, bucket: [number, number][]): { values: number[]; weights: number[] } {
  const now = s.lastHour ?? 0;
  return { values: bucket.map((x) => x[1]), weights: bucket.map((x) => Math.pow(0.5, (now - x[0]) / 24 / s.config.scoreHalfLifeDays)) };
}

/** The score pools an established baseline reads: the pooled one, or the buckets of horizons 1–24 h. */
const scorePools = (s: BaselineState): [number, number][][] => (s.config.pooledHorizons ? [s.scores.flat()] : s.scores.slice(0, 4));

/**
 * True once the stream has `minDays` days and enough scored forecasts at every day-ahead horizon —
 * counting, after a stale gap, only the days and scores since readings resumed — whose weight
 * bounds the interval at the config's level (weighted conformal: a 90% interval needs the scores
 * to weigh 19 times the newest one; see {@link weightedConformalInterval}), and, when asked about
 * hour `t`, it has had a reading within `staleAfterDays` of `t`.
 *
 * @example
 * isBaselineEstablished(state); // false for the first week
 * isBaselineEstablished(state, state.lastHour + 30 * 24); // false: stale
 */
export function isBaselineEstablished(s: BaselineState, t?: number): boolean {
  if (t !== undefined && isStale(s, t)) return false;
  const from = s.resumed?.hour ?? -Infinity;
  const days = s.resumed ? s.resumed.days : s.days;
  if (days < s.config.minDays) return false;
  const count = (b: [number, number][]) => (s.resumed ? b.filter((x) => x[0] >= from).length : b.length);
  return scorePools(s).every((b) => count(b) >= s.config.minScoresPerBucket && weightedConformalBounded(weightedScores(s, b).weights, s.config.level));
}

/**
 * Stale at hour t: no reading for `staleAfterDays`, or readings resumed after such a gap have not yet
 * re-established the baseline.
 *
 * @example
 * isStale(state, state.lastHour + 30 * 24); // true with the default 30 days
 */
export function isStale(s: BaselineState, t: number): boolean {
  if (s.lastHour === null) return false;
  return t - s.lastHour >= staleAfterHours(s) || !!s.resumed;
}

/** Point forecast and scale for hour t (the issued day-ahead forecast when t is in it). */
function forecast(s: BaselineState, t: number): { point: number; scale: number; horizon: number } {
  const issued = s.issued;
  if (issued && t >= issued.fromHour && t < issued.fromHour + 24) {
    const i = t - issued.fromHour;
    return { point: issued.point[i], scale: issued.scale[i], horizon: t - issued.lastObserved };
  }
  const k = Math.max(1, t - (s.lastHour ?? t - 1));
  return { point: structural(s, t) + Math.pow(persistence(s), k) * (s.lastResidual ?? 0), scale: hourScale(s, t), horizon: k };
}

/**
 * The subject's typical range for hour t, at `level` (default the config's, 90%). Established, it
 * is ŷ + s·[lower, upper] with the bounds the weighted conformal interval of the scores at that
 * horizon; at a level above the config's it may be unbounded (±∞: too little recent weight to
 * bound it — a 98% range needs the scores to weigh 99 times the newest one).
 *
 * @example
 * baselineEstimate(state, t, '2026-11-23T10:00:00Z');
 * // { value: 41.2, low: 30.5, high: 55.0, source: 'personal', status: 'established', … }
 */
export function baselineEstimate(s: BaselineState, t: number, updatedAt: string, level = s.config.level): Estimate {
  const established = isBaselineEstablished(s, t);
  const f = s.lastHour === null ? null : forecast(s, t);
  const common = { level, evidence: s.readings, modelVersion: s.config.modelVersion, updatedAt };
  if (established && f) {
    const bucket = s.config.pooledHorizons ? s.scores.flat() : s.scores[Math.min(bucketOf(f.horizon), 3)];
    const { values, weights } = weightedScores(s, bucket);
    const [qLow, qHigh] = weightedConformalInterval(values, weights, level);
    // Widened by the values' floating-point resolution (one part in 1e9): a stream that never varies
    // has only rounding noise for residuals, and must not flag its own value.
    const resolution = 1e-9 * Math.abs(f.point);
    const low = f.point + f.scale * qLow - resolution;
    const high = f.point + f.scale * qHigh + resolution;
    return { value: f.point, low, high, source: 'personal', status: 'established', ...common };
  }
  const [low, high] = populationInterval(s.population, level);
  // The population's range comes with the population's middle; the subject's own guess only while
  // nothing bounds the range (it would otherwise lie outside the range it is shown with).
  const value = Number.isFinite(low) && Number.isFinite(high) ? populationMedian(s.population) : f ? f.point : NaN;
  return { value, low, high, source: 'population', status: 'learning', ...common, ...(isStale(s, t) ? { reason: 'stale' as const } : {}) };
}

/** Verdict on one reading. */
export interface AnomalyVerdict {
  anomaly: boolean;
  /** "learning" while no personal baseline exists, "stale" while it is too old: no flag is raised on a guess. */
  reason: 'learning' | 'stale' | 'outside-range' | 'within-range';
  estimate: Estimate;
}

/**
 * Flags a reading outside the subject's `level` range (default 98%) — only once established, not
 * while stale, and not while that range is unbounded (too little recent weight for the level: the
 * flags then could not keep to 1 − level of usual readings).
 *
 * @example
 * checkReading(state, t, 180, now); // { anomaly: true, reason: 'outside-range', … }
 */
export function checkReading(s: BaselineState, t: number, y: number, updatedAt: string, level = 0.98): AnomalyVerdict {
  const estimate = baselineEstimate(s, t, updatedAt, level);
  if (estimate.status === 'learning') return { anomaly: false, reason: estimate.reason === 'stale' ? 'stale' : 'learning', estimate };
  const outside = y < estimate.low || y > estimate.high;
  return { anomaly: outside, reason: outside ? 'outside-range' : 'within-range', estimate };
}
