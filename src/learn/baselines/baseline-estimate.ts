/**
 * Reading a metric baseline: the interval for an hour as an {@link Estimate} (personal once
 * established, population while learning), and anomaly flags — a symmetric conformal test on the
 * established baseline's scores, raised only once enough scores exist for it to keep its false
 * flags to 1 − level.
 */
import type { Estimate } from '../estimate.js';
import { type BaselineState, type Score, bucketOf, hourOfDay, hourScale, persistence, staleAfterHours, structural } from './metric-baseline.js';
import { populationInterval, populationMedian } from './population.js';
import { symmetricConformalRadius, weightedConformalBounded, weightedConformalInterval } from './weighted-quantile.js';

/**
 * The conformal scores behind an interval: a horizon bucket's (or, pooled, all of them), each
 * weighted by age — a score `scoreHalfLifeDays` older than another weighs half as much — so the
 * interval follows drift. The coming reading, the test point of weighted conformal prediction
 * (Barber et al. 2023), weighs as much as the newest score: only ratios to it matter, so the
 * interval and whether it is bounded change when a score comes or leaves, not as hours pass.
 */
function weightedScores(s: BaselineState, bucket: Score[]): { values: number[]; weights: number[] } {
  const now = s.lastHour ?? 0;
  return { values: bucket.map((x) => x[1]), weights: bucket.map((x) => Math.pow(0.5, (now - x[0]) / 24 / s.config.scoreHalfLifeDays)) };
}

/** The end of the stream's first `minDays` days: the anomaly test reads no score from before it. */
const firstDaysEnd = (s: BaselineState): number => (s.firstHour ?? 0) + s.config.minDays * 24;

/**
 * The scores the 90% interval is calibrated on, and establishing counts: those of forecasts issued
 * on scales that rested on at least `minScoresPerBucket` residuals (`calibratedFrom`; an hourly
 * stream's from its second day) or, if that comes first, after the stream's first `minDays` days.
 * The forecasts before were scaled by a handful of residuals (the very first by none: raw units),
 * and their scores, up to 300 where usual ones are about 1, widened the interval for weeks: until
 * 2026-12-06 it read them, and streams of N(100, 15), about two readings a day at random hours,
 * showed once established at 15 days a median 90% interval 6.7 times the true range (8 of 20 with
 * a lower bound below 0), at 21 days 2.8 times (src/learn/baselines/young-baseline.test.ts).
 */
const calibrated = (s: BaselineState, pool: Score[]): Score[] => {
  const from = Math.min(s.calibratedFrom ?? Infinity, firstDaysEnd(s));
  return pool.filter((x) => x[0] >= from);
};

/** The score pools an established baseline reads: the pooled one, or the buckets of horizons 1–24 h. */
const scorePools = (s: BaselineState): Score[][] => (s.config.pooledHorizons ? [s.scores.flat()] : s.scores.slice(0, 4)).map((b) => calibrated(s, b));

/** The pool of scores for a forecast `horizon` hours ahead (beyond 24 h, the 13–24 h bucket's). */
const scorePool = (s: BaselineState, horizon: number): Score[] => calibrated(s, s.config.pooledHorizons ? s.scores.flat() : s.scores[Math.min(bucketOf(horizon), 3)]);

/**
 * Widening of a range by the values' floating-point resolution (one part in 1e9 of the forecast):
 * a stream that never varies has only rounding noise for residuals, and must not flag its own value.
 */
const resolution = (point: number) => 1e-9 * Math.abs(point);

/**
 * True once the stream has `minDays` days and enough scored forecasts at every day-ahead horizon —
 * issued after its first `minDays` days ({@link calibrated}), and after a stale gap only the days
 * and scores since readings resumed — whose weight
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
  const count = (b: Score[]) => (s.resumed ? b.filter((x) => x[0] >= from).length : b.length);
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

/**
 * The scale the forecast for hour t gives each hour of day (index 0–23): the issued day-ahead
 * forecast's when t is in it, as {@link forecast} reads them, else the hours' scales now.
 */
function scalesNow(s: BaselineState, t: number): number[] {
  const issued = s.issued;
  if (issued && t >= issued.fromHour && t < issued.fromHour + 24) {
    const first = hourOfDay(issued.fromHour);
    return Array.from({ length: 24 }, (_, h) => issued.scale[(h - first + 24) % 24]);
  }
  return Array.from({ length: 24 }, (_, h) => hourScale(s, h));
}

