import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../measure/monitors/counters.js';
import { DEFAULT_MONITOR_CONFIG, initialMonitorState, monitorStep } from '../measure/monitors/monitor.js';
import { createRng } from '../measure/stats/prng.js';
import { stepInChunks } from './chunked-step.js';
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
});
