import { describe, expect, it } from 'vitest';
import { fitCooccurrence } from '../../learn/recommend/cooccurrence.js';
import { buildInteractions } from '../../learn/recommend/interactions.js';
import { toNeighbours } from '../../learn/recommend/neighbours.js';
import { heldOutRecall } from './recall.js';

// 40 subjects, 10 disjoint item pairs (2k, 2k+1), four subjects per pair: the hidden item of a
// subject is always its pair's partner, which the other three subjects of the pair still link.
const subjects: number[] = [];
const items: number[] = [];
for (let s = 0; s < 40; s++) for (const i of [2 * (s % 10), 2 * (s % 10) + 1]) (subjects.push(s), items.push(i));
const data = buildInteractions(40, 20, subjects, items);
const fit = (train: typeof data) => toNeighbours({ kind: 'cooccurrence', model: fitCooccurrence(train, { shrinkage: 1 }) }, 10);

describe('held-out recall', () => {
  it('finds every hidden partner at rank 1 (by construction), where popularity cannot', () => {
    const r = heldOutRecall(data, fit, { seed: 3, sample: 10, k: 1 });
    expect(r.evaluated).toBe(10);
    expect(r.recallAt1).toBe(1);
    expect(r.popularityRecallAt1).toBeLessThan(0.5);
  });

  it('gives each recall its 95% interval, and the difference from popularity\'s on the same subjects its own', () => {
    const r = heldOutRecall(data, fit, { seed: 3, sample: 10, k: 1 });
    // 10 hits of 10: Wilson (1927) 95% interval [0.7225, 1] — a perfect score on ten subjects is not a certainty.
    expect(r.recallAt1Ci).toEqual([0.722, 1]);
    expect(r).toMatchObject({ popularityRecallAt1: 0, popularityRecallAt1Ci: [0, 0.278], recallOverPopularityAt1: 1 });
    // Paired (Newcombe 1998): popularity hit none of these, so the difference is 1 − 0 — yet ten subjects
    // leave its interval wide, where the normal approximation on the differences would give the point [1, 1].
    expect(r.recallOverPopularityAt1Ci).toEqual([0.608, 1]);
  });

  it('hides items from training only (the model never sees the held-out item for that subject)', () => {
    const seen: number[][] = [];
    heldOutRecall(data, (train) => (seen.push(...train.bySubject.map((l) => [...l])), fit(train)), { seed: 3, sample: 40, k: 1 });
    expect(seen.filter((l) => l.length === 1)).toHaveLength(40);
  });
});
