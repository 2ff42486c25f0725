import { addCounts, type BucketCounts, type SeriesState } from '../measure/monitors/counters.js';
import type { IncidentPeriod } from '../measure/monitors/incidents.js';
import { incidentPeriods, type MonitorState } from '../measure/monitors/monitor.js';

/** Baseline buckets are merged to this resolution (or the bucket size, when larger). */
export const COARSE_MS = 3_600_000;

/**
 * Merges, per key, the buckets of each coarse period (an hour) that ended before `before` (the
 * start of the current window) into one bucket, kept under the earliest start among them: a week
 * of 5-minute buckets (2,016 per key) becomes 168 hourly ones plus the last two hours at full
 * resolution. Every count is kept; the current window stays exact, the baseline's start is
 * rounded to the hour, and a key's first bucket (its age) is unchanged. A late event of an old
 * hour lands in its own bucket and is merged at the next step. Buckets inside one of the key's
 * incident periods (an alert's open time, kept out of its metric's later baselines) are merged only
 * with buckets of the same periods, so an hour across an incident's start or end stays two or three
 * buckets and the incident's readings stay apart. Returns a new state (pure).
 *
 * @example
 * const { state } = monitorStep(prev, events, now, config);
 * compactState(state, now - config.currentWindowMs, config.bucketMs);
 */
export function compactState(state: MonitorState, before: number, bucketMs: number): MonitorState {
  const coarse = Math.max(COARSE_MS, bucketMs);
  const series: Record<string, SeriesState> = {};
  const incidents = new Map<string, IncidentPeriod[]>();
  for (const [track, t] of Object.entries(state.tracks)) {
    const periods = incidentPeriods(t);
    if (!periods.length) continue;
    const id = track.slice(0, track.lastIndexOf('#'));
    incidents.set(id, [...(incidents.get(id) ?? []), ...periods]);
  }
  // A key whose every bucket aged out is dropped (its alert tracks stay, for the cool-down).
  for (const [id, s] of Object.entries(state.series)) if (Object.keys(s.buckets).length) series[id] = compactSeries(s, before, coarse, incidents.get(id) ?? []);
  return { series, tracks: state.tracks };
}

function compactSeries(s: SeriesState, before: number, coarse: number, incidents: readonly IncidentPeriod[]): SeriesState {
  const groups = new Map<string, string[]>();
  for (const start of Object.keys(s.buckets)) {
    const t = Number(start);
    const period = Math.floor(t / coarse) * coarse;
    if (period + coarse > before) continue;
    // The incident periods a bucket lies in: buckets merge only with those in the same ones.
    const within = incidents.map((p, i) => (t >= p.from && t < p.to ? i : -1)).filter((i) => i >= 0);
    const group = within.length ? `${period}:${within.join(',')}` : String(period);
    const g = groups.get(group);
    if (g) g.push(start);
    else groups.set(group, [start]);
  }
  let merged = false;
  for (const g of groups.values()) if (g.length > 1) merged = true;
  if (!merged) return s;
  const buckets: Record<string, BucketCounts> = { ...s.buckets };
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const first = g.reduce((a, b) => (Number(b) < Number(a) ? b : a));
    const total = { ...buckets[first] };
    for (const start of g) {
      if (start !== first) addCounts(total, buckets[start]);
      delete buckets[start];
    }
    buckets[first] = total;
  }
  return { key: s.key, buckets };
}
