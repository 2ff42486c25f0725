import { describe, expect, it } from 'vitest';
import { Rng } from '../math/prng.js';
import { cooccurrenceScores, fitCooccurrence } from './cooccurrence.js';
import { easeScores, fitEase } from './ease.js';
import { buildInteractions } from './interactions.js';
import { neighbourScores, toNeighbours } from './neighbours.js';
import { recommend } from './recommend.js';

// 60 subjects over 12 items with two taste groups, drawn from the seeded generator.
function sample() {
  const rng = new Rng(11);
  const subj: number[] = [];
  const item: number[] = [];
  for (let s = 0; s < 60; s++) {
    const base = s % 2 === 0 ? 0 : 6;
    for (let k = 0; k < 4; k++) {
      subj.push(s);
      item.push(rng.float() < 0.85 ? base + rng.int(6) : rng.int(12));
    }
  }
  return buildInteractions(60, 12, subj, item);
}

describe('item neighbours', () => {
  const data = sample();
  const history = [0, 3, 7];

  it('keeping every weight reproduces the co-occurrence scores and explanations exactly', () => {
    const model = fitCooccurrence(data, { shrinkage: 3 });
    const full = cooccurrenceScores(model, history);
    const nb = neighbourScores(toNeighbours({ kind: 'cooccurrence', model }, Infinity), history);
    expect([...nb.scores]).toEqual([...full.scores]);
    for (let j = 0; j < 12; j++) if (full.scores[j] > 0) expect(nb.because[j]).toBe(full.because[j]);
  });

  it('keeping every weight reproduces EASE scores (Steck 2019: x·B) to 1e-12', () => {
    const ease = fitEase(data, 5);
    const full = easeScores(ease, history);
    const nb = neighbourScores(toNeighbours({ kind: 'ease', model: ease }, Infinity), history);
    for (let j = 0; j < 12; j++) expect(nb.scores[j]).toBeCloseTo(full.scores[j], 12);
  });

  it('a top-K cut keeps the strongest weights, strongest first, and the same top recommendation', () => {
    const model = fitCooccurrence(data, { shrinkage: 3 });
    const nb = toNeighbours({ kind: 'cooccurrence', model }, 3);
    for (const w of nb.weight) {
      expect(w.length).toBeLessThanOrEqual(3);
      for (let k = 1; k < w.length; k++) expect(w[k]).toBeLessThanOrEqual(w[k - 1]);
    }
    const popularity = new Float64Array(12).fill(1);
    const a = recommend({ personal: { kind: 'cooccurrence', model }, popularity }, { history: [0], limit: 1 });
    const b = recommend({ personal: { kind: 'neighbours', model: nb }, popularity }, { history: [0], limit: 1 });
    expect(b[0].item).toBe(a[0].item);
    expect(b[0].explanation).toBe(a[0].explanation);
  });
});
