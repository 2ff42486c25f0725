/**
 * Incident periods: the time an alert of a key and metric was open, from the start of the current
 * window it fired on (what it judged anomalous) to the step it resolved on. Their buckets are kept
 * out of that metric's later baselines, as a control chart's revised limits leave out the samples
 * of an assignable cause (Montgomery, Introduction to Statistical Quality Control, "trial control
 * limits" of Phase I): a spike left in the baseline inflated the expected level and its spread, and
 * the normal level after it read "low".
 */
import { addCounts, type BucketCounts, emptyCounts, type SeriesState } from './counters.js';

/** Buckets whose start lies in [from, to) (bucket-aligned ms); `to` is Infinity while the alert is open. */
export interface IncidentPeriod {
  from: number;
  to: number;
}

/**
 * Whether a bucket starting at `t` lies in one of the periods.
 * @example inIncident(600_000, [{ from: 0, to: 900_000 }]) // true
 */
export function inIncident(t: number, periods: readonly IncidentPeriod[]): boolean {
  for (const p of periods) if (t >= p.from && t < p.to) return true;
  return false;
}

/**
 * The periods with one more appended, merged with the last when they overlap or touch (a relapse
 * reopened within a window of the resolution), and without those ended before `keepFrom`.
 * @example addIncident([{ from: 0, to: 60 }], { from: 50, to: 90 }, 0) // [{ from: 0, to: 90 }]
 */
export function addIncident(periods: readonly IncidentPeriod[], p: IncidentPeriod, keepFrom: number): IncidentPeriod[] {
  const out = periods.filter((x) => x.to > keepFrom).map((x) => ({ ...x }));
  const last = out[out.length - 1];
  if (last && p.from <= last.to) {
    last.from = Math.min(last.from, p.from);
    last.to = Math.max(last.to, p.to);
  } else out.push({ ...p });
  return out;
}

/**
 * A metric's baseline with its incident periods left out: the counts of the buckets in
 * [baseFrom, curFrom) outside every period, and the span of history they cover (`spanFrom` is where
 * the key's history in the baseline starts).
 * @example cleanBaseline(series, baseStart, curStart, Math.max(baseStart, first), [{ from, to }])
 */
export function cleanBaseline(s: SeriesState, baseFrom: number, curFrom: number, spanFrom: number, periods: readonly IncidentPeriod[]): { counts: BucketCounts; spanMs: number } {
  const counts = emptyCounts();
  for (const start in s.buckets) {
    const t = Number(start);
    if (t >= baseFrom && t < curFrom && !inIncident(t, periods)) addCounts(counts, s.buckets[start]);
  }
  let left = Math.max(0, curFrom - spanFrom);
  for (const p of periods) left -= Math.max(0, Math.min(p.to, curFrom) - Math.max(p.from, spanFrom));
  return { counts, spanMs: Math.max(0, left) };
}
