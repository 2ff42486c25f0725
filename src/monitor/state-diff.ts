import type { BucketCounts, MonitorKey } from '../measure/monitors/counters.js';
import type { MonitorState } from '../measure/monitors/monitor.js';

/** One stored counter bucket of a key. */
export interface BucketRow {
  key: MonitorKey;
  start: number;
  counts: BucketCounts;
}

/** What a step changed in the counters: buckets to write, buckets to delete. */
export interface StateDiff {
  upsert: BucketRow[];
  remove: { keyId: string; start: number }[];
}

const same = (a: BucketCounts, b: BucketCounts) =>
  a.exposures === b.exposures && a.responses === b.responses && a.negatives === b.negatives && a.predicted === b.predicted && a.predictedSq === b.predictedSq && a.predictedExposures === b.predictedExposures;

/**
 * The buckets that differ between two states — so a step writes the few buckets it touched (the
 * current ones, an hour compacted, a bucket aged out) instead of the whole state. Buckets the step
 * did not touch are the same objects and are skipped without comparing their counts.
 *
 * @example
 * const { upsert, remove } = stateDiff(before, after); // upsert: the buckets this step's events landed in
 */
export function stateDiff(prev: MonitorState, next: MonitorState): StateDiff {
  const upsert: BucketRow[] = [];
  const remove: StateDiff['remove'] = [];
  for (const [id, s] of Object.entries(next.series)) {
    const before = prev.series[id]?.buckets ?? {};
    for (const [start, c] of Object.entries(s.buckets)) {
      const b = before[start];
      if (b !== c && !(b && same(b, c))) upsert.push({ key: s.key, start: Number(start), counts: c });
    }
    for (const start of Object.keys(before)) if (!(start in s.buckets)) remove.push({ keyId: id, start: Number(start) });
  }
  for (const [id, s] of Object.entries(prev.series)) {
    if (next.series[id]) continue;
    for (const start of Object.keys(s.buckets)) remove.push({ keyId: id, start: Number(start) });
  }
  return { upsert, remove };
}

/**
 * A state from its stored buckets and tracks.
 * @example stateFromRows(rows, tracks).series['promo|email|all'].buckets
 */
export function stateFromRows(rows: readonly BucketRow[], tracks: MonitorState['tracks']): MonitorState {
  const series: MonitorState['series'] = {};
  for (const r of rows) {
    const id = `${r.key.action}|${r.key.placement}|${r.key.segment}`;
    (series[id] ??= { key: r.key, buckets: {} }).buckets[String(r.start)] = r.counts;
  }
  return { series, tracks };
}
