import { describe, expect, it } from 'vitest';
import { banditEvaluation } from './bandit.js';

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
