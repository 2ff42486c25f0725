import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
import { poolFromSubjects } from '../../learn/baselines/population.js';
import { baselineNow } from './baseline-reader.js';
import { baselineStep, newBaselineState, readingOf } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

const [metric] = metricsKind.compile([{ name: 'spend', event: 'Order Completed', property: 'order.total' }]);
const msg = (properties: Record<string, unknown>, event = 'Order Completed') => ({ type: 'track', event, properties } as unknown as Message);

describe('baseline step', () => {
  it('reads the first finite number at the property path (numeric strings too)', () => {
    expect(readingOf(msg({ order: { total: '42.5' } }), metric)).toBe(42.5);
    expect(readingOf(msg({ order: { total: 'n/a' } }), metric)).toBeUndefined();
    expect(readingOf(msg({ order: { total: 3 } }, 'Other'), metric)).toBeUndefined();
  });

  it('issues the day-ahead forecast at the first reading of a new day, and never flags while learning', () => {
    const s = newBaselineState(metric);
    expect(s.population.cap).toBe(500);
    expect(baselineStep(s, 24 * 100 + 9, 40, 0.98, 'now').anomaly).toBeNull();
    expect(s.issued).toBeNull();
    const r = baselineStep(s, 24 * 101 + 9, 10_000, 0.98, 'now');
    expect(s.issued?.day).toBe(101);
    expect(r.anomaly).toBeNull();
    expect(r.estimate.status).toBe('learning');
    expect(s.readings).toBe(2);
  });

  it('while learning, shows the population\'s range with a value inside it', () => {
    // Everyone else's sessions: 280, 281, …, 320 s (twice); this subject's first five: about 600 s.
    const others = Array.from({ length: 82 }, (_, i) => 280 + (i % 41));
    const pool = { pool: poolFromSubjects([others]), modelVersion: 'baselines@1' };
    const s = newBaselineState(metric);
    for (let d = 0; d < 5; d++) baselineStep(s, 24 * (200 + d) + 20, 598 + d, 0.98, 'now');
    const row = { subjectId: 'p', model: 'baseline', key: 'spend', estimate: null, state: s, modelVersion: 'baseline@1', seq: 5, updatedAt: 0 };
    const e = baselineNow(row, metric, 'UTC', (24 * 205 + 9) * 3_600_000, pool);
    expect(e).toMatchObject({ source: 'population', status: 'learning', evidence: 5 });
    expect(Number.isFinite(e.low) && Number.isFinite(e.high)).toBe(true);
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.value).toBeLessThanOrEqual(e.high);
  });
});
