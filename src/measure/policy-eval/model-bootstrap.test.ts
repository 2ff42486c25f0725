import { describe, expect, it } from 'vitest';
import { refitIntervals } from './model-bootstrap.js';

describe('refitted DM/DR/SNDR intervals', () => {
  it('count the resamples where SNDR is 0/0 (no weighted row in it) instead of dropping them silently', () => {
    // Five rows, two options; only row 0 has a weight. A resample of 5 misses row 0 with probability (4/5)^5 = 0.32768:
    // over 4,000 resamples the share has sd √(0.32768·0.67232/4000) = 0.00742. DM and DR always have a value.
    const rows = {
      n: 5,
      k: 2,
      action: Int32Array.from([0, 1, 1, 0, 1]),
      reward: Float64Array.from([1, 0, 1, 0, 1]),
      weight: Float64Array.from([2, 0, 0, 0, 0]),
      targetDistribution: Float64Array.from([1, 0, 0.5, 0.5, 0.5, 0.5, 1, 0, 0.5, 0.5]),
    };
    const b = refitIntervals(rows, { seed: 3, replicates: 4000 });
    expect(b.dm.dropped).toBe(0);
    expect(b.dr.dropped).toBe(0);
    expect(Math.abs(b.sndr.dropped / 4000 - 0.32768)).toBeLessThan(4 * 0.00742);
  });
});
