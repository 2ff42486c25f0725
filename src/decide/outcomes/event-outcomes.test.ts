import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../collect/log-consumers.js';
import type { CompiledPolicy } from '../policy-compile.js';
import { outcomesFromEvents } from './event-outcomes.js';

const policy = { outcomeEvents: new Map([['Order Completed', { type: 'conversion', valuePath: ['revenue'] }]]) } as unknown as CompiledPolicy;
const order = (revenue: unknown, i: number): LoggedEvent => ({ profileId: 'p1', message: { messageId: `m-${i}`, type: 'track', event: 'Order Completed', properties: { revenue }, context: {}, timestamp: 1, receivedAt: 1 } } as unknown as LoggedEvent);

describe('track events mapped to outcomes', () => {
  it('reads the mapped value, and leaves a value beyond ±1e15 out (null) as POST /v1/outcomes refuses it: sums of 1e308 overflow to Infinity', () => {
    const got = outcomesFromEvents([order(42.5, 1), order('19.90', 2), order(1e308, 3), order(-2e15, 4), order('1e300', 5), order('n/a', 6)], policy, (id) => id);
    expect(got.map((o) => o.value)).toEqual([42.5, 19.9, null, null, null, null]);
    // The outcome itself is kept: a purchase happened, its amount is not believable.
    expect(got.map((o) => o.type)).toEqual(Array(6).fill('conversion'));
  });
});
