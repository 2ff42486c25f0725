import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { intervalCoverage, reliabilityReport } from './reliability.js';

describe('reliability report', () => {
  it('computes ECE by hand: two bins, gaps 0.1 and 0.1 → 0.1', () => {
    const r = reliabilityReport([0.1, 0.9], [0, 1], { bins: 2 });
    expect(r.ece).toBeCloseTo(0.1, 15);
    expect(r.mce).toBeCloseTo(0.1, 15);
    expect(r.brier).toBeCloseTo(0.01, 15);
  });

  it('a calibrated model has a small ECE, a biased one a large ECE', () => {
    const rng = new Rng(1);
    const p = Float64Array.from({ length: 50_000 }, () => rng.float() * 0.6);
    const y = Float64Array.from(p, (v) => (rng.float() < v ? 1 : 0));
    expect(reliabilityReport(p, y).ece).toBeLessThan(0.01);
    const biased = Float64Array.from(p, (v) => Math.min(1, v + 0.1));
    expect(reliabilityReport(biased, y).ece).toBeGreaterThan(0.09);
    expect(reliabilityReport(p, y, { strategy: 'equal-width' }).bins.length).toBeLessThanOrEqual(10);
  });

  it('row weights act as multiplicities', () => {
    const a = reliabilityReport([0.2, 0.2, 0.7], [0, 1, 1], { bins: 2 });
    const b = reliabilityReport([0.2, 0.7], [0, 1], { bins: 2, weights: [1, 1] });
    expect(a.n).toBe(3);
    expect(b.n).toBe(2);
    const w = reliabilityReport([0.2, 0.2, 0.7], [0, 1, 1], { bins: 2, weights: [2, 0, 1] });
    expect(w.n).toBe(3);
    expect(w.observedRate).toBeCloseTo(1 / 3, 15);
  });

  it('keeps equal predictions in one bin: a constant predictor that is right has ECE 0 (bins by quantile edges keep ties together)', () => {
    // Split by position, [1, 1] and [0, 0] would each miss 0.5 by 0.5.
    const r = reliabilityReport([0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0], { bins: 2 });
    expect(r.ece).toBe(0);
    expect(r.bins).toHaveLength(1);
    // Ties end a bin late, never mix two predictions' bins: [0.1, 0.1, 0.1] | [0.9].
    const t = reliabilityReport([0.1, 0.1, 0.1, 0.9], [0, 0, 1, 1], { bins: 2 });
    expect(t.bins.map((b) => b.count)).toEqual([3, 1]);
    expect(t.ece).toBeCloseTo(0.75 * (1 / 3 - 0.1) + 0.25 * 0.1, 12);
  });

  it('with nothing to report gives no ECE or MCE (NaN, like Brier), not a perfect 0', () => {
    const r = reliabilityReport([], []);
    expect(r.n).toBe(0);
    expect(r.ece).toBeNaN();
    expect(r.mce).toBeNaN();
    expect(r.brier).toBeNaN();
  });

  it('interval coverage counts truths inside', () => {
    expect(intervalCoverage([0, 0], [1, 1], [0.5, 2])).toEqual({ coverage: 0.5, n: 2, meanWidth: 1 });
  });
});
