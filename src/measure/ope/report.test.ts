import { describe, expect, it } from 'vitest';
import { opeReport } from './report.js';
import { createRng, type Rng } from '../stats/prng.js';
import type { LoggedFeedback } from './types.js';

/**
 * A seeded contextual bandit with a known answer: 4 actions, 2 contexts, Bernoulli rewards.
 * Logger: uniform. Candidate: prefers action (context + 1) with probability 0.7.
 */
const K = 4;
const CTR = [
  [0.02, 0.05, 0.01, 0.03],
  [0.04, 0.01, 0.06, 0.02],
];
const target = (x: number) => Array.from({ length: K }, (_, a) => (a === x + 1 ? 0.7 : 0.1));
const TRUE_VALUE = [0, 1].reduce((s, x) => s + 0.5 * target(x).reduce((v, p, a) => v + p * CTR[x][a], 0), 0);

function simulate(rng: Rng, n: number, modelNoise = 0): LoggedFeedback {
  const reward = new Float64Array(n);
  const loggedPropensity = new Float64Array(n).fill(1 / K);
  const targetProbability = new Float64Array(n);
  const action = new Int32Array(n);
  const targetDistribution = new Float64Array(n * K);
  const rewardPrediction = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const x = rng() < 0.5 ? 0 : 1;
    const a = Math.floor(rng() * K);
    action[i] = a;
    reward[i] = rng() < CTR[x][a] ? 1 : 0;
    const pi = target(x);
    targetProbability[i] = pi[a];
    for (let b = 0; b < K; b++) {
      targetDistribution[i * K + b] = pi[b];
      rewardPrediction[i * K + b] = CTR[x][b] + modelNoise;
    }
  }
  return { reward, loggedPropensity, targetProbability, nActions: K, action, targetDistribution, rewardPrediction };
}

describe('opeReport on simulated logs with a known value', () => {
  it('every estimator is near the truth and DR beats IPS in spread with a good reward model', () => {
    const r = opeReport(simulate(createRng(1), 20_000), { seed: 3, replicates: 300 });
    expect(r.blocked).toBe(false);
    for (const k of ['ips', 'snips', 'dm', 'dr', 'sndr'] as const) {
      const e = r.estimates[k]!;
      expect(Math.abs(e.value - TRUE_VALUE)).toBeLessThan(3 * e.sd + 1e-4);
    }
    expect(r.estimates.dr!.sd).toBeLessThan(r.estimates.ips!.sd);
    expect(r.diagnostics.effectiveSampleSize).toBeGreaterThan(5000);
  });

  it('the 95% bootstrap interval of SNIPS covers the truth in about 95% of 120 seeded replications', () => {
    const rng = createRng(99);
    let covered = 0;
    for (let s = 0; s < 120; s++) {
      const e = opeReport(simulate(rng, 3000), { seed: s, replicates: 200, estimators: ['snips'] }).estimates.snips!;
      if (e.ci[0] <= TRUE_VALUE && TRUE_VALUE <= e.ci[1]) covered++;
    }
    expect(covered / 120).toBeGreaterThan(0.86);
    expect(covered / 120).toBeLessThanOrEqual(1);
  });

  it('keeps 95% coverage on a small log (300 decisions, ~9 rewards): BCa, where the percentile interval covered 91%', () => {
    // The percentile interval of a skewed statistic (a few rare rewards times weights) is first-order
    // accurate only; BCa (Efron, JASA 82 (1987) 171–185; Efron & Tibshirani, An Introduction to the
    // Bootstrap (1993), §14.3) corrects the bias and skewness. 400 seeded replications (Monte Carlo sd
    // √(0.95·0.05/400) = 0.011): the percentile interval covered the truth 90.75% (IPS), 91.75% (SNIPS),
    // 91.5% (DR) of the time here; BCa 95.0%, 94.75%, 94.5%.
    const rng = createRng(99);
    const covered = { ips: 0, snips: 0, dr: 0 };
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const d = simulate(rng, 300, 0.01);
      const r = opeReport(d, { seed: s, replicates: 1000, estimators: ['ips', 'snips', 'dr'] });
      for (const k of ['ips', 'snips', 'dr'] as const) {
        const e = r.estimates[k]!;
        if (e.ci[0] <= TRUE_VALUE && TRUE_VALUE <= e.ci[1]) covered[k]++;
      }
    }
    for (const k of ['ips', 'snips', 'dr'] as const) expect(covered[k] / runs, k).toBeGreaterThanOrEqual(0.93);
    // 400 reports of 1,000 resamples: 6 s alone, 31 s beside the suite's other files on a slow host.
  }, 120_000);

  it('DR stays unbiased when the reward model is biased; DM does not', () => {
    const r = opeReport(simulate(createRng(5), 40_000, 0.02), { seed: 1, replicates: 200 });
    expect(Math.abs(r.estimates.dm!.value - TRUE_VALUE)).toBeCloseTo(0.02, 3);
    expect(Math.abs(r.estimates.dr!.value - TRUE_VALUE)).toBeLessThan(3 * r.estimates.dr!.sd);
  });

  it('is reproducible from its seed', () => {
    const d = simulate(createRng(8), 2000);
    expect(opeReport(d, { seed: 4, replicates: 100 }).estimates).toEqual(opeReport(d, { seed: 4, replicates: 100 }).estimates);
  });
});

