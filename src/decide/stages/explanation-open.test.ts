import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../decision.js';
import { decisionView } from '../view.js';
import { scoreWords, traces } from './explanation.js';
import { eligibility } from './eligibility.js';
import { stageContext } from './fixture-context.js';
import { scoring } from './scoring.js';

/**
 * A decision's explanation says when an estimate's evidence holds choices still inside their
 * attribution windows (ADR 0007): its value then is not the counts' own reading — once the delay to a
 * conversion is learned it is read over the open choices' exposure — and a person reading the
 * decision months later must be able to tell. Until 2026-12-06 the log kept only the interval.
 */
describe('the open choices behind a decision\'s estimates', () => {
  const actions = [
    { id: 'shoes', name: 'Shoes', channels: ['web'], value: 10 },
    { id: 'socks', name: 'Socks', channels: ['web'], value: 5 },
  ];
  const { ctx, candidates } = stageContext({ catalog: { actions, placements: [{ id: 'home', channel: 'web' }] }, placement: 'home' });
  eligibility(candidates, ctx);
  scoring(candidates, ctx);
  const shoes = candidates.find((c) => c.action.id === 'shoes')!;
  const socks = candidates.find((c) => c.action.id === 'socks')!;
  shoes.estimate = { ...shoes.estimate!, evidence: 2400, open: { choices: 1680, exposure: 1320.4567 } };
  socks.estimate = { ...socks.estimate!, evidence: 193, open: { choices: 190 } };

  it('are kept in the log with the estimate: how many, and what they weighed by the delay learned', () => {
    const t = traces(candidates, new Set(['shoes']));
    expect(t.scored.find((s) => s.action === 'shoes')).toMatchObject({ n: 2400, open: { n: 1680, w: 1320.46 } });
    expect(t.scored.find((s) => s.action === 'socks')).toMatchObject({ n: 193, open: { n: 190 } });
    expect(t.scored.find((s) => s.action === 'socks')!.open).not.toHaveProperty('w');
  });

  it('are shown in the full explanation as every estimate shows them, and said in the score\'s terms', () => {
    const t = traces(candidates, new Set(['shoes']));
    const record = {
      id: 'd1', at: Date.parse('2026-12-06T12:00:00Z'), profileKey: 'p1', subject: 'ana', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'ladder@1', arm: 'treatment',
      choices: [{ rank: 1, kind: 'action', action: 'shoes', score: 1, propensity: 1, why: '' }], scored: t.scored, excluded: t.excluded, facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
    } as DecisionRecord;
    const view = decisionView(record, { full: true, public: false, level: 0.9 }) as { explanation: { candidates: { action: string; estimate: Record<string, unknown>; factors: { name: string; detail?: string }[] }[] } };
    const [first, second] = ['shoes', 'socks'].map((a) => view.explanation.candidates.find((c) => c.action === a)!);
    expect(first.estimate.open).toEqual({ choices: 1680, exposure: 1320.46 });
    expect(second.estimate.open).toEqual({ choices: 190 });
    expect(first.factors[0].detail).toContain('n=2400, 1680 inside their windows (weighed as 1320 by the delay learned), population');
    expect(second.factors[0].detail).toContain('n=193, 190 inside their windows, population');
    expect(scoreWords(shoes)).toContain('(population, established, n=2400, 1680 inside their windows, weighed as 1320 by the delay learned)');
  });

  it('leave the trace and the words as they were when none are open', () => {
    const { ctx: c2, candidates: plain } = stageContext({ catalog: { actions, placements: [{ id: 'home', channel: 'web' }] }, placement: 'home' });
    eligibility(plain, c2);
    scoring(plain, c2);
    const t = traces(plain, new Set(['shoes']));
    expect(t.scored.every((s) => s.open === undefined)).toBe(true);
    expect(scoreWords(plain[0])).toMatch(/n=100\) ×/);
  });
});