/**
 * A pool score as the anomaly test compares it with a reading at hour t: its residual over the
 * smaller of the scale it was issued with and the scale its hour of day has in t's forecast —
 * score · max(1, scale then / scale now). The scale is a mean absolute residual that forgets with a
 * half-life of 14 days, so while the forecasts improve (the first weeks: the hour means learn the
 * daily cycle) it lags above their errors, the older scores come out smaller than the coming
 * reading's, and the test flagged more than α: 2.2–3.1% of usual readings on hourly streams with
 * a daily cycle (src/learn/baselines/daily-cycle.test.ts). A scale that has fallen since no longer
 * shrinks a past score; one that has risen (a stream that became more variable, a widened scale)
 * still counts, so the range keeps following it. Either way each past score is at least what it
 * is in the coming reading's units, so the p-value is no smaller than that exchangeable test's.
 * A score stored without its scale is read as it is.
 */
function flagScore(x: Score, now: number[]): number {
  return x[2] === undefined ? x[1] : x[1] * Math.max(1, x[2] / now[hourOfDay(x[0])]);
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
 * bound it — a 98% range needs the scores to weigh 99 times the newest one). Anomaly flags do not
 * read this range but {@link anomalyRange}.
 *
 * @example
 * baselineEstimate(state, t, '2026-11-23T10:00:00Z');
 * // { value: 41.2, low: 30.5, high: 55.0, source: 'personal', status: 'established', … }
 */
export function baselineEstimate(s: BaselineState, t: number, updatedAt: string | null, level = s.config.level): Estimate {
  const established = isBaselineEstablished(s, t);
  const f = s.lastHour === null ? null : forecast(s, t);
  const common = { level, modelVersion: s.config.modelVersion, updatedAt };
  if (established && f) {
    const { values, weights } = weightedScores(s, scorePool(s, f.horizon));
    const [qLow, qHigh] = weightedConformalInterval(values, weights, level);
    const low = f.point + f.scale * qLow - resolution(f.point);
    const high = f.point + f.scale * qHigh + resolution(f.point);
    // A shift taken from a run rests on the run's mean until it has held a day (learn-reading.ts
    // confirmShift): the interval is the moved one, but the baseline re-learns (until 2026-12-06 "established").
    if (s.adoptedShift) return { value: f.point, low, high, source: 'personal', status: 'learning', reason: 'shift', evidence: s.readings, ...common };
    return { value: f.point, low, high, source: 'personal', status: 'established', evidence: s.readings, ...common };
  }
  const [low, high] = populationInterval(s.population, level);
  // The population's range comes with the population's middle; the subject's own guess only while
  // nothing bounds the range (it would otherwise lie outside the range it is shown with). The
  // evidence is what the range rests on: the pooled readings.
  const value = Number.isFinite(low) && Number.isFinite(high) ? populationMedian(s.population) : f ? f.point : NaN;
  return { value, low, high, source: 'population', status: 'learning', evidence: s.population.values.length, ...common, ...(isStale(s, t) ? { reason: 'stale' as const } : {}) };
}

/** The anomaly test's scores for a reading at hour t, `horizon` hours ahead, as {@link flagScore} reads them. */
function flagScores(s: BaselineState, t: number, horizon: number): number[] {
  // Not the scores of the stream's first `minDays` days (an hourly stream's first week included,
  // unlike the interval's: {@link calibrated}; the forecasts then were scaled by a handful of
  // residuals, and their scores would set the radius and hide any anomaly), nor those of an open run
  // of flagged readings (learn-reading.ts): a flagged reading's score, kept at twice the radius, is
  // the pool's largest while it holds under 99 scores, and it doubled the radius for the next
  // reading — after a level shift the next readings went unflagged, the run never reached
  // SHIFT_RUN, and the stream was learned in full at the new level (until 2026-12-06).
  const from = firstDaysEnd(s);
  const runFrom = s.flagRun?.from ?? Infinity;
  const now = scalesNow(s, t);
  return scorePool(s, horizon).filter((x) => x[0] >= from && x[0] < runFrom).map((x) => flagScore(x, now));
}

