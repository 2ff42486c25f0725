import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../measure/monitors/counters.js';
import { DEFAULT_MONITOR_CONFIG, initialMonitorState } from '../measure/monitors/monitor.js';
import { stepInChunks } from './chunked-step.js';
import { stateDiff, stateFromRows } from './state-diff.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const ev = (action: string, at: number, type: MonitorEvent['type'] = 'exposure'): MonitorEvent => ({ action, placement: 'home', segment: 'all', at, type });

/** Applies a diff to a copy of a state, as a store would. */
function apply(s: ReturnType<typeof initialMonitorState>, d: ReturnType<typeof stateDiff>, tracks: typeof s.tracks) {
  const rows = Object.values(s.series).flatMap((x) => Object.entries(x.buckets).map(([start, counts]) => ({ key: x.key, start: Number(start), counts })));
  const gone = new Set(d.remove.map((r) => `${r.keyId}@${r.start}`));
  const kept = rows.filter((r) => !gone.has(`${r.key.action}|${r.key.placement}|${r.key.segment}@${r.start}`));
  const map = new Map(kept.map((r) => [`${r.key.action}|${r.key.placement}|${r.key.segment}@${r.start}`, r]));
  for (const u of d.upsert) map.set(`${u.key.action}|${u.key.placement}|${u.key.segment}@${u.start}`, u);
  return stateFromRows([...map.values()], tracks);
}

describe('stateDiff', () => {
  it('writes only the buckets a step touched; applied to the old state it gives the new one', async () => {
    const cfg = { ...DEFAULT_MONITOR_CONFIG, baselineWindowMs: 3 * HOUR };
    const events = ['a', 'b', 'c'].flatMap((a) => Array.from({ length: 60 }, (_, i) => ev(a, T0 + i * 4 * 60_000)));
    let state = (await stepInChunks(initialMonitorState(), events, T0 + 4 * HOUR, cfg)).state;
    // one new exposure of "a": one bucket written; removed only buckets that start before the baseline
    const now = T0 + 4 * HOUR + 2000;
    const next = (await stepInChunks(state, [ev('a', T0 + 4 * HOUR + 1000)], now, cfg)).state;
    const d = stateDiff(state, next);
    expect(d.upsert.map((u) => [u.key.action, u.start, u.counts.exposures])).toEqual([['a', T0 + 4 * HOUR, 1]]);
    expect(d.remove.filter((r) => r.start >= now - cfg.currentWindowMs - cfg.baselineWindowMs)).toEqual([]);
    expect(apply(state, d, next.tracks)).toEqual(next);
    // hours later: old buckets age out or are compacted, and the diff still rebuilds the state exactly
    state = next;
    const later = (await stepInChunks(state, [ev('b', T0 + 6 * HOUR)], T0 + 6 * HOUR + 1000, cfg)).state;
    const d2 = stateDiff(state, later);
    expect(d2.remove.length).toBeGreaterThan(0);
    expect(apply(state, d2, later.tracks)).toEqual(later);
  });
});
