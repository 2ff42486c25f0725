import { describe, expect, it } from 'vitest';
import { scorePValue, scoreTest } from './score.js';

// The score tests invert Newcombe's method 10 (Stat Med 17 (1998) 873–890): the p-value is the alpha at
// which the interval's limit on the side of 0 is exactly 0, so p < alpha ⟺ 0 is outside the interval.
describe('scoreTest', () => {
  const cases = [[80, 48, 70, 56], [200, 0, 200, 3], [200, 3, 200, 0], [28, 14, 30, 16], [5000, 1, 5000, 12], [10, 0, 10, 10]] as const;

  it.each(cases)('%i/%i → %i/%i: at alpha = p the limit is 0, and p < alpha exactly when 0 is outside the interval', (na, xa, nb, xb) => {
    const a = { n: na, successes: xa };
    const b = { n: nb, successes: xb };
    const p = scorePValue(a, b);
    if (p > 1e-12) {
      const at = scoreTest(a, b, { type: 'absolute', alpha: p })!;
      expect(Math.min(Math.abs(at.ci[0]), Math.abs(at.ci[1]))).toBeLessThan(1e-9);
    }
    for (const alpha of [0.001, 0.01, 0.05, 0.1, 0.2]) {
      for (const type of ['absolute', 'relative'] as const) {
        const r = scoreTest(a, b, { type, alpha });
        if (!r) continue;
        expect(r.pValue).toBe(p);
        expect(r.ci[0] > 0 || r.ci[1] < 0, `${type} at ${alpha}`).toBe(p < alpha);
      }
    }
  });

  it('states the lift over a control with no conversions as null, the difference as an interval', () => {
    expect(scoreTest({ n: 200, successes: 0 }, { n: 200, successes: 3 })).toBeNull();
    expect(scoreTest({ n: 200, successes: 0 }, { n: 200, successes: 3 }, { type: 'absolute' })!.method).toBe('newcombe-wilson');
    expect(scoreTest({ n: 0, successes: 0 }, { n: 200, successes: 3 }, { type: 'absolute' })).toBeNull();
  });

  it('gives p = 1 for equal proportions', () => {
    expect(scorePValue({ n: 10, successes: 0 }, { n: 20, successes: 0 })).toBe(1);
  });
});
