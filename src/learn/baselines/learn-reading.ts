/**
 * Learning a reading once it has been checked (checkReading): how far an anomaly may move the
 * baseline, and when flagged readings are a shift of the stream instead.
 */
import type { AnomalyVerdict } from './baseline-estimate.js';
import { issueForecast, observeReading } from './baseline-update.js';
import { type BaselineState, MAX_READING, SHIFT_RUN, hourScale, structural } from './metric-baseline.js';

/**
 * Learns reading y at hour t (in place) after its `verdict`. A usual reading is learned in full
 * (observeReading). A flagged one is learned winsorised at the edge of the flag range it fell
 * outside: learned in full, one reading of 5000 s on sessions of about 150 s had made the 90% range
 * [−51, 19780] the next day, and its score in the pool hid a second 5000 s for the 42 days of the
 * score window. {@link SHIFT_RUN} flagged readings in a row on the same side of the forecast (late
 * ones apart) are a shift instead: the whole hour profile moves by their mean distance from the
 * forecast, and the rest of the day is forecast again from the moved profile — so a stream whose
 * every reading is high from some day on is flagged about three times, not for weeks.
 *
 * @example
 * const verdict = checkReading(state, t, 5000, now);
 * learnReading(state, t, 5000, verdict); // learned as the flag range's upper edge
 */
export function learnReading(s: BaselineState, t: number, y: number, verdict: AnomalyVerdict): BaselineState {
  if (!(Math.abs(y) <= MAX_READING)) return s;
  const late = s.lastHour !== null && t < s.lastHour;
  if (!verdict.anomaly) {
    if (!late) s.flagRun = null;
    return observeReading(s, t, y);
  }
  const { low, high, value } = verdict.estimate;
  observeReading(s, t, y, { low, high, value });
  if (late) return s;
  const side = y > high ? 1 : -1;
  const run = s.flagRun ?? { side, count: 0, offset: 0, spread: 0, mixed: false };
  run.mixed ||= run.side !== side;
  run.count += 1;
  run.offset += y - value;
  run.spread += Math.abs(y - value);
  s.flagRun = run;
  if (run.count >= SHIFT_RUN) {
    if (run.mixed) widenScale(s, t, run.spread / run.count);
    else shiftLevel(s, run.offset / run.count);
    s.lastResidual = y - structural(s, t);
    s.flagRun = null;
    issueForecast(s, t + 1);
  }
  return s;
}

/** Scales every hour's scale so that t's is `to`. */
function widenScale(s: BaselineState, t: number, to: number): void {
  const g = to / hourScale(s, t);
  if (!(g > 1)) return;
  for (let h = 0; h < 24; h++) s.absSum[h] *= g;
}

/** Moves every hour's mean (and the overall level, hence the middle they shrink towards) by delta. */
function shiftLevel(s: BaselineState, delta: number): void {
  for (let h = 0; h < 24; h++) s.hourSum[h] += delta * s.hourWeight[h];
  s.levelSum += delta * s.levelWeight;
}
