import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../measure/monitors/counters.js';
import { DEFAULT_MONITOR_CONFIG, initialMonitorState, monitorStep } from '../measure/monitors/monitor.js';
import { createRng } from '../measure/stats/prng.js';
import { EVENTS_PER_YIELD, stepInChunks } from './chunked-step.js';
import { monitorsKind } from './monitors-kind.js';
import { compactState } from './compact.js';
import { stateDiff } from './state-diff.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const keys = ['a', 'b', 'c', 'd', 'e'].flatMap((action) => ['vip', 'all'].map((segment) => ({ action, placement: 'email', segment })));

function traffic(seed: number, from: number, hours: number, spike: (k: (typeof keys)[number]) => boolean): MonitorEvent[] {
  const rng = createRng(seed);
  const out: MonitorEvent[] = [];
  for (const k of keys) {
    for (let i = 0; i < 150 * hours; i++) {
      const at = from + Math.floor(rng() * hours * HOUR);
      out.push({ ...k, at, type: 'exposure' });
      if (rng() < (spike(k) ? 0.06 : 0.003)) out.push({ ...k, at, type: 'negative' });
    }
  }
  return out;
}

describe('stepInChunks', () => {
  it('is the whole-state step, a few keys at a time', async () => {
    const end = T0 + 7 * 24 * HOUR;
    const base = traffic(1, T0, 7 * 24, () => false);
    const whole0 = compactState(monitorStep(initialMonitorState(), base, end).state, end - HOUR, DEFAULT_MONITOR_CONFIG.bucketMs);
    const chunked0 = (await stepInChunks(initialMonitorState(), base, end, DEFAULT_MONITOR_CONFIG, 3)).state;
    expect(chunked0).toEqual(whole0);
    const spike = traffic(2, end, 1, (k) => k.action === 'c');
    const whole = monitorStep(whole0, spike, end + HOUR);
    const chunked = await stepInChunks(chunked0, spike, end + HOUR, DEFAULT_MONITOR_CONFIG, 3);
    expect(chunked.alerts.map((a) => `${a.key.action}/${a.key.segment}/${a.metric}`).sort()).toEqual(['c/all/negative-rate', 'c/vip/negative-rate']);
    expect(chunked.alerts).toEqual(expect.arrayContaining(whole.alerts));
    expect(chunked.alerts).toHaveLength(whole.alerts.length);
    expect(chunked.state).toEqual(compactState(whole.state, end, DEFAULT_MONITOR_CONFIG.bucketMs));
    expect(chunked.diff).toEqual(stateDiff(chunked0, chunked.state));
  });

  it('yields to the event loop while it groups the events, before the first chunk', async () => {
    // One key: one chunk, so any turn of the loop that runs before the step ends ran during the grouping.
    const events = Array.from({ length: 4 * EVENTS_PER_YIELD }, (_, i): MonitorEvent => ({ ...keys[0], at: T0 + i, type: 'exposure' }));
    let turns = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const r = await stepInChunks(initialMonitorState(), events, T0 + HOUR, DEFAULT_MONITOR_CONFIG);
    running = false;
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(r.state).toEqual(compactState(monitorStep(initialMonitorState(), events, T0 + HOUR).state, T0, DEFAULT_MONITOR_CONFIG.bucketMs));
  });

  it('steady traffic against a short baseline raises no volume alert when an hour of it is merged', async () => {
    // One exposure every 3.6 s (1,000 an hour); steps every minute; a two-hour baseline, whose
    // oldest hour is a merged bucket by the time it reaches the baseline's start.
    const config = monitorsKind.compile({ bucket: '5m', currentWindow: '1h', baselineWindow: '2h', cooldown: '1m', metrics: ['volume'] }).config;
    let state = initialMonitorState();
    let last = T0;
    const alerts: string[] = [];
    const stepTo = async (now: number, gapMs: number) => {
      const events: MonitorEvent[] = [];
      for (; last < now; last += gapMs) events.push({ at: last, type: 'exposure', action: 'a', placement: 'email', segment: 'all' });
      const r = await stepInChunks(state, events, now, config);
      state = r.state;
      for (const a of r.alerts) alerts.push(`${new Date(now).toISOString().slice(11, 16)} ${a.status} ${a.direction} ${a.observed} vs ${a.expected.center.toFixed(0)}`);
    };
    for (let now = T0 + 60_000; now <= T0 + 8 * HOUR; now += 60_000) await stepTo(now, 3_600);
    expect(alerts).toEqual([]);
    // The same checks do see a real surge: three times the traffic for an hour.
    for (let now = T0 + 8 * HOUR + 60_000; now <= T0 + 9 * HOUR; now += 60_000) await stepTo(now, 1_200);
    expect(alerts.map((a) => a.split(' ').slice(1, 3).join(' '))).toEqual(['firing high']);
  });
});

describe('stepInChunks with keys nothing watches', () => {
  it('counts the events of an unwatched key but neither fires nor resolves its alerts', async () => {
    const end = T0 + 7 * 24 * HOUR;
    const base = traffic(1, T0, 7 * 24, () => false);
    const state = (await stepInChunks(initialMonitorState(), base, end, DEFAULT_MONITOR_CONFIG, 3)).state;
    const spike = traffic(2, end, 1, (k) => k.action === 'c');
    const notC = (id: string) => !id.startsWith('c|');
    const watched = await stepInChunks(state, spike, end + HOUR, DEFAULT_MONITOR_CONFIG, 3, notC);
    // The same spike as above ('c' alerts on both its segments when watched): unwatched, nothing fires.
    expect(watched.alerts).toEqual([]);
    expect(watched.state.series).toEqual((await stepInChunks(state, spike, end + HOUR, DEFAULT_MONITOR_CONFIG, 3)).state.series);
    // An alert already open on the unwatched key is left as it is (closeRemoved closes it, with the reason).
    const active = { active: true, direction: 'high' as const, firedAt: end, lastFiredAt: end };
    const r = await stepInChunks({ ...state, tracks: { 'c|email|all#negative-rate': active } }, [], end + 2 * HOUR, DEFAULT_MONITOR_CONFIG, 3, notC);
    expect(r.state.tracks['c|email|all#negative-rate']).toEqual(active);
  });
});
