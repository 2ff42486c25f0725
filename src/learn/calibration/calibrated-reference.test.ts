import { describe, expect, it } from 'vitest';
import { calibratedReference } from './calibrated-reference.js';

describe('the ECE a perfectly calibrated model would show', () => {
  // One prediction 0.5 repeated n times is one bin (equal predictions share a bin), so ECE = |ȳ − 0.5|
  // and its expectation under calibration is de Moivre's mean absolute deviation of the binomial:
  // E|S − n/2| = (n/2)·C(n, n/2)/2ⁿ (Diaconis & Zabell, "Closed form summation for classical
  // distributions", Statistical Science 6 (1991) 284–302). n = 100: 50·C(100, 50)/2¹⁰⁰ / 100 = 0.039795.
  it('matches de Moivre\'s mean absolute deviation of the binomial, and shows the upward bias of ECE on few predictions', () => {
    const small = calibratedReference(new Float64Array(100).fill(0.5));
    expect(small.simulations).toBe(1000);
    expect(Math.abs(small.ece.mean - 0.039795)).toBeLessThan(0.003); // Monte Carlo SE 0.001
    expect(small.mce.mean).toBe(small.ece.mean); // one bin
    // 10,000 predictions: E|ȳ − ½| ≈ ½·√(2/(πn)) = 0.003989 — ten times less for a hundred times more.
    const large = calibratedReference(new Float64Array(10_000).fill(0.5));
    expect(Math.abs(large.ece.mean - 0.003989)).toBeLessThan(0.0003);
    expect(large.ece.low).toBeLessThan(large.ece.mean);
    expect(large.ece.high).toBeGreaterThan(large.ece.mean);
  });

  it('is seeded: the same predictions give the same reference', () => {
    const p = Float64Array.from({ length: 300 }, (_, i) => 0.01 + (i % 30) / 100);
    expect(calibratedReference(p)).toEqual(calibratedReference(p));
  });

  it('with no predictions has none (NaN, null in JSON)', () => {
    const r = calibratedReference([]);
    expect(r.simulations).toBe(0);
    expect(r.ece.mean).toBeNaN();
  });
});
