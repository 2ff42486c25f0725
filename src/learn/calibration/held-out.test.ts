import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { beta as betaDraw } from '../math/samplers.js';
import { type HeldOutPoint, heldOutReport } from './held-out.js';

/**
 * 500 subjects whose true rates are drawn from Beta(2, 8), 40 exposures each, every exposure
 * predicted before its outcome is drawn. The `true` model is the exact posterior under that prior,
 * Beta(2 + s, 8 + n − s): calibrated, and its posterior-predictive intervals cover at least their
 * level (Cook, Gelman & Rubin 2006: posterior quantiles are uniform under the true model;
 * discreteness makes equal-tailed count intervals conservative). `pooled` gives everyone the
 * population rate with certainty — calibrated on average, over-confident for each subject;
 * `triple` triples the odds.
 */
function simulate(mode: 'true' | 'pooled' | 'triple'): HeldOutPoint[] {
  const rng = new Rng(5);
  const points: HeldOutPoint[] = [];
  for (let i = 0; i < 500; i++) {
    const p = betaDraw(rng, 2, 8);
    let s = 0;
    for (let n = 0; n < 40; n++) {
      const y = rng.float() < p ? 1 : 0;
      const [alpha, beta] = mode === 'true' ? [2 + s, 8 + n - s] : mode === 'pooled' ? [2000, 8000] : [3 * (2 + s), 8 + n - s];
      points.push({ subjectId: `s${i}`, seq: n, alpha, beta, outcome: y });
      s += y;
    }
  }
  return points;
}

describe('held-out calibration of a rate model', () => {
  it('ECE by hand on two bins: |0.2 − 0.5|·½ + |0.8 − 1|·½ = 0.25 (Naeini et al. 2015 definition)', () => {
    const pts: HeldOutPoint[] = [
      { subjectId: 'a', seq: 1, alpha: 1, beta: 4, outcome: 0 },
      { subjectId: 'a', seq: 2, alpha: 1, beta: 4, outcome: 1 },
      { subjectId: 'b', seq: 1, alpha: 4, beta: 1, outcome: 1 },
      { subjectId: 'b', seq: 2, alpha: 4, beta: 1, outcome: 1 },
    ];
    const r = heldOutReport(pts, { bins: 2 });
    expect(r.ece).toBeCloseTo(0.25, 12);
    expect(r.coverage.subjects).toBe(2);
  });

  it('the true model: ECE small and its 90% intervals cover at least 90% of subjects', () => {
    const r = heldOutReport(simulate('true'));
    expect(r.n).toBe(20_000);
    expect(r.ece).toBeLessThan(0.015);
    expect(r.coverage.coverage!).toBeGreaterThanOrEqual(0.9);
  });

  it('complete pooling has a small ECE but its intervals are too narrow: coverage catches what ECE cannot', () => {
    const r = heldOutReport(simulate('pooled'));
    expect(r.ece).toBeLessThan(0.015);
    expect(r.coverage.coverage!).toBeLessThan(0.85);
  });

  it('tripled odds show a large ECE and lose coverage', () => {
    const r = heldOutReport(simulate('triple'));
    expect(r.ece).toBeGreaterThan(0.1);
    expect(r.coverage.coverage!).toBeLessThan(0.6);
  });
});
