/**
 * Personal baselines for metric streams (spend, session length, a sensor's readings): the
 * subject's typical range for each coming hour, honest about how little it knows.
 *
 * Model, per stream, updated one reading at a time (exponential forgetting handles drift):
 *   ŷ(t) = m_hour(t) + δ_weekday(t) + ρ^k·e_last
 * m_hour: exponentially weighted mean per hour of day, shrunk towards the overall level;
 * δ_weekday: weekday offset, used once `weekdayAfterDays` of data exist and shrunk by evidence;
 * e_last: the last residual, persisting with the lag-one autocorrelation ρ over horizon k hours.
 * The 90% interval is ŷ + s_hour·[q_low, q_high] where s_hour is the hour's mean absolute residual
 * and q the weighted conformal interval (Barber et al. 2023; weighted-quantile.ts) of the scores
 * (y − ŷ)/s of past forecasts at a similar horizon, recent ones weighing more (conformal on
 * walk-forward residuals: the interval is calibrated on its own record, and follows drift).
 * Forecasts are issued once per day for the next 24 hours (day-ahead), as the evaluation does.
 *
 * Until the stream has `minDays` days and enough scored forecasts in every horizon bucket, weighing
 * enough to bound the interval, the status is "learning" and the interval shown is the population
 * one: split-conformal on the pooled readings (see population.ts). Anomaly flags are raised only
 * once established, by a symmetric conformal test on the same scores with equal weights, once
 * there are enough of them for the test to reject at its level (anomalyRange, baseline-estimate.ts).
 */
import type { PopulationSample } from './population.js';

/** Settings of a baseline (chosen a priori; see docs/models.md). */
export interface BaselineConfig {
  level: number;
  /** Half-life of the hour profile and level, in days (drift). */
  halfLifeDays: number;
  /** Pseudo-days of shrinkage of each hour's mean towards the overall level. */
  hourShrinkDays: number;
  /** Weekday effects only after this many days of data. */
  weekdayAfterDays: number;
  /** Pseudo-weeks of shrinkage of weekday offsets towards 0. */
  weekdayShrinkWeeks: number;
  /** Scores (walk-forward residuals) older than this are dropped. */
  scoreWindowDays: number;
  /** Half-life of the score weights, in days. */
  scoreHalfLifeDays: number;
  /** Days of data before the personal interval may be used. */
  minDays: number;
  /** Scored forecasts needed in each horizon bucket. */
  minScoresPerBucket: number;
  modelVersion: string;
  /**
   * Pool the conformal scores of every horizon (default false: one pool per horizon bucket).
   * For event-driven streams (a session length per session, a spend per order) readings come at
   * irregular times and the short-horizon buckets would rarely fill; pooled, the interval is
   * calibrated over the stream's own mix of horizons and `minScoresPerBucket` counts all scores.
   */
  pooledHorizons?: boolean;
  /**
   * Days without a reading after which the baseline is stale: "learning" (reason "stale"), no flags,
   * until readings after the gap re-establish it as the first ones did (default 30; see docs/models.md).
   */
  staleAfterDays?: number;
}

/**
 * The largest reading (in absolute value) a baseline learns from: the model multiplies residuals,
 * and a product of two readings beyond about 1e154 overflows a double and would leave the state
 * NaN for good. A larger reading is still checked (flagged once established), not learned from.
 *
 * @example
 * observeReading(state, t, 1e160); // state unchanged
 */
export const MAX_READING = 1e100;

/** Days without readings before a baseline is stale, when its config does not say (states stored before the setting). */
export const DEFAULT_STALE_AFTER_DAYS = 30;

/** The settings used by the evaluation, fixed before it ran. @example createBaseline(defaultBaselineConfig) */
export const defaultBaselineConfig: BaselineConfig = {
  level: 0.9,
  halfLifeDays: 14,
  hourShrinkDays: 2,
  weekdayAfterDays: 21,
  weekdayShrinkWeeks: 2,
  scoreWindowDays: 42,
  scoreHalfLifeDays: 14,
  minDays: 7,
  minScoresPerBucket: 20,
  modelVersion: 'baseline@1',
  staleAfterDays: DEFAULT_STALE_AFTER_DAYS,
};

const BUCKET_EDGES = [2, 6, 12, 24];
/** Horizon bucket of k hours ahead: 1–2, 3–6, 7–12, 13–24, 25+ → 0…4. @example bucketOf(5) // 1 */
export const bucketOf = (k: number): number => {
  const b = BUCKET_EDGES.findIndex((e) => k <= e);
  return b < 0 ? BUCKET_EDGES.length : b;
};

