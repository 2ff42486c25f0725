import { describe, expect, it } from 'vitest';
import { TRACE_DETAIL } from '../decision.js';
import { traces } from './explanation.js';
import { stageContext } from './fixture-context.js';
import { eligibility } from './eligibility.js';
import { scoring } from './scoring.js';

describe('the trace a decision keeps', () => {
  const actions = Array.from({ length: 14 }, (_, i) => ({ id: `a${i}`, name: `A${i}`, channels: ['web'], value: 10 + i, ...(i >= 12 ? { eligibility: 'false' } : {}) }));
  const { ctx, candidates } = stageContext({ catalog: { actions, placements: [{ id: 'home', channel: 'web' }] }, placement: 'home' });
  eligibility(candidates, ctx);
  scoring(candidates, ctx);

  it('groups exclusions by stage, rule and reason, and keeps scored candidates best first', () => {
    const t = traces(candidates, new Set(['a11']));
    expect(t.excluded).toEqual([{ stage: 'eligibility', rule: 'own eligibility rule', reason: 'its own eligibility rule does not hold', actions: ['a12', 'a13'] }]);
    expect(t.scored.map((s) => s.action)).toEqual(['a11', 'a10', 'a9', 'a8', 'a7', 'a6', 'a5', 'a4', 'a3', 'a2', 'a1', 'a0']);
  });

  it('keeps the estimate of the best ten and of every chosen one; the others keep their score', () => {
    const t = traces(candidates, new Set(['a0']));
    const detailed = t.scored.filter((s) => s.p !== undefined).map((s) => s.action);
    expect(detailed).toEqual([...t.scored.slice(0, TRACE_DETAIL).map((s) => s.action), 'a0']);
    expect(t.scored.find((s) => s.action === 'a1')).toEqual({ action: 'a1', score: 0.55 });
    expect(t.scored[0]).toMatchObject({ action: 'a11', score: 1.05, p: 0.05, n: 100, rung: 'population', value: 21 });
  });
});
