import { describe, expect, it } from 'vitest';
import { fitLogistic, logLoss, predictLogistic, type SparseRow } from './logistic.js';
import { fitSmoothedMeans, predictSmoothed } from './smoothed-means.js';
import { createRng } from '../stats/prng.js';

// Reference: scipy 1.17.1 scipy.optimize.minimize (BFGS, gtol 1e-12) on the same penalised
// log-likelihood (l2 = 1 on the two slopes, free intercept): w = [-0.25194547, 1.5687304, -0.09354014].
describe('ridge logistic regression', () => {
  const X = [
    [0.5, 0], [-1.2, 1], [0.3, 1], [2.0, 0], [-0.7, 0], [1.1, 1],
    [-0.2, 1], [0.9, 0], [-1.5, 0], [0.0, 1], [1.7, 1], [-0.4, 0],
  ];
  const y = [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0];
  const rows: SparseRow[] = X.map(([a, b]) => ({ idx: [0, 1, 2], val: [1, a, b] }));

  it('reaches the optimum scipy finds', () => {
    const w = fitLogistic(rows, y, 3, { l2: 1 });
    expect(w[0]).toBeCloseTo(-0.25194547, 6);
    expect(w[1]).toBeCloseTo(1.5687304, 6);
    expect(w[2]).toBeCloseTo(-0.09354014, 6);
  });
  it('log-loss: predicting 0.5 everywhere costs ln 2', () => {
    expect(logLoss(y, y.map(() => 0.5))).toBeCloseTo(Math.log(2), 12);
    expect(logLoss([1, 0], [0.9, 0.2])).toBeCloseTo(0.164252033486018, 12);
    expect(predictLogistic([0], { idx: [0], val: [1] })).toBe(0.5);
  });
});

describe('smoothed means (method-of-moments shrinkage)', () => {
  it('pools completely when the cells do not differ beyond noise', () => {
    const m = fitSmoothedMeans([1, 0, 1, 0, 1, 0, 1, 0], [0, 0, 1, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0], 2, 1);
    expect(predictSmoothed(m, 0, 0)).toBeCloseTo(0.5, 12);
    expect(predictSmoothed(m, 1, 0)).toBeCloseTo(0.5, 12);
  });
  it('keeps well-evidenced differences and shrinks each cell between its raw mean and its parent', () => {
    const rng = createRng(3);
    const rates = [0.01, 0.05, 0.2];
    const n = 30_000;
    const reward: number[] = [];
    const action: number[] = [];
    const group: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = i % 3;
      action.push(a);
      group.push(i % 2);
      reward.push(rng() < rates[a] ? 1 : 0);
    }
    const m = fitSmoothedMeans(reward, action, group, 3, 2);
    for (let a = 0; a < 3; a++) expect(Math.abs(predictSmoothed(m, a, 0) - rates[a])).toBeLessThan(0.01);
    expect(m.actionStrength).toBeLessThan(10);
    // An unseen cell gets its action's shrunk mean.
    const thin = fitSmoothedMeans([1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0], 2, 2);
    expect(predictSmoothed(thin, 0, 1)).toBeGreaterThanOrEqual(0);
    expect(predictSmoothed(thin, 0, 0)).toBeLessThanOrEqual(1 / 3 + 1e-12);
    expect(predictSmoothed(thin, 0, 0)).toBeGreaterThanOrEqual(1 / 6 - 1e-12);
  });
});
