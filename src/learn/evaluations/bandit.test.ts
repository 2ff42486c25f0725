import { describe, expect, it } from 'vitest';
import { absolute, banditEvaluation } from './bandit.js';

describe('bandit evaluation: the mean importance weight is shown with what drives its interval', () => {
  it('reports the two largest weights and says the interval is no test of the propensities (quick run)', async () => {
    const lines: string[] = [];
    const out = await banditEvaluation.run({ datasetsDir: '', log: (l) => lines.push(l), quick: true });
    const largest = out.largest_importance_weights as number[];
    expect(largest).toHaveLength(2);
    expect(largest[0]).toBeGreaterThanOrEqual(largest[1]);
    expect(largest[1]).toBeGreaterThan(0);
    // The mean of n weights is at least the share the largest two bring above 1.
    const n = out.window as number;
    expect(out.mean_importance_weight as number).toBeGreaterThanOrEqual((largest[0] + largest[1] - 2) / n);
    expect(lines.some((l) => l.includes("mean weight's CI resamples this window's weights") && l.includes('no test of the propensities'))).toBe(true);
  });
});

describe('the self-check\'s absolute error', () => {
  it('reads its interval from the signed error\'s: from 0 when that holds 0, up to the farther end (QA 2026-12-06)', () => {
    // A percentile interval of |error| never holds 0 and ends at the wrong tail's quantile: 0.002 [0.0001, 0.0097]
    // was printed where the signed error's interval was about [−0.007, 0.011].
    expect(absolute({ value: 0.002, low: -0.007, high: 0.011 })).toEqual({ value: 0.002, low: 0, high: 0.011 });
    expect(absolute({ value: -0.03, low: -0.05, high: -0.01 })).toEqual({ value: 0.03, low: 0.01, high: 0.05 });
    expect(absolute({ value: 0.02, low: 0.01, high: 0.04 })).toEqual({ value: 0.02, low: 0.01, high: 0.04 });
  });
});
