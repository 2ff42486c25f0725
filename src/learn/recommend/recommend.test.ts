import { describe, expect, it } from 'vitest';
import { gaussJordanInverse } from '../math/linalg.js';
import { cooccurrenceScores, fitCooccurrence, similarity } from './cooccurrence.js';
import { easeScores, fitEase } from './ease.js';
import { buildInteractions, itemCounts } from './interactions.js';
import { recommend } from './recommend.js';
import { rerank } from './rerank.js';

// Five subjects over five items: 0 and 1 go together; 2 and 3 go together; 4 is popular alone.
const data = buildInteractions(6, 5, [0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 5], [0, 1, 0, 1, 4, 2, 3, 2, 3, 4, 4]);

describe('interactions and co-occurrence', () => {
  it('dedupes and counts', () => {
    expect(data.bySubject.map((l) => [...l])).toEqual([[0, 1], [0, 1, 4], [2, 3], [2, 3], [4], [4]]);
    expect([...itemCounts(data)]).toEqual([2, 2, 2, 2, 3]);
  });

  it('shrinks similarity by item evidence: sim(0 → 1) = C₀₁/(C₀ + β) = 2/(2 + 2)', () => {
    const model = fitCooccurrence(data, { shrinkage: 2 });
    expect(similarity(model, 0, 1)).toBe(0.5);
    expect(similarity(model, 0, 4)).toBe(0.25);
    expect(similarity(model, 0, 2)).toBe(0);
    const { scores, because } = cooccurrenceScores(model, [0]);
    expect(scores[1]).toBe(0.5);
    expect(because[1]).toBe(0);
  });

  it('caps a heavy subject by a sample of its items, not by their index: an item first seen late is not shrunk to nothing', () => {
    // 20 subjects each touched the same 300 items (over the cap of 200): every pair is alike. Item
    // indices follow first appearance in the window, so "the first 200" dropped every pair of the
    // newest 100 items while their counts kept all 20 subjects: sim(250 → 251) was 0, sim(0 → 1) 0.67.
    const subjects: number[] = [];
    const items: number[] = [];
    for (let s = 0; s < 20; s++) for (let i = 0; i < 300; i++) (subjects.push(s), items.push(i));
    const model = fitCooccurrence(buildInteractions(20, 300, subjects, items), { shrinkage: 10 });
    const early = similarity(model, 0, 1);
    const late = similarity(model, 250, 251);
    // Each subject keeps 200 of its 300 items: C_i ≈ 13.3 subjects, C_ij ≈ 8.9, sim ≈ 8.9 / 23.3 ≈ 0.38.
    for (const sim of [early, late]) {
      expect(sim).toBeGreaterThan(0.2);
      expect(sim).toBeLessThan(0.55);
    }
    // Counted over the same sampled lists, a share stays a share: C_ij ≤ C_i.
    for (const i of [0, 250]) for (const [j, c] of model.pairs[i]) expect(c, `${i} → ${j}`).toBeLessThanOrEqual(model.counts[i]);
  });
});

describe('EASE', () => {
  it('equals the closed form B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, with a zero diagonal (Steck 2019)', () => {
    const lambda = 0.5;
    const n = 5;
    const G = new Float64Array(n * n);
    for (const list of data.bySubject) for (const a of list) for (const b of list) G[a * n + b] += 1;
    for (let i = 0; i < n; i++) G[i * n + i] += lambda;
    const P = gaussJordanInverse(G, n);
    const ease = fitEase(data, lambda);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const expected = i === j ? 0 : -P[i * n + j] / P[j * n + j];
      expect(ease.weights[i * n + j]).toBeCloseTo(expected, 10);
    }
    const { scores, because } = easeScores(ease, [2]);
    expect(scores.indexOf(Math.max(...scores))).toBe(3);
    expect(because[3]).toBe(2);
  });
});

describe('recommend', () => {
  const personal = { kind: 'cooccurrence' as const, model: fitCooccurrence(data, { shrinkage: 1 }) };
  const popularity = itemCounts(data);

  it('explains each item and fills with popularity', () => {
    const recs = recommend({ personal, popularity }, { history: [2], limit: 3, label: (i) => `SKU-${i}` });
    expect(recs[0]).toMatchObject({ item: 3, source: 'personal', explanation: 'because you viewed SKU-2' });
    expect(recs[1]).toMatchObject({ item: 4, source: 'population', reason: { kind: 'popular' }, explanation: 'popular with other customers' });
    expect(recs).toHaveLength(3);
  });

  it('never recommends what was just bought, what is out of stock, or what a rule forbids', () => {
    const recs = recommend({ personal, popularity }, { history: [0], purchased: [1], outOfStock: [4], allow: (i) => i !== 3, limit: 5 });
    const items = recs.map((r) => r.item);
    expect(items).not.toContain(1);
    expect(items).not.toContain(4);
    expect(items).not.toContain(3);
    expect(items).not.toContain(0);
    expect(items).toEqual([2]);
  });

  it('asks the business rule only about the items it needs to fill the list, not about the whole catalog', () => {
    // A CEL rule per item costs some microseconds: asked of 20,000 items it held every request up ~0.1 s.
    const pop = Float64Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const asked: number[] = [];
    const allow = (i: number) => (asked.push(i), i % 2 === 0);
    const recs = recommend({ popularity: pop }, { history: [], limit: 3, allow });
    expect(recs.map((r) => r.item)).toEqual([0, 2, 4]);
    expect(asked).toEqual([0, 1, 2, 3, 4]);
    asked.length = 0;
    expect(recommend({ personal, popularity }, { history: [2], limit: 2, allow }).map((r) => r.item)).toEqual([4, 0]);
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.length).toBeLessThanOrEqual(3);
  });

  it('gives a new subject the popular items', () => {
    expect(recommend({ personal, popularity }, { history: [], limit: 1 })[0]).toMatchObject({ item: 4, source: 'population' });
  });
});

describe('rerank', () => {
  const list = [{ item: 10, relevance: 9 }, { item: 11, relevance: 8 }, { item: 12, relevance: 7 }];
  const affinity: number[] = [];
  affinity[12] = 5;
  it('returns the caller’s order for a subject without evidence', () => {
    expect(rerank(list, affinity, { evidence: 0 }).map((r) => r.item)).toEqual([10, 11, 12]);
  });
  it('raises items the subject likes once evidence exists, and says so', () => {
    const out = rerank(list, affinity, { evidence: 1000, maxWeight: 0.9 });
    expect(out[0]).toMatchObject({ item: 12, explanation: 'raised by your past interest' });
  });
  it('says "raised" only of an item that affinity moved above the caller\'s order, never of one without affinity', () => {
    // Item 11 has the most affinity but stays below 10; items 12 and 13 have none.
    const four = [{ item: 10, relevance: 9 }, { item: 11, relevance: 8 }, { item: 12, relevance: 7 }, { item: 13, relevance: 6 }];
    const aff: number[] = [];
    aff[10] = 0.9;
    aff[11] = 0.95;
    const out = rerank(four, aff, { evidence: 10, maxWeight: 0.5 });
    expect(out.map((r) => r.item)).toEqual([10, 11, 12, 13]);
    expect(out.map((r) => r.explanation)).toEqual(['ranked by relevance', 'ranked by relevance', 'ranked by relevance', 'ranked by relevance']);
  });
});
