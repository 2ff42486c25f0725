import { describe, expect, it } from 'vitest';
import { pairedDifference } from './paired.js';

describe('paired difference', () => {
  it('is the mean difference ± 1.96 standard errors of the differences', () => {
    // d = [1, 0, 0, 1]: mean 0.5, s.d. √(1/3) = 0.5774, s.e. 0.2887, half-width 0.5658.
    const d = pairedDifference([1, 0, 1, 1], [0, 0, 1, 0]);
    expect(d.n).toBe(4);
    expect(d.mean).toBe(0.5);
    expect(d.low).toBeCloseTo(0.5 - 1.96 * Math.sqrt(1 / 3) / 2, 12);
    expect(d.high).toBeCloseTo(0.5 + 1.96 * Math.sqrt(1 / 3) / 2, 12);
  });

  it('has no bounded interval with fewer than two pairs', () => {
    expect(pairedDifference([3], [1])).toEqual({ n: 1, mean: 2, low: -Infinity, high: Infinity });
    expect(pairedDifference([], []).n).toBe(0);
  });
});
