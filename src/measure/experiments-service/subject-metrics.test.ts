import { describe, expect, it } from 'vitest';
import type { OutcomeRecord } from '../../decide/records.js';
import { ArmSums, metricSpecs, subjectValues } from './subject-metrics.js';

const o = (id: string, type: string, reward: number, value: number | null = null, credit = 1): OutcomeRecord => ({
  id, at: 0, profileKey: 'p', type, value, decisionId: credit ? 'd' : null, action: null, credit, reward, success: false, source: 'api',
});

describe('subject metrics', () => {
  it("adds an outcome's credited shares back to its whole reward and counts its value once", () => {
    // One conversion of 40 credited half and half to two decisions, one uncredited unsubscribe (−5).
    const v = subjectValues([o('c1', 'conversion', 20, 40, 0.5), o('c1', 'conversion', 20, 40, 0.5), o('u1', 'unsubscribe', -5, null, 0)], ['unsubscribe', 'complaint']);
    expect(v).toEqual({ value: 35, conversion: 1, revenue: 40, unsubscribe: 1, complaint: 0 });
  });

  it('sums per arm, and keeps the pre-period only where it varies', () => {
    const specs = metricSpecs([]);
    const acc = new ArmSums(specs);
    acc.add('a', { value: 2, conversion: 1, revenue: 2 }, { value: 1, conversion: 1, revenue: 1 });
    acc.add('a', { value: 0, conversion: 0, revenue: 0 }, { value: 0, conversion: 0, revenue: 0 });
    acc.add('b', { value: 3, conversion: 1, revenue: 3 }, { value: 0, conversion: 0, revenue: 0 });
    acc.add('b', { value: 1, conversion: 1, revenue: 1 }, { value: 0, conversion: 0, revenue: 0 });
    expect(acc.sums('a', ['a'])).toMatchObject({ value: { n: 2, sum: 2, sumSquares: 4, pre: { sum: 1, sumSquares: 1, sumProducts: 2 } } });
    expect(acc.sums('b', ['a', 'b']).value).toMatchObject({ n: 2, sum: 4, sumSquares: 10, pre: { sum: 0, sumSquares: 0, sumProducts: 0 } });
    // Arm b alone has no pre-period variation: CUPED would divide by zero, so it gets none.
    expect(acc.sums('b', ['b']).conversion).toEqual({ n: 2, sum: 2, sumSquares: 2 });
  });
});
