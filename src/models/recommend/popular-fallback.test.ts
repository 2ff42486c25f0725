import { describe, expect, it } from 'vitest';
import { popularFallback } from './popular-fallback.js';
import { personalItemEstimate } from './item-estimates.js';

const none = new Set<number>();
const model = { modelVersion: 'recommendations@1', dataTo: 0 };

describe('popularFallback', () => {
  it('tells no known history from a history leading nowhere and from one whose items were all filtered, naming the filters', () => {
    expect(popularFallback({ history: 0, candidates: [], purchased: none, seen: none, outOfStock: none, excluded: none, rules: [] }).reason).toBe('no known history');
    expect(popularFallback({ history: 2, candidates: [], purchased: none, seen: none, outOfStock: none, excluded: none, rules: [] }))
      .toMatchObject({ reason: 'history leads nowhere', why: 'the subject\'s history the model knows (2 items) leads to no other item' });
    // the first filter that applies counts: a bought item is purchased, not seen; one in no set failed a rule
    const f = popularFallback({ history: 3, candidates: [1, 2, 3, 4, 5], purchased: new Set([1]), seen: new Set([1, 2]), outOfStock: new Set([3]), excluded: none, rules: ['filters.rule', 'rule'] });
    expect(f).toEqual({
      reason: 'filtered', history: 3, leadsTo: 5, leftOut: { purchased: 1, seen: 1, outOfStock: 1, excluded: 0, rule: 2 },
      why: 'the business filters left out all 5 items the subject\'s history leads to (1 already purchased, 1 already seen, 1 out of stock, 2 by the rules `filters.rule`, `rule`)',
    });
  });
});

describe('personalItemEstimate', () => {
  it('is learning while its interval is wider than the score (the QA case), established once it is not', () => {
    // QA 2026-12-06: sku-3, 0.3747 reading [0, 0.3811] on 2 history items, was "established"
    expect(personalItemEstimate(0.3747, { low: 0, high: 0.3811, level: 0.9, evidence: 2 }, model, undefined).status).toBe('learning');
    expect(personalItemEstimate(0.3747, { low: 0.18415, high: 0.56525, level: 0.9, evidence: 2 }, model, undefined).status).toBe('learning');
    expect(personalItemEstimate(0.42, { low: 0.2, high: 0.6, level: 0.9, evidence: 12 }, model, undefined).status).toBe('established');
  });
});
