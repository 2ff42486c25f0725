import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
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
});