describe('warnings instead of numbers', () => {
  it('a logger that never explored blocks the report', () => {
    const n = 500;
    const r = opeReport({ reward: new Float64Array(n), loggedPropensity: new Float64Array(n).fill(1), targetProbability: new Float64Array(n).fill(1) });
    expect(r.blocked).toBe(true);
    expect(r.estimates.ips).toBeNull();
    expect(r.warnings.map((w) => w.code)).toContain('logger-never-explored');
    expect(r.warnings[0].message).toMatch(/never explored/);
  });

  it('a deterministic candidate on an action the logger never took blocks the report', () => {
    const d = simulate(createRng(2), 1000);
    // Logger only ever took actions 0 and 1; the candidate always takes action 3.
    const n = 1000;
    const action = Int32Array.from({ length: n }, (_, i) => i % 2);
    const targetDistribution = new Float64Array(n * K);
    for (let i = 0; i < n; i++) targetDistribution[i * K + 3] = 1;
    const r = opeReport({ ...d, action, loggedPropensity: new Float64Array(n).fill(0.5), targetProbability: new Float64Array(n), targetDistribution });
    expect(r.blocked).toBe(true);
    expect(r.diagnostics.candidateDeterministic).toBe(true);
    expect(r.diagnostics.zeroTargetShare).toBe(1);
    const w = r.warnings.find((x) => x.code === 'no-support')!;
    expect(w.severity).toBe('block');
    expect(w.message).toMatch(/deterministic/);
  });

  it('a deterministic candidate with support gets numbers plus cautions on thin evidence', () => {
    const n = 400;
    const rng = createRng(11);
    const action = Int32Array.from({ length: n }, () => Math.floor(rng() * 20));
    const r = opeReport({
      reward: Float64Array.from({ length: n }, () => (rng() < 0.1 ? 1 : 0)),
      loggedPropensity: new Float64Array(n).fill(1 / 20),
      targetProbability: Float64Array.from(action, (a) => (a === 0 ? 1 : 0)),
    });
    expect(r.blocked).toBe(false);
    expect(r.estimates.snips).not.toBeNull();
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['low-effective-sample', 'dominant-weight']));
  });

  it('counts bootstrap resamples where SNIPS is 0/0 beside its interval, and says so in a warning', () => {
    // 30 rows, the candidate takes the logged action in 3 (weights 1 there, 0 elsewhere): a resample of 30 misses all
    // three with probability (27/30)^30 = 0.04239 — about 85 of 2,000 resamples, sd √(2000·0.04239·0.95761) = 9.0.
    // The effective sample size (3) would block the report; the threshold is lowered to reach the bootstrap.
    const n = 30;
    const r = opeReport({
      reward: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : 0)),
      loggedPropensity: new Float64Array(n).fill(0.5),
      targetProbability: Float64Array.from({ length: n }, (_, i) => (i < 3 ? 0.5 : 0)),
    }, { seed: 2, replicates: 2000, estimators: ['ips', 'snips'], thresholds: { minEffectiveSample: 1 } });
    expect(r.blocked).toBe(false);
    expect(r.estimates.ips!.dropped).toBe(0);
    const dropped = r.estimates.snips!.dropped;
    expect(Math.abs(dropped - 2000 * 0.04239)).toBeLessThan(4 * 9.0);
    const w = r.warnings.find((x) => x.code === 'dropped-replicates')!;
    expect(w.severity).toBe('caution');
    expect(w.details).toEqual({ replicates: 2000, snips: dropped });
    expect(w.message).toContain(`${dropped} of 2000`);
    // Without such resamples there is no warning.
    expect(opeReport(simulate(createRng(8), 2000), { seed: 4, replicates: 100 }).warnings.map((x) => x.code)).not.toContain('dropped-replicates');
  });
});