/**
 * The side (1 above, −1 below; 0 neither) on which reading y at hour t lies beyond every score the
 * anomaly test holds — its conformal p-value the least there is, 1/(n + 1) — once established. While
 * the pool holds under 1/α − 1 scores no reading can be flagged, yet such a reading still counts
 * towards a run taken as a level shift (learn-reading.ts): three in a row on one side have
 * probability about (1/(n + 1))³/4 on exchangeable readings, n ≥ `minScoresPerBucket`.
 *
 * @example
 * beyondEveryScore(state, t, 260); // 1 on a stream of about 100 ± 10 with fewer than 49 scores
 */
export function beyondEveryScore(s: BaselineState, t: number, y: number): 1 | -1 | 0 {
  if (s.lastHour === null || !isBaselineEstablished(s, t)) return 0;
  const f = forecast(s, t);
  const scores = flagScores(s, t, f.horizon);
  if (scores.length < s.config.minScoresPerBucket) return 0;
  let largest = 0;
  for (const x of scores) largest = Math.max(largest, Math.abs(x));
  const d = y - f.point;
  return Math.abs(d) > f.scale * largest + resolution(f.point) ? (d > 0 ? 1 : -1) : 0;
}

/**
 * The range outside which a reading at hour t is flagged at `level` (α = 1 − level): once
 * established, ŷ ± s·R, R the radius of the symmetric conformal test on the pool's scores with
 * equal weights ({@link symmetricConformalRadius}) — a reading is outside exactly when its conformal
 * p-value (1 + #{|sᵢ| ≥ |s|}) / (n + 1) is ≤ α, which on exchangeable readings happens at most a
 * share α of the time (Vovk et al. 2005; Lei et al. 2018). The scores are the pool's (y − ŷ)/s —
 * zero at the forecast, the interval's own centre, in units of the hour's scale, the smaller of
 * the one the score was issued with and its hour's scale now ({@link flagScore}) — all it holds
 * (the 42 days up to the last reading) but those of the stream's first `minDays` days and of an
 * open run of flagged readings ({@link flagScores}), at equal
 * weight: flags are about rare extremes, which the 90% interval's decaying weights (Σw ≈ 32
 * newest-score units for two readings a day) could never bound at 98%; the price is that a flag
 * follows drift over the whole window rather than the last two weeks. Unbounded (±∞) while there
 * are fewer than 1/α − 1 such scores (49 at 98%): no reading can be flagged then. Learning or
 * stale: the population's range, as {@link baselineEstimate} gives it.
 *
 * @example
 * anomalyRange(state, t, now); // { value: 41.2, low: 12.9, high: 69.5, level: 0.98, status: 'established', … }
 */
export function anomalyRange(s: BaselineState, t: number, updatedAt: string | null, level = 0.98): Estimate {
  if (s.lastHour === null || !isBaselineEstablished(s, t)) return baselineEstimate(s, t, updatedAt, level);
  const f = forecast(s, t);
  const radius = symmetricConformalRadius(flagScores(s, t, f.horizon), level);
  const low = f.point - f.scale * radius - resolution(f.point);
  const high = f.point + f.scale * radius + resolution(f.point);
  return { value: f.point, low, high, source: 'personal', status: 'established', level, evidence: s.readings, modelVersion: s.config.modelVersion, updatedAt };
}

/** Verdict on one reading. */
export interface AnomalyVerdict {
  anomaly: boolean;
  /**
   * "learning" while no personal baseline exists, "stale" while it is too old: no flag is raised on
   * a guess. "within-range" also while too few scores exist to flag at the level (the range ±∞).
   */
  reason: 'learning' | 'stale' | 'outside-range' | 'within-range';
  /** The range the reading was checked against: {@link anomalyRange}. */
  estimate: Estimate;
}

/**
 * Flags a reading outside the subject's range at `level` (default 98%; {@link anomalyRange}) — only
 * once established, not while stale, and not while too few scores exist for the test to keep its
 * flags to 1 − level of usual readings.
 *
 * @example
 * checkReading(state, t, 180, now); // { anomaly: true, reason: 'outside-range', … }
 */
export function checkReading(s: BaselineState, t: number, y: number, updatedAt: string | null, level = 0.98): AnomalyVerdict {
  const estimate = anomalyRange(s, t, updatedAt, level);
  if (estimate.status === 'learning') return { anomaly: false, reason: estimate.reason === 'stale' ? 'stale' : 'learning', estimate };
  const outside = y < estimate.low || y > estimate.high;
  return { anomaly: outside, reason: outside ? 'outside-range' : 'within-range', estimate };
}
