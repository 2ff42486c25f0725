import type { Message } from '../../collect/message.js';
import type { Estimate } from '../../learn/estimate.js';
import { type AnomalyVerdict, baselineEstimate, checkReading } from '../../learn/baselines/baseline-estimate.js';
import { issueForecast, observeReading } from '../../learn/baselines/baseline-update.js';
import { learnReading } from '../../learn/baselines/learn-reading.js';
import { type BaselineState, MAX_READING, createBaseline } from '../../learn/baselines/metric-baseline.js';
import { JSON_NUMBER_TEXT } from '../../profiles/features/property-values.js';
import { extract } from '../../profiles/features/state.js';
import { localHour } from '../local-time.js';
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
    // A JSON number's text only, as features read it (property-values.ts): "0x10", " 7 " and "0012"
    // are no readings (until 2026-12-06 Number() learned "0x10" as 16 here, and padded text counted).
    const n = typeof v === 'number' ? v : typeof v === 'string' && JSON_NUMBER_TEXT.test(v) ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/** Issues the day-ahead forecast at the first reading of a new day (before the reading is checked). */
function prepare(s: BaselineState, t: number): void {
  const day = Math.floor(t / 24);
  if (s.readings > 0 && (!s.issued || s.issued.day < day)) issueForecast(s, day * 24);
}

/** Learns a reading (after its verdict, when checked: learnReading), keeping at most MAX_SCORES scores per bucket. */
function absorb(s: BaselineState, t: number, y: number, verdict?: AnomalyVerdict): void {
  if (verdict) learnReading(s, t, y, verdict);
  else observeReading(s, t, y);
  for (const bucket of s.scores) if (bucket.length > MAX_SCORES) bucket.splice(0, bucket.length - MAX_SCORES);
}

/**
 * Folds one reading y at local hour index t into the state, in place: issues the day-ahead
 * forecast at the first reading of a new day, checks the reading against the range as it stood
 * before it (a flag only once established), then learns from it — a flagged reading winsorised
 * at the range's edge, a run of them on one side as a shift (learnReading).
 *
 * @example
 * const { anomaly, estimate } = baselineStep(state, t, 912, 0.98, new Date().toISOString());
 */
export function baselineStep(s: BaselineState, t: number, y: number, anomalyLevel: number, updatedAt: string | null): { anomaly: AnomalyVerdict | null; estimate: Estimate } {
  prepare(s, t);
  const verdict = checkReading(s, t, y, updatedAt, anomalyLevel);
  // While a shift is re-learnt (the estimate "learning", reason "shift") the verdict still steers
  // the learning — a flagged reading ends the shift, a run back is a shift back — but raises no flag:
  // the range then rests on the run's mean alone.
  const relearning = !!s.adoptedShift;
  absorb(s, t, y, verdict);
  return { anomaly: verdict.anomaly && !relearning ? verdict : null, estimate: baselineEstimate(s, t, updatedAt) };
}

/**
 * A stored baseline: the model's state and, while the subject's time zone is unknown and the
 * baseline has learned nothing yet, the readings held as [minute since 1970, value] until a zone is
 * known — so that the hour profile is learned in the subject's local hours, as send time holds its
 * engagement (send-time-model.ts). Held for at most {@link MAX_UNZONED} readings spanning less than
 * `minDays` − 1 days (earliest to latest, late readings included): until then the baseline could
 * not be established, so no flag is lost by waiting, and a subject whose zone never comes is
 * learned by UTC hour after that, as before.
 */
export type StoredBaseline = BaselineState & { unzoned?: [number, number][] };

/** Readings held at most while the zone is unknown (a stream of more than about 80 readings a day reaches it before the day limit). */
export const MAX_UNZONED = 500;

const MINUTE = 60_000;

/** The held readings learned in `timeZone` (UTC without one), oldest first, in place; none held after. */
function foldHeld(s: StoredBaseline, timeZone: string | null | undefined): void {
  const held = s.unzoned;
  delete s.unzoned;
  if (!held) return;
  for (const [m, y] of [...held].sort((a, b) => a[0] - b[0])) {
    const t = localHour(m * MINUTE, timeZone);
    prepare(s, t);
    absorb(s, t, y);
  }
}

/**
 * The state with its held readings learned in `timeZone` (a copy; the state itself when nothing is
 * held): what a reading of the baseline now uses.
 *
 * @example
 * baselineEstimate(withHeld(state, profile.timezone), t, updatedAt);
 */
export function withHeld(s: StoredBaseline, timeZone: string | null | undefined): BaselineState {
  if (!s.unzoned?.length) return s;
  const copy = structuredClone(s);
  foldHeld(copy, timeZone);
  return copy;
}

/**
 * Learning for sure while readings are held (too few days to be established): the range of the held
 * readings, the population rung a baseline shows while it learns — not a replay of them all.
 */
function heldEstimate(s: StoredBaseline, held: [number, number][], at: number, updatedAt: string | null): Estimate {
  const values = held.map((x) => x[1]);
  return baselineEstimate({ ...s, population: { values, cap: s.population.cap } }, localHour(at, null), updatedAt);
}

/**
 * Folds one reading at instant `at` (ms) for a subject in `timeZone`, in place: with a zone, the
 * readings held so far first (each at its own instant's offset), then this one at its local hour
 * ({@link baselineStep}). Without a zone, while the baseline has learned nothing yet and the held
 * readings span less than `minDays` − 1 days (and number under {@link MAX_UNZONED}), the reading is
 * held ({@link StoredBaseline}); past that, they and it are learned by UTC hour. A reading beyond
 * ±MAX_READING is never held (nor learned; counted nowhere).
 *
 * @example
 * const { anomaly, estimate } = foldReading(state, e.message.timestamp, 312, profile.timezone, 0.98, new Date().toISOString());
 */
export function foldReading(s: StoredBaseline, at: number, y: number, timeZone: string | null | undefined, anomalyLevel: number, updatedAt: string | null): { anomaly: AnomalyVerdict | null; estimate: Estimate } {
  const minute = Math.floor(at / MINUTE);
  if (!timeZone && s.readings === 0) {
    // A reading the baseline would not learn (beyond ±MAX_READING) is not held either: held, it was
    // counted in `detail.readings` but in no evidence, and it could not be flagged while learning.
    if (!(Math.abs(y) <= MAX_READING)) return { anomaly: null, estimate: heldEstimate(s, s.unzoned ?? [], at, updatedAt) };
    const held = s.unzoned ?? [];
    // The span with this reading, from the earliest to the latest: a late reading (before the first
    // held) widens it too, so what is held always spans less than `minDays` − 1 days.
    let first = minute;
    let last = minute;
    for (const [m] of held) {
      first = Math.min(first, m);
      last = Math.max(last, m);
    }
    if (held.length < MAX_UNZONED && last - first < (s.config.minDays - 1) * 24 * 60) {
      s.unzoned = [...held, [minute, y]];
      return { anomaly: null, estimate: heldEstimate(s, s.unzoned, at, updatedAt) };
    }
  }
  foldHeld(s, timeZone);
  return baselineStep(s, localHour(at, timeZone), y, anomalyLevel, updatedAt);
}
