import { describe, expect, it } from 'vitest';
import { welchTest } from './frequentist.js';
import { summarizeMean, summarizeProportion, summarizeValues } from './summary.js';

const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

// Source: GrowthBook gbstats, packages/stats/tests/frequentist/test_tests.py (TestTwoSidedTTest).
describe('Welch t-test — GrowthBook gbstats expectations', () => {
  const a = summarizeMean(3407, 1396.87, 52377.9767);
  const b = summarizeMean(3461, 2422.7, 134698.29);

  it('relative effect: ci [-0.03526, 1.44989], p 0.06191, sd 0.37879', () => {
    const r = welchTest(a, b)!;
    expect(r5(r.estimate)).toBe(0.70732);
    expect(r.ci.map(r5)).toEqual([-0.03526, 1.44989]);
    expect(r5(r.se)).toBe(0.37879);
    expect(r5(r.pValue)).toBe(0.06191);
  });

  it('absolute effect: 0.29, ci [0.04538, 0.53462], p 0.02016, sd 0.12478', () => {
    const r = welchTest(a, b, { type: 'absolute' })!;
    expect(r5(r.estimate)).toBe(0.29);
    expect(r.ci.map(r5)).toEqual([0.04538, 0.53462]);
    expect(r5(r.se)).toBe(0.12478);
    expect(r5(r.pValue)).toBe(0.02016);
  });

  it('proportions 14/28 vs 16/30: ci [-0.47767, 0.61101], p 0.80707, sd 0.2717', () => {
    const r = welchTest(summarizeProportion(28, 14), summarizeProportion(30, 16))!;
    expect(r5(r.estimate)).toBe(0.06667);
    expect(r.ci.map(r5)).toEqual([-0.47767, 0.61101]);
    expect(r5(r.se)).toBe(0.2717);
    expect(r5(r.pValue)).toBe(0.80707);
  });

  it('refuses to estimate with fewer than two units or zero variance', () => {
    expect(welchTest(summarizeMean(1, 5, 25), b)).toBeNull();
    expect(welchTest(summarizeProportion(100, 0), summarizeProportion(100, 0))).toBeNull();
  });
});

// Source: R documentation of t.test, example t.test(extra ~ group, data = sleep):
// t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832 (group 1 − group 2).
describe("Welch t-test — R's t.test on the sleep data", () => {
  const group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
  it('matches t, df, p and the interval', () => {
    // Tact reports treatment − control; with control = group 2 this is R's group 1 − group 2.
    const r = welchTest(summarizeValues(group2), summarizeValues(group1), { type: 'absolute' })!;
    expect((r.estimate / r.se).toFixed(4)).toBe('-1.8608');
    expect(r.df.toFixed(3)).toBe('17.776');
    expect(r.pValue.toFixed(5)).toBe('0.07939');
    expect(r.ci[0].toFixed(7)).toBe('-3.3654832');
    expect(r.ci[1].toFixed(7)).toBe('0.2054832');
  });
});
