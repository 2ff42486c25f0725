import { describe, expect, it } from 'vitest';
import { opeReport } from './report.js';

describe('diagnostics an analyst reads before trusting an estimate', () => {
  it('says when a few decisions carry the estimate, even when no single weight reaches 5% of the total', () => {
    // 10,000 logged decisions: 20 logged with 0.01 that the candidate always takes (weight 100, reward 1) and 9,980
    // logged with 0.5 that it takes with 0.25 (weight 0.5, reward 0). Closed forms: Σw = 20·100 + 9,980·0.5 = 6,990;
    // largest weight share 100/6,990 = 1.43%; Kish ESS = 6,990² / (20·100² + 9,980·0.5²) = 48,860,100/202,495 = 241.29;
    // IPS = 2,000/10,000 = 0.2, all of it from the 20 (0.2% of the log); the top 1% (100 rows) carry 2,040/6,990 of Σw.
    const n = 10_000;
    const few = (i: number) => i < 20;
    const r = opeReport(
      {
        reward: Float64Array.from({ length: n }, (_, i) => (few(i) ? 1 : 0)),
        loggedPropensity: Float64Array.from({ length: n }, (_, i) => (few(i) ? 0.01 : 0.5)),
        targetProbability: Float64Array.from({ length: n }, (_, i) => (few(i) ? 1 : 0.25)),
      },
      { seed: 1, replicates: 200 },
    );
    expect(r.diagnostics.maxWeightShare).toBeCloseTo(100 / 6990, 12);
    expect(r.diagnostics.effectiveSampleSize).toBeCloseTo(48_860_100 / 202_495, 9);
    expect(r.diagnostics.topWeights).toEqual({ rows: 100, weightShare: expect.closeTo(2040 / 6990, 12), ipsShare: expect.closeTo(1, 12) });
    expect(r.estimates.ips!.value).toBeCloseTo(0.2, 12);
    const w = r.warnings.find((x) => x.code === 'concentrated-weight');
    expect(w).toMatchObject({ severity: 'caution', details: { rows: 100, ipsShare: expect.closeTo(1, 12) } });
    expect(w!.message).toMatch(/^The largest 1% of the weights \(100 of 10000 logged decisions\) carry 100\.0% of IPS/);
  });

  it('reports the share of decisions without support, beside the probability mass, and blocks at 5% of the mass', () => {
    // Two options. Half the rows were logged by a logger with no exploration ([1, 0]), half by one with [0.5, 0.5];
    // the candidate is [0.8, 0.2] everywhere and the logged action is option 0. Unsupported mass = ½·0.2 = 0.1
    // (above the block threshold, 0.05); decisions without support: ½.
    const n = 200;
    const half = (i: number) => i < n / 2;
    const data = {
      reward: new Float64Array(n).fill(1),
      loggedPropensity: Float64Array.from({ length: n }, (_, i) => (half(i) ? 1 : 0.5)),
      targetProbability: new Float64Array(n).fill(0.8),
      nActions: 2,
      action: new Int32Array(n),
      targetDistribution: Float64Array.from({ length: 2 * n }, (_, j) => (j % 2 === 0 ? 0.8 : 0.2)),
      loggedDistribution: Float64Array.from({ length: 2 * n }, (_, j) => (half(Math.floor(j / 2)) ? (j % 2 === 0 ? 1 : 0) : 0.5)),
    };
    const r = opeReport(data, { seed: 1, replicates: 100 });
    expect(r.diagnostics.unsupportedTargetMass).toBeCloseTo(0.1, 12);
    expect(r.diagnostics.unsupportedShare).toBeCloseTo(0.5, 12);
    expect(r.blocked).toBe(true);
    const w = r.warnings.find((x) => x.code === 'no-support')!;
    expect(w.message).toContain('in 50.0% of the logged decisions');
    expect(w.details.unsupportedShare).toBeCloseTo(0.5, 12);
    // One row of the 200 without support: mass 0.2/200 = 0.001, a caution that the estimates leave that probability out.
    const one = { ...data, loggedDistribution: Float64Array.from({ length: 2 * n }, (_, j) => (j < 2 ? (j === 0 ? 1 : 0) : 0.5)), loggedPropensity: Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0.5)) };
    const p = opeReport(one, { seed: 1, replicates: 100 });
    expect(p.diagnostics.unsupportedShare).toBeCloseTo(1 / 200, 12);
    expect(p.blocked).toBe(false);
    expect(p.warnings.find((x) => x.code === 'partial-support')!.message).toContain('in 0.5% of the logged decisions');
  });
});
