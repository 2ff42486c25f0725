import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from './decision.js';
import { decisionView } from './view.js';

const record = (choices: DecisionRecord['choices']): DecisionRecord => ({
  id: 'd1', at: Date.UTC(2026, 11, 1), profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {},
  policyVersion: 1, catalogVersion: 1, modelVersion: 'beta-ladder@1', arm: 'treatment', choices, scored: [], excluded: [],
  facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
}) as DecisionRecord;

describe('decisionView', () => {
  it('answers computed numbers to 12 significant digits (no 0.30000000000000004), and propensities exact', () => {
    const score = 0.1 + 0.2;
    expect(score).not.toBe(0.3);
    const item = { value: score, low: 0.1 + 0.1 + 0.1 - 0.2, high: 0.7 + 0.1, level: 0.9, evidence: 3, source: 'personal', status: 'learning', modelVersion: 'm', updatedAt: '2026-12-01T00:00:00.000Z' } as const;
    const v = decisionView(record([
      { rank: 1, kind: 'action', action: 'a', score, propensity: 1 / 3, why: '' },
      { rank: 2, kind: 'item', item: 'sku-1', score, propensity: 1, why: '', estimate: item },
    ]), { full: false, public: false, level: 0.9 }) as { choices: { score: number; propensity: number; estimate?: { value: number; low: number; high: number } }[] };
    expect(v.choices[0].score).toBe(0.3);
    expect(v.choices[0].propensity).toBe(1 / 3);
    expect(v.choices[1].estimate).toMatchObject({ value: 0.3, low: 0.1, high: 0.8, evidence: 3 });
    expect(v.choices[1].estimate?.value).toBe(v.choices[1].score);
    expect(item.value).toBe(score); // the record itself is left as computed
    expect(JSON.stringify(v)).not.toMatch(/0000000000|9999999999/);
  });
});

describe('an action\'s estimate in a decision', () => {
  it('says its interval level (the policy\'s, given by the caller) and that the log keeps no update time for it, in the choice and in the candidates', () => {
    const d = record([{ rank: 1, kind: 'action', action: 'a', score: 2.8, propensity: 1, why: '' }]);
    d.scored = [{ action: 'a', score: 2.8, p: 0.05, lo: 0.01, hi: 0.12, n: 0, rung: 'population', learning: true, value: 60 }];
    const v = decisionView(d, { full: true, public: false, level: 0.8 }) as { choices: { estimate: Record<string, unknown> }[]; explanation: { candidates: { estimate: Record<string, unknown> }[] } };
    const expected = { value: 0.05, low: 0.01, high: 0.12, level: 0.8, evidence: 0, source: 'population', status: 'learning', modelVersion: 'beta-ladder@1', updatedAt: null };
    expect(v.choices[0].estimate).toEqual(expected);
    expect(v.explanation.candidates[0].estimate).toEqual(expected);
  });
});

describe('a bandit\'s estimate in a decision', () => {
  it('keeps when the action\'s evidence last changed and why it is learning (extrapolated), in the estimate and in its factor\'s words', () => {
    const d = record([{ rank: 1, kind: 'action', action: 'a', score: 0.4, propensity: 0.9, why: '' }]);
    d.modelVersion = 'bandit:home@300';
    const at = Date.UTC(2026, 11, 4, 9, 30);
    d.scored = [{ action: 'a', score: 0.4, p: 0.4, lo: 0.2, hi: 0.6, n: 165, rung: 'population', learning: true, why: 'extrapolated', at, value: 1 }];
    const v = decisionView(d, { full: true, public: false, level: 0.9 }) as { choices: { estimate: Record<string, unknown> }[]; explanation: { candidates: { estimate: Record<string, unknown>; factors: { name: string; detail?: string }[] }[] } };
    expect(v.choices[0].estimate).toMatchObject({ status: 'learning', reason: 'extrapolated', updatedAt: '2026-12-04T09:30:00.000Z', modelVersion: 'bandit:home@300' });
    const detail = v.explanation.candidates[0].factors.find((f) => f.name === 'estimate')?.detail;
    expect(detail).toBe('40% (20% to 60%, n=165, population, learning, beyond the contexts it learned from)');
  });
});