describe('large weights made visible, and clipped IPS beside IPS', () => {
  // Worked by hand: 200 rows. Rows 0–1: logged propensity 0.05, candidate 1, weight 20, reward 1. Rows 2–199: logged 0.5,
  // candidate 0.25, weight 0.5, reward 1 on rows 4, 8, …, 196 (49 rows). Σw = 40 + 198·0.5 = 139; Σw·r = 40 + 49·0.5 = 64.5;
  // IPS = 64.5/200 = 0.3225; Kish ESS 139²/(2·400 + 198·0.25) = 22.7 (above the blocking 10). The top 1% of 200 weights is
  // 2 rows (both 20): 40/139 of the weight and 40/64.5 of IPS's sum. Clipped at λ = 10 (OBP's InverseProbabilityWeighting
  // lambda_: w ← min(w, λ); Ionides, J Comput Graph Stat 17 (2008) 295–311): (2·10 + 24.5)/200 = 0.2225, 0.1 below IPS —
  // IPS being unbiased with full support, E[IPS − clipped] is the clipped estimator's bias, so that gap is its estimate.
  const n = 200;
  const log = {
    reward: Float64Array.from({ length: n }, (_, i) => (i < 2 || (i % 4 === 0) ? 1 : 0)),
    loggedPropensity: Float64Array.from({ length: n }, (_, i) => (i < 2 ? 0.05 : 0.5)),
    targetProbability: Float64Array.from({ length: n }, (_, i) => (i < 2 ? 1 : 0.25)),
  };

  it('reports the share of the weight and of IPS carried by the top 1% of weights', () => {
    const r = opeReport(log, { seed: 1, replicates: 200 });
    expect(r.diagnostics.maxWeight).toBe(20);
    expect(r.diagnostics.topWeights.rows).toBe(2);
    expect(r.diagnostics.topWeights.weightShare).toBeCloseTo(40 / 139, 12);
    expect(r.diagnostics.topWeights.ipsShare).toBeCloseTo(40 / 64.5, 12);
    expect(r.estimates.ips!.value).toBeCloseTo(0.3225, 12);
    expect(r.clippedIps).toBeNull();
  });

  it('counts weights tied at the top 1% boundary by the share of them taken, whatever their order', () => {
    // 100 rows, every weight 1, reward 1 on 10 of them: the top 1% is 1 row of 100 equal ones, so 1/100 of the weight
    // and 1/100 of IPS's sum (10 × 1/100 of 10) — not 1/10, which picking a rewarded row first would say.
    const reward = Float64Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? 1 : 0));
    const d = opeReport({ reward, loggedPropensity: new Float64Array(100).fill(0.5), targetProbability: new Float64Array(100).fill(0.5) }, { replicates: 50 }).diagnostics;
    expect(d.topWeights).toEqual({ rows: 1, weightShare: expect.closeTo(0.01, 12), ipsShare: expect.closeTo(0.01, 12) });
  });

  it('clips only when asked, reports IPS beside it, and warns that the gap is its bias', () => {
    const r = opeReport(log, { seed: 1, replicates: 1000, clip: 10 });
    const c = r.clippedIps!;
    expect(c.clip).toBe(10);
    expect(c.rows).toBe(2);
    expect(c.value).toBeCloseTo(0.2225, 12);
    expect(c.bias).toBeCloseTo(0.1, 12);
    expect(r.estimates.ips!.value).toBeCloseTo(0.3225, 12);
    expect(c.ci[0]).toBeLessThanOrEqual(c.value);
    expect(c.ci[1]).toBeGreaterThanOrEqual(c.value);
    expect(c.sd).toBeLessThan(r.estimates.ips!.sd);
    const w = r.warnings.find((x) => x.code === 'clipped-weights')!;
    expect(w.severity).toBe('caution');
    expect(w.details).toMatchObject({ clip: 10, rows: 2 });
    expect(w.details.bias).toBeCloseTo(0.1, 12);
    // A clip above every weight changes nothing: the same value as IPS and no warning.
    const loose = opeReport(log, { seed: 1, replicates: 200, clip: 20 });
    expect(loose.clippedIps!.value).toBeCloseTo(0.3225, 12);
    expect(loose.clippedIps!.rows).toBe(0);
    expect(loose.warnings.map((x) => x.code)).not.toContain('clipped-weights');
  });
});

