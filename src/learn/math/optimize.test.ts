import { describe, expect, it } from 'vitest';
import { goldenSectionMax } from './optimize.js';

describe('golden-section search', () => {
  it('finds the maximiser of a unimodal function within its tolerance, at either end of the bracket too', () => {
    // −(x − 2)² has its maximum at x = 2 (analytic).
    expect(goldenSectionMax((x) => -((x - 2) ** 2), 0, 5, 1e-9, 200)).toBeCloseTo(2, 8);
    // ln x − x is maximal at x = 1 (derivative 1/x − 1 = 0). Near a smooth maximum of −1, values
    // within ≈ √ε ≈ 1e-8 of it are equal in floating point: that, not the tolerance, bounds the answer.
    expect(goldenSectionMax((x) => Math.log(x) - x, 0.01, 10, 1e-9, 200)).toBeCloseTo(1, 6);
    // Increasing on the whole bracket: the search closes in on its upper end.
    expect(goldenSectionMax((x) => x, 0, 1, 1e-9, 200)).toBeCloseTo(1, 8);
  });

  it('stops after maxIter steps with the midpoint of the bracket left', () => {
    // One step on [0, 1] for a maximum at 0.9: the bracket becomes [0.382, 1], midpoint 0.691.
    const phi = (Math.sqrt(5) - 1) / 2;
    expect(goldenSectionMax((x) => -((x - 0.9) ** 2), 0, 1, 1e-12, 1)).toBeCloseTo((1 - phi + 1) / 2, 12);
  });
});
