/**
 * Absorbing readings into a metric baseline, and issuing the day-ahead forecast whose errors
 * become the conformal scores.
 */
import { addToPopulation } from './population.js';
import { isBaselineEstablished } from './baseline-estimate.js';
import { type BaselineState, FLAGGED_SCORE_CLIP, MAX_READING, bucketOf, hourOfDay, hourScale, persistence, staleAfterHours, structural, weekdayOf } from './metric-baseline.js';

/**
 * Issues the forecast for the 24 hours starting at `fromHour` (call at each day boundary, before
 * that day's readings). Returns the state (updated in place).
 *
 * @example
 * issueForecast(state, dayIndex * 24);
 */
export function issueForecast(s: BaselineState, fromHour: number): BaselineState {
  if (s.lastHour === null) {
    s.issued = null;
    return s;
  }
  const rho = persistence(s);
  const point: number[] = [];
  const scale: number[] = [];
  for (let i = 0; i < 24; i++) {
    const t = fromHour + i;
    const k = Math.max(1, t - s.lastHour);
    point.push(structural(s, t) + Math.pow(rho, k) * (s.lastResidual ?? 0));
    scale.push(hourScale(s, t));
  }
  s.issued = { day: Math.floor(fromHour / 24), fromHour, point, scale, lastObserved: s.lastHour };
  // The first forecast whose scales rest on enough residuals (each reading after the first leaves one):
  // its scores, and those after it, calibrate the interval (baseline-estimate.ts `calibrated`).
  if (s.calibratedFrom == null && s.readings - 1 >= s.config.minScoresPerBucket) s.calibratedFrom = fromHour;
  return s;
}

/**
 * Absorbs one reading y at hour index t (in place): scores the issued forecast, then updates the
 * hour profile, weekday offsets, scales, persistence and the population pool. The first reading
 * after `staleAfterDays` without any starts a fresh count (`resumed`) the baseline must fill again.
 * A late reading (before the last one: an event queued offline, a backfill) is learned into the
 * hour profile and the pool but moves neither the clock (last hour, last residual) nor the day
 * count. A reading beyond ±{@link MAX_READING} (or not a number) is ignored. With `flagged` (the
 * flag range a flagged reading fell outside, and its forecast: learn-reading.ts) the reading is
 * learned as the nearest edge of that range — winsorised — so one anomaly moves the profile and the
 * scale no further than a reading on the edge would; its score is kept at most
 * {@link FLAGGED_SCORE_CLIP} times the edge's distance from the forecast.
 *
 * @example
 * observeReading(state, 1_000_123, 41.5);
 * observeReading(state, 1_000_124, 5000, { low: 60, high: 320, value: 190 }); // learned as 320, scored as 450
 */
export function observeReading(s: BaselineState, t: number, reading: number, flagged?: { low: number; high: number; value: number }): BaselineState {
  if (!(Math.abs(reading) <= MAX_READING)) return s;
  const clip = (lo: number, hi: number) => Math.min(Math.max(reading, lo), hi);
  const y = flagged ? clip(flagged.low, flagged.high) : reading;
  const scored = flagged ? clip(flagged.value - FLAGGED_SCORE_CLIP * (flagged.value - flagged.low), flagged.value + FLAGGED_SCORE_CLIP * (flagged.high - flagged.value)) : reading;
  const late = s.lastHour !== null && t < s.lastHour;
  if (s.lastHour !== null && t - s.lastHour >= staleAfterHours(s)) s.resumed = { hour: t, days: 0 };
  const issued = s.issued;
  if (issued && t >= issued.fromHour && t < issued.fromHour + 24) {
    const i = t - issued.fromHour;
    const k = t - issued.lastObserved;
    s.scores[bucketOf(k)].push([t, (scored - issued.point[i]) / issued.scale[i], issued.scale[i]]);
  }
  const horizon = s.config.scoreWindowDays * 24;
  for (const bucket of s.scores) while (bucket.length > 0 && bucket[0][0] < t - horizon) bucket.shift();

  const decayTo = (at: number) => {
    if (s.decayedTo === null) s.decayedTo = at;
    const dtDays = (at - s.decayedTo) / 24;
    if (dtDays <= 0) return;
    const f = Math.pow(0.5, dtDays / s.config.halfLifeDays);
    for (const arr of [s.hourSum, s.hourWeight, s.absSum, s.absWeight, s.weekdaySum, s.weekdayWeight]) for (let j = 0; j < arr.length; j++) arr[j] *= f;
    s.levelSum *= f;
    s.levelWeight *= f;
    s.rhoXY *= f;
    s.rhoXX *= f;
    s.decayedTo = at;
  };
  decayTo(t);
  const h = hourOfDay(t);
  const before = structural(s, t);
  const e = y - before;
  if (s.lastResidual !== null && s.lastHour === t - 1) {
    s.rhoXY += e * s.lastResidual;
    s.rhoXX += s.lastResidual * s.lastResidual;
  }
  const hourMean = s.hourWeight[h] > 0 ? s.hourSum[h] / s.hourWeight[h] : y;
  s.levelSum += y;
  s.levelWeight += 1;
  s.hourSum[h] += y;
  s.hourWeight[h] += 1;
  if (s.readings > 0) {
    s.absSum[h] += Math.abs(e);
    s.absWeight[h] += 1;
  }
  const w = weekdayOf(t);
  s.weekdaySum[w] += y - hourMean;
  s.weekdayWeight[w] += 1;
  if (s.lastHour === null || Math.floor(t / 24) > Math.floor(s.lastHour / 24)) {
    s.days += 1;
    if (s.resumed) s.resumed.days += 1;
  }
  if (s.firstHour === null || t < s.firstHour) s.firstHour = t;
  if (!late) {
    s.lastResidual = y - structural(s, t);
    s.lastHour = t;
  }
  s.readings += 1;
  addToPopulation(s.population, y);
  if (s.resumed && isBaselineEstablished(s)) s.resumed = null;
  return s;
}
