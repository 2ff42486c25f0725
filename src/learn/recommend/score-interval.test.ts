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

describe('historyInterval as docs/decisions.md says it', () => {
  it('reads [0, score] for a score resting on one item only when that item is the whole history; with more, up to twice the score', async () => {
    // The QA's case: history {i2 viewed, i0 bought}, i1 a neighbour of i2 alone (0.480105), not of i0.
    const qa: Neighbours = { items: 3, to: [[2], [], [1]], weight: [[0.3], [], [0.480105]] };
    const r = historyInterval(qa, [2, 0], 1, { level: 0.9 });
    expect(r).toEqual({ low: 0, high: 0.96021, level: 0.9, evidence: 1 });
    expect(historyInterval(qa, [2], 1, { level: 0.9 })).toEqual({ low: 0, high: 0.480105, level: 0.9, evidence: 1 });
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/decisions.md', 'utf8').replace(/\s+/g, ' ');
    const section = doc.slice(doc.indexOf('## Recommendation placements'), doc.indexOf('## Send time in batch decisions'));
    expect(section).toContain('its high end is the score only when that item is the whole history');
    expect(section).toContain('reads [0, 0.960210]');
    expect(section).not.toContain('so a score that rests on a single viewed item reads [0, score]');
  });
});