/** The whole state of one stream's baseline: plain JSON. */
export interface BaselineState {
  config: BaselineConfig;
  readings: number;
  firstHour: number | null;
  lastHour: number | null;
  days: number;
  hourSum: number[];
  hourWeight: number[];
  absSum: number[];
  absWeight: number[];
  weekdaySum: number[];
  weekdayWeight: number[];
  levelSum: number;
  levelWeight: number;
  /** Decay bookkeeping: the hour index up to which weights were decayed. */
  decayedTo: number | null;
  lastResidual: number | null;
  rhoXY: number;
  rhoXX: number;
  /**
   * Scores per horizon bucket: [hourIndex, score, scale] — the scale the forecast was issued with
   * (its residual is score · scale; the anomaly test reads it: {@link flagScore}). Scores stored
   * before 2026-12 have no scale.
   */
  scores: Score[][];
  /** The forecast issued for the current day, used to score its readings. */
  issued: { day: number; fromHour: number; lastObserved: number; point: number[]; scale: number[] } | null;
  population: PopulationSample;
  /**
   * Set when readings resume after a stale gap: the hour of the first fresh reading and the days with
   * readings since. Only fresh data count towards establishing it again; cleared once they do.
   * (Absent in states stored before staleness: read as null.)
   */
  resumed?: { hour: number; days: number } | null;
  /**
   * The flagged readings in a row on one side of the forecast (+1 above, −1 below), and the sum of
   * their distances from it: a run of {@link SHIFT_RUN} is taken as a shift (learn-reading.ts).
   * (Absent in states stored before: read as null.)
   */
  flagRun?: FlagRun | null;
  /**
   * The first hour of the first forecast issued on a scale that rested on `minScoresPerBucket`
   * residuals: the interval is calibrated on scores from then on, or from the end of the stream's
   * first `minDays` days if that comes first (baseline-estimate.ts `calibrated`). (Absent in states
   * stored before 2026-12-06, and until such a forecast: the `minDays` cut alone.)
   */
  calibratedFrom?: number | null;
  /**
   * A level shift adopted from a run (learn-reading.ts) and not yet confirmed: its run's first hour,
   * the hour it was adopted, the distance moved, the run's steps (as {@link FlagRun}'s) and the usual
   * readings since. (Absent in states stored before 2026-12-06.)
   */
  adoptedShift?: { from: number; at: number; delta: number; steps: [number, number, number, number, number][]; usual?: number } | null;
}

/**
 * An open run of flagged readings (learn-reading.ts). `from`: the hour of its first reading — the
 * anomaly test leaves the run's own scores out while it is open (anomalyRange); `steps`: each
 * reading's [hour, value, value learned (the flag range's edge; the value itself when the range was
 * ±∞), structural forecast it was learned against, forecast it was checked against],
 * to learn them at their own values once the run is taken as a shift. (Both absent in runs stored
 * before 2026-12-06.)
 */
export interface FlagRun {
  side: 1 | -1;
  count: number;
  offset: number;
  spread: number;
  mixed: boolean;
  from?: number;
  steps?: [number, number, number, number, number][];
}

/** One conformal score: [hourIndex, (y − ŷ)/scale, scale], the scale absent in scores stored before 2026-12. */
export type Score = [number, number, number?];

/**
 * How far from the forecast a flagged reading's score is kept, in units of the flag range's radius.
 * Not 1: the flag radius is the k-th largest score of the pool, and with every score beyond it cut
 * back to it, the radius could only fall as the window moves on — on simulated event-driven streams
 * (six seeds, 400 days) the share of usual readings flagged rose from 1.0% to 3.2%. At twice the
 * radius no usual reading's score was cut in those simulations (the flags stayed at 1.0%), and a
 * reading of 5000 s on sessions of about 150 s leaves a score of ~17, where it had left ~140.
 *
 * @example
 * FLAGGED_SCORE_CLIP; // 2
 */
export const FLAGGED_SCORE_CLIP = 2;

/**
 * Flagged readings in a row, all above or all below the forecast, taken as a shift of the stream's
 * level rather than anomalies: the profile moves by their mean distance from the forecast.
 *
 * @example
 * SHIFT_RUN; // 3
 */
export const SHIFT_RUN = 3;

