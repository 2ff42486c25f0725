import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../learn/math/prng.js';
import type { Candidate } from './types.js';
import { pickVariant, select } from './selection.js';

const cand = (id: string, score: number, order: number, out = false): Candidate =>
  ({ action: { id, order } as Candidate['action'], rules: {} as Candidate['rules'], score, ...(out ? { out: { stage: 'eligibility', rule: 'x', reason: 'x' } } : {}) }) as Candidate;

describe('selection', () => {
  it('without exploration takes the best scores in order and ends at "none"', () => {
    const picks = select([cand('a', 1, 0), cand('b', 3, 1), cand('c', -1, 2), cand('d', 9, 3, true)], { noneScore: 0, exploration: 0, slots: 5, random: Math.random });
    expect(picks.map((p) => p.candidate?.action.id ?? 'none')).toEqual(['b', 'a', 'none']);
    expect(picks.every((p) => p.propensity === 1 && p.greedy)).toBe(true);
  });

  it('prefers doing nothing on a tie, then catalog order', () => {
    expect(select([cand('a', 0, 0)], { noneScore: 0, exploration: 0, slots: 1, random: Math.random })[0].candidate).toBeUndefined();
    expect(select([cand('b', 2, 1), cand('a', 2, 0)], { noneScore: 0, exploration: 0, slots: 1, random: Math.random })[0].candidate!.action.id).toBe('a');
  });

  it('logs the exact propensity: π(best) = 1 − ε + ε/K, π(other) = ε/K, summing to 1', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 0, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true }), (scores, eps, u1, u2) => {
        const cs = scores.map((s, i) => cand(`a${i}`, s, i));
        const draws = [u1, u2];
        const [p] = select(cs, { noneScore: 0, exploration: eps, slots: 1, random: () => draws.shift() ?? 0 });
        const k = cs.length + 1;
        const expected = k === 1 ? 1 : p.greedy ? 1 - eps + eps / k : eps / k;
        expect(p.propensity).toBeCloseTo(expected, 12);
        // the propensities of all K options sum to one
        expect(k === 1 ? 1 : 1 - eps + eps / k + (k - 1) * (eps / k)).toBeCloseTo(1, 12);
      }),
    );
  });

  it('chooses each option as often as its logged propensity says (40,000 draws)', () => {
    const rng = new Rng(7);
    const random = () => rng.float();
    const cs = [cand('a', 3, 0), cand('b', 2, 1), cand('c', 1, 2)];
    const seen = new Map<string, { n: number; p: number }>();
    const N = 40_000;
    for (let i = 0; i < N; i++) {
      const [p] = select(cs, { noneScore: 0, exploration: 0.2, slots: 1, random });
      const id = p.candidate?.action.id ?? 'none';
      const e = seen.get(id) ?? { n: 0, p: p.propensity };
      e.n++;
      seen.set(id, e);
    }
    for (const [id, { n, p }] of seen) {
      const se = Math.sqrt((p * (1 - p)) / N);
      expect(Math.abs(n / N - p), id).toBeLessThan(4 * se);
    }
    expect(seen.get('a')!.p).toBeCloseTo(0.8 + 0.05, 12);
    expect(seen.get('none')!.p).toBeCloseTo(0.05, 12);
  });

  it('draws variants uniformly among the approved ones', () => {
    expect(pickVariant(['x', 'y'], () => 0.7)).toEqual({ variant: 'y', probability: 0.5 });
    expect(pickVariant([], () => 0.7)).toEqual({ variant: undefined, probability: 1 });
  });
});
