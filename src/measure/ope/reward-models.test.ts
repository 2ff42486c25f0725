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
    // 10,000 rows an action: each keeps at least 99.5% of its own mean's weight (B_a = v_a/(v_a + τ²) ≈ 0.16/10⁴ / 0.01 at most).
    for (let a = 0; a < 3; a++) expect(m.actionShrinkage[a]).toBeLessThan(0.005);
    // An unseen cell gets its action's shrunk mean.
    const thin = fitSmoothedMeans([1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0], 2, 2);
    expect(predictSmoothed(thin, 0, 1)).toBeGreaterThanOrEqual(0);
    expect(predictSmoothed(thin, 0, 0)).toBeLessThanOrEqual(1 / 3 + 1e-12);
    expect(predictSmoothed(thin, 0, 0)).toBeGreaterThanOrEqual(1 / 6 - 1e-12);
  });
});

describe('smoothed means when the options\' reward variances differ (heteroscedastic shrinkage)', () => {
  // The QA case of 2026-12-06 (placement "side" of /tmp/qa/qa-measure/shop.yaml, 1,349 logged decisions):
  // shoes 5% × 60, socks 30% × 12, newsletter 2% × 5, nothing shown earns 0; unsubscribes −5.
  const counts: [number, number][][] = [
    [[60, 69], [-5, 10], [0, 1068]], // shoes: mean 3.566, variance 204
    [[12, 14], [-5, 4], [7, 1], [0, 35]], // socks: 2.870, 32.5
    [[5, 1], [0, 71]], // newsletter: 0.069, 0.35
    [[0, 76]], // nothing: 0, 0
  ];
  const reward: number[] = [];
  const action: number[] = [];
  counts.forEach((rows, a) => rows.forEach(([r, k]) => { for (let i = 0; i < k; i++) { reward.push(r); action.push(a); } }));
  const m = fitSmoothedMeans(reward, action, new Array(reward.length).fill(0), 4, 1);
  const q = [0, 1, 2, 3].map((a) => predictSmoothed(m, a, 0));
  // A candidate that shows nothing 85% of the time and each offer 5% ({"noneScore": 3} at exploration 0.2).
  const dm = 0.05 * (q[0] + q[1] + q[2]) + 0.85 * q[3];

  it('shrinks each option by its own sampling variance, not one pooled variance', () => {
    // Reference: an independent numpy 2.x computation of the same formulas — moderated variance
    // s̃² = (SS + s0²)/n (Smyth 2004, one prior degree of freedom), the method-of-moments τ² with weights n_j
    // (DerSimonian & Kacker 2007): τ² = [Σn(ȳ−m)² − Σs̃²(1 − n/N)] / [N − Σn²/N], q̂ = m + τ²/(s̃²/n + τ²)·(ȳ − m):
    // s0² = 175.3238, τ² = 4.321845, q̂ = the figures below.
    expect(m.actionBetween).toBeCloseTo(4.321845, 5);
    expect(q[0]).toBeCloseTo(3.549390013, 8);
    expect(q[1]).toBeCloseTo(2.906991345, 8);
    expect(q[2]).toBeCloseTo(0.096701736, 8);
    expect(q[3]).toBeCloseTo(0.021972624, 8);
    // One pooled σ² (175.3, set by the shoes) gave every option 57.2 pseudo-counts: nothing 0 → 1.353, newsletter 0.069 → 1.434.
    expect(q[3]).toBeLessThan(0.05);
    expect(q[2]).toBeLessThan(0.15);
  });

  it('puts the direct method near the truth (0.275) and the per-option means (0.325), not at 1.55', () => {
    // Truth from the generator's rates (value function: conversion value, unsubscribe −5, 5% for socks, 1% else):
    // 0.85·(−0.05) + 0.05·(2.95 + 3.35 + 0.05) = 0.275. The pooled-variance fit gave 1.549742 (the QA's python; the same numpy computation of the old formula agrees).
    expect(dm).toBeCloseTo(0.346330886, 8);
    expect(Math.abs(dm - 0.325282)).toBeLessThan(0.03);
  });
});