/**
 * Hours a shift taken from a run must hold (with {@link SHIFT_RUN} usual readings after it, none
 * flagged) before its run's scores are read as errors against the moved forecast (learn-reading.ts):
 * a day, so that a sensor's episode of a few hours, which ends in a run back, keeps its errors.
 *
 * @example
 * SHIFT_CONFIRM_HOURS; // 24
 */
export const SHIFT_CONFIRM_HOURS = 24;

/**
 * A baseline that knows nothing yet.
 *
 * @example
 * let s = createBaseline();
 */
export function createBaseline(config: BaselineConfig = defaultBaselineConfig): BaselineState {
  const zeros = (n: number) => new Array<number>(n).fill(0);
  return {
    config, readings: 0, firstHour: null, lastHour: null, days: 0,
    hourSum: zeros(24), hourWeight: zeros(24), absSum: zeros(24), absWeight: zeros(24), weekdaySum: zeros(7), weekdayWeight: zeros(7),
    levelSum: 0, levelWeight: 0, decayedTo: null, lastResidual: null, rhoXY: 0, rhoXX: 0,
    scores: Array.from({ length: BUCKET_EDGES.length + 1 }, () => []), issued: null, population: { values: [], cap: 24 * 180 }, resumed: null, flagRun: null,
  };
}

/** Hour of day of an hour index (hours since 1970-01-01T00:00, stream's local time). @example hourOfDay(49) // 1 */
export const hourOfDay = (t: number) => ((t % 24) + 24) % 24;
/** Weekday of an hour index, Monday = 0 (1970-01-01 was a Thursday). @example weekdayOf(0) // 3 */
export const weekdayOf = (t: number) => (((Math.floor(t / 24) + 3) % 7) + 7) % 7;

/**
 * The structural part m_hour + δ_weekday at hour t. Each hour's mean is shrunk towards the middle
 * of the hours' means — their median once most hours have readings, else the overall level — not
 * towards the overall mean: one hour with a daily peak lifts that mean for every other hour (a
 * reading of 100 at 09:00 on a stream of N(0, 1) moved each quiet hour's centre by ≈ +0.4, and
 * 3.7% of the usual readings were flagged, nine in ten below, against 1.2% on the same stream
 * without its peak; src/learn/baselines/daily-peak.test.ts, until 2026-12-05).
 *
 * @example structural(state, t) // e.g. 41.3
 */
export function structural(s: BaselineState, t: number): number {
  const h = hourOfDay(t);
  const k = s.config.hourShrinkDays;
  const m = (s.hourSum[h] + k * hoursMiddle(s)) / (s.hourWeight[h] + k);
  let dow = 0;
  if (s.days >= s.config.weekdayAfterDays) {
    const w = weekdayOf(t);
    dow = s.weekdaySum[w] / (s.weekdayWeight[w] + s.config.weekdayShrinkWeeks * 24);
  }
  return m + dow;
}

/** The median of the hours' means once at least 12 hours have readings, else the overall level (0 with none). */
function hoursMiddle(s: BaselineState): number {
  const means: number[] = [];
  for (let i = 0; i < 24; i++) if (s.hourWeight[i] > 0) means.push(s.hourSum[i] / s.hourWeight[i]);
  if (means.length < 12) return s.levelWeight > 0 ? s.levelSum / s.levelWeight : 0;
  means.sort((a, b) => a - b);
  const mid = means.length >> 1;
  return means.length % 2 ? means[mid] : (means[mid - 1] + means[mid]) / 2;
}

/** Mean absolute residual of t's hour, shrunk to the overall one. @example hourScale(state, t) */
export function hourScale(s: BaselineState, t: number): number {
  const h = hourOfDay(t);
  let total = 0;
  let weight = 0;
  for (let i = 0; i < 24; i++) {
    total += s.absSum[i];
    weight += s.absWeight[i];
  }
  const overall = weight > 0 ? total / weight : 1;
  const k = s.config.hourShrinkDays;
  return Math.max((s.absSum[h] + k * overall) / (s.absWeight[h] + k), 1e-9);
}

/** Lag-one autocorrelation of residuals, clamped to [0, 0.99]. @example persistence(state) // e.g. 0.82 */
export function persistence(s: BaselineState): number {
  return s.rhoXX > 0 ? Math.min(0.99, Math.max(0, s.rhoXY / s.rhoXX)) : 0;
}

/**
 * Hours without a reading after which the baseline is stale.
 *
 * @example
 * staleAfterHours(createBaseline()); // 720
 */
export const staleAfterHours = (s: BaselineState): number => (s.config.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS) * 24;
