import { keyId, type MonitorEvent, pruneBuckets } from '../measure/monitors/counters.js';
import { monitorStep, type MonitorAlert, type MonitorConfig, type MonitorState } from '../measure/monitors/monitor.js';
import { compactState } from './compact.js';
import { stateDiff, type StateDiff } from './state-diff.js';

/** Keys checked between two yields to the event loop (a key with a week of history costs about 1 ms: decisions wait at most a few ms). */
export const KEYS_PER_CHUNK = 8;

/**
 * Events grouped by key between two yields: the grouping is one pass over the interval's events
 * before the first chunk (10,000 at 1,000 decisions a second took 1.2–2.5 ms at once on 2026-12-07;
 * ten times the rate would hold decisions up for tens of ms every step).
 */
export const EVENTS_PER_YIELD = 2_000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One monitor step over the whole state, a chunk of keys at a time with a yield to the event loop
 * between chunks, so a large state never holds up decisions for long. Keys are independent, so
 * the result is the step over the whole state; each chunk's baseline is then compacted to hourly
 * buckets ({@link compactState}), and `diff` says which buckets changed (what to write). Keys that
 * `watched` refuses (by key id) are counted but not checked: they neither fire nor resolve alerts.
 *
 * @example
 * const { state, alerts } = await stepInChunks(stored, events, Date.now(), settings.config);
 */
export async function stepInChunks(state: MonitorState, events: readonly MonitorEvent[], now: number, config: MonitorConfig, perChunk = KEYS_PER_CHUNK, watched?: (keyId: string) => boolean): Promise<{ state: MonitorState; alerts: MonitorAlert[]; diff: StateDiff }> {
  const eventsByKey = new Map<string, MonitorEvent[]>();
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && i % EVENTS_PER_YIELD === 0) await yieldToLoop();
    const e = events[i];
    const id = keyId(e);
    const list = eventsByKey.get(id);
    if (list) list.push(e);
    else eventsByKey.set(id, [e]);
  }
  const tracksByKey = new Map<string, string[]>();
  for (const t of Object.keys(state.tracks)) {
    const id = t.slice(0, t.lastIndexOf('#'));
    const list = tracksByKey.get(id);
    if (list) list.push(t);
    else tracksByKey.set(id, [t]);
  }
  const ids = [...new Set([...Object.keys(state.series), ...eventsByKey.keys()])];
  // Buckets that start before the baseline are dropped before the step: an hour merged under its
  // first start would otherwise sit there excluded from the baseline's sum while still dating the
  // key's history back a full baseline window — the expected volume short by up to an hour.
  const baseFrom = now - config.currentWindowMs - config.baselineWindowMs;
  const out: MonitorState = { series: {}, tracks: {} };
  const alerts: MonitorAlert[] = [];
  const diff: StateDiff = { upsert: [], remove: [] };
  // Keys nothing watches (their action or placement out of the catalog) are counted, never checked:
  // no alert fires on them (an action removed would otherwise alert on its own volume dropping to zero).
  const unwatched = { ...config, metrics: [] };
  for (let i = 0; i < ids.length; i += perChunk) {
    if (i > 0) await yieldToLoop();
    const chunk = ids.slice(i, i + perChunk);
    const groups = watched ? [chunk.filter((id) => watched(id)), chunk.filter((id) => !watched(id))] : [chunk];
    for (const [g, group] of groups.entries()) {
      if (!group.length) continue;
      const part: MonitorState = { series: {}, tracks: {} };
      const partEvents: MonitorEvent[] = [];
      for (const id of group) {
        if (state.series[id]) part.series[id] = state.series[id];
        for (const t of tracksByKey.get(id) ?? []) part.tracks[t] = state.tracks[t];
        for (const e of eventsByKey.get(id) ?? []) partEvents.push(e);
      }
      const inBaseline: MonitorState = { series: {}, tracks: part.tracks };
      for (const [id, s] of Object.entries(part.series)) inBaseline.series[id] = pruneBuckets(s, baseFrom);
      const r = monitorStep(inBaseline, partEvents, now, g === 0 ? config : unwatched);
      const compact = compactState(r.state, now - config.currentWindowMs, config.bucketMs);
      Object.assign(out.series, compact.series);
      const d = stateDiff(part, compact);
      for (const u of d.upsert) diff.upsert.push(u);
      for (const r of d.remove) diff.remove.push(r);
      Object.assign(out.tracks, compact.tracks);
      alerts.push(...r.alerts);
    }
  }
  // Tracks of keys whose counters all aged out are kept: their cool-down still applies.
  for (const [t, track] of Object.entries(state.tracks)) if (!(t in out.tracks)) out.tracks[t] = track;
  return { state: out, alerts, diff };
}
