import { describe, expect, it } from 'vitest';
import { historyInterval } from './score-interval.js';
import type { Neighbours } from './neighbours.js';

// Items 0–3 viewed; item 9 is a neighbour of 0 (weight 0.5) and 1 (weight 0.3); item 8 only of 2.
const nb: Neighbours = { items: 10, to: [[9, 5], [9], [8], [5]], weight: [[0.5, 0.1], [0.3], [0.4], [0.2]] };

describe('historyInterval', () => {
  it('brackets the score with a bootstrap over the subject’s history, and counts the items behind it', () => {
    const r = historyInterval(nb, [0, 1, 2, 3], 9, { level: 0.9, replicates: 2000 });
    expect(r.evidence).toBe(2);
    const score = 0.5 + 0.3;
    expect(r.low).toBeLessThan(score);
    expect(r.high).toBeGreaterThan(score);
    // every resample is a sum of 4 draws from the pool {0.5, 0.3, 0, 0} plus the imagined unrelated item {0}: within [0, 2]
    expect(r.low).toBeGreaterThanOrEqual(0);
    expect(r.high).toBeLessThanOrEqual(2);
    // the resampled sum has mean 4 × 0.16 = 0.64 and sd 2 × 0.2059 (population sd of {0.5, 0.3, 0, 0, 0}) = 0.41,
    // so a 90% interval spans about 2 × 1.645 × 0.41 ≈ 1.35 (discrete sums)
    expect(r.high - r.low).toBeGreaterThan(0.9);
    expect(r.high - r.low).toBeLessThan(1.6);
  });

  it('is the same answer every time (seeded by the item) and says when nothing supports a score', () => {
    expect(historyInterval(nb, [0, 1, 2, 3], 9, { level: 0.9 })).toEqual(historyInterval(nb, [0, 1, 2, 3], 9, { level: 0.9 }));
    expect(historyInterval(nb, [2, 3], 9, { level: 0.9 })).toEqual({ low: 0, high: 0, level: 0.9, evidence: 0 });
    const one = historyInterval(nb, [2, 3], 8, { level: 0.9, replicates: 2000 });
    expect(one).toMatchObject({ evidence: 1, low: 0 });
    expect(one.high).toBeCloseTo(0.8, 12);
    // a history of one item is not certainty: [0, score]
    expect(historyInterval(nb, [2], 8, { level: 0.9 })).toEqual({ low: 0, high: 0.4, level: 0.9, evidence: 1 });
  });
});
