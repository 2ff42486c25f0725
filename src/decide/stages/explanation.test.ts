import { describe, expect, it } from 'vitest';
import { TRACE_DETAIL } from '../decision.js';
import { traces } from './explanation.js';
import { fixedEstimates, stageContext } from './fixture-context.js';
import { eligibility } from './eligibility.js';
import { scoring } from './scoring.js';
import type { Catalog } from '../catalog.js';
import { compileCatalog } from '../catalog-compile.js';
import { runPipeline } from '../pipeline.js';
import { playbookFor } from '../playbook.js';
import type { Policy } from '../policy.js';

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

describe('the sentences of a decision agree with its verdicts', () => {
  const actions = [
    { id: 'promo', name: 'Promo', channels: ['email'], topics: ['marketing'], value: 10 },
    { id: 'sale', name: 'Sale', channels: ['email'], topics: ['marketing'], value: 9 },
    { id: 'digest', name: 'Digest', channels: ['email'], topics: ['content'], value: 8 },
  ];
  const catalog: Catalog = { actions, placements: [{ id: 'mail', channel: 'email', slots: 3 }] };
  const decide = (policy: Policy, n: number, random?: () => number) => {
    const { ctx } = stageContext({ catalog, policy, placement: 'mail', now: Date.parse('2026-06-10T12:00:00Z'), rates: { promo: 0.5, sale: 0.5, digest: 0.5 }, random });
    const play = playbookFor(compileCatalog(catalog), ctx.policy, 1, 1);
    return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), n, () => 'r');
  };

  it('does not say "none" was worth as much as an action the caps left no room for', () => {
    const r = decide({ exploration: { budget: 0 }, contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } }, 3);
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['promo', 'sale', 'none']);
    // "Digest" scored 4 > 0: it lost to doing nothing only because the cap of 2 has no room for a third contact
    expect(r.choices[2].why).not.toContain('worth at least as much');
    expect(r.choices[2].why).toBe('The contact policy\'s caps and budgets leave no room for another contact in this decision: "Digest" (4) would go over the cap "email cap", and no other remaining action beats doing nothing (score 0).');
  });

  it('counts every remaining action the caps left no room for, rather than saying no other beats doing nothing', () => {
    // A cap of 1: "Promo" takes it; "Sale" (4.5) and "Digest" (4) both beat doing nothing and both would go over it
    // (until 2026-12-05: '"Sale" (4.5) would go over one of them, and no other remaining action beats doing nothing').
    const r = decide({ exploration: { budget: 0 }, contact: { caps: [{ name: 'email cap', channel: 'email', max: 1, window: '7d' }] } }, 3);
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['promo', 'none']);
    expect(r.choices[1].why).not.toContain('no other remaining action');
    expect(r.choices[1].why).toBe('The contact policy\'s caps and budgets leave no room for another contact in this decision: the 2 remaining actions that beat doing nothing (score 0), "Sale" (4.5) and "Digest" (4), would each go over the cap "email cap".');
    // Different limits: each group of actions is named with what it would go over.
    const two = decide({ exploration: { budget: 0 }, contact: { caps: [{ name: 'marketing cap', channel: 'email', topic: 'marketing', max: 1, window: '7d' }], budgets: [{ name: 'mail budget', channel: 'email', max: 1, window: '1d' }] } }, 3);
    expect(two.choices.map((c) => c.action ?? c.kind)).toEqual(['promo', 'none']);
    expect(two.choices[1].why).toBe('The contact policy\'s caps and budgets leave no room for another contact in this decision: the 2 remaining actions that beat doing nothing (score 0) would each go over one of them: "Sale" (4.5) the cap "marketing cap" and the budget "mail budget"; "Digest" (4) the budget "mail budget".');
  });

  it('tells a holdout subject handed to a person that a person will look after it, as the choice says', () => {
    const policy: Policy = { holdout: { share: 1 }, humanTerritory: [{ name: 'vip', queue: 'vip-desk', flags: ['vipdesk'] }] };
    const { ctx } = stageContext({ catalog, policy, placement: 'mail', flags: ['vipdesk'], rates: { promo: 0.5, sale: 0.5, digest: 0.5 } });
    const r = runPipeline(ctx, playbookFor(compileCatalog(catalog), ctx.policy, 1, 1).rulebook.forPlacement(ctx.placement), 1, () => 'r');
    // Human territory wins over the holdout: the subject is handed off, and the arm is still logged "holdout".
    expect(r.arm).toBe('holdout');
    expect(r.choices).toMatchObject([{ kind: 'handoff', queue: 'vip-desk' }]);
    expect(r.operator).toContain('Handed to the queue "vip-desk"');
    expect(r.customer).toBe('A member of our team will look after this for you personally.');
    // a holdout subject not handed off is still told nothing is personalised
    expect(runPipeline({ ...ctx, subject: { ...ctx.subject, flags: new Set() } }, playbookFor(compileCatalog(catalog), ctx.policy, 1, 1).rulebook.forPlacement(ctx.placement), 1, () => 'r').customer).toBe('We are not showing you anything personalised here right now.');
  });

  it('says plainly when no action is on the placement\'s channel, rather than that none passed the rules', () => {
    const push: Catalog = { actions, placements: [{ id: 'push', channel: 'push' }, { id: 'picked', channel: 'email', actions: ['other'], topics: ['content'] }] };
    const decideOn = (placement: string) => {
      const { ctx } = stageContext({ catalog: push, placement, rates: {} });
      return runPipeline(ctx, playbookFor(compileCatalog(push), ctx.policy, 1, 1).rulebook.forPlacement(ctx.placement), 1, () => 'r');
    };
    const r = decideOn('push');
    expect(r.candidates).toEqual([]);
    expect(r.choices.map((c) => c.kind)).toEqual(['none']);
    expect(r.operator).toBe('No action can be shown here: none of the catalog\'s actions is on this placement\'s channel (push), so the answer is to do nothing.');
    expect(r.customer).toBe('We are not showing you anything personalised here right now.');
    // the placement's `actions` list and topics narrow the candidates too: the sentence names them
    expect(decideOn('picked').operator).toBe('No action can be shown here: none of the catalog\'s actions is on this placement\'s channel (email) in its `actions` list (other) with one of its topics (content), so the answer is to do nothing.');
  });

  it('does not tell the customer an exploration pick is what we expect to be most useful', () => {
    // ε = 1: the draw 0.7 takes the third of the K = 4 options (Promo 5, Sale 4.5, Digest 4, none 0): "Digest", not the best "Promo"
    const r = decide({ exploration: { budget: 1 } }, 1, () => 0.7);
    expect(r.choices[0].action).toBe('digest');
    expect(r.choices[0].why).toContain('Chosen by exploration');
    expect(r.customer).not.toContain('most useful');
    expect(r.customer).toBe('You are seeing "Digest" because we sometimes show other content than our first pick, to learn what is most relevant to people like you.');
    // a greedy pick keeps the usual sentence
    expect(decide({ exploration: { budget: 0 } }, 1).customer).toContain('most useful thing for you');
  });
});

describe('the sentence of a held action with nothing in its place', () => {
  // Placement `p` shows 4; `hs` is high-stakes and best-scoring, `safe` its safe default.
  const catalog: Catalog = {
    actions: [
      ...['a1', 'a2', 'a3'].map((id) => ({ id, name: id.toUpperCase(), channels: ['web'], value: 10 })),
      { id: 'hs', name: 'High stakes', channels: ['web'], value: 100, highStakes: true },
      { id: 'safe', name: 'Safe', channels: ['web'], value: 1 },
    ],
    placements: [{ id: 'p', channel: 'web', slots: 4, safeDefault: 'safe' }],
  };
  const decide = (policy: Policy, random: () => number) => {
    const { ctx } = stageContext({ catalog, policy, placement: 'p', rates: { a1: 0.5, a2: 0.4, a3: 0.3, hs: 0.5, safe: 0.5 }, random });
    return runPipeline(ctx, playbookFor(compileCatalog(catalog), ctx.policy, 1, 1).rulebook.forPlacement(ctx.placement), 4, () => 'r');
  };

  it('says the safe default is already shown above when exploration put it at rank 1, not that it is "none" or not admitted', () => {
    // ε = 0.3: rank 1 explores (0.1 < 0.3) and the draw 0.7 takes the fifth of the K = 6 options (High stakes 50,
    // A1 5, A2 4, A3 3, Safe 0.5, none 0); rank 2 is greedy (0.99) and picks "High stakes", held with its stand-in taken.
    const draws = [0.1, 0.7];
    const r = decide({ exploration: { budget: 0.3 } }, () => draws.shift() ?? 0.99);
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['safe', 'none']);
    expect(r.choices[1].held).toEqual({ action: 'hs', reviewId: 'r' });
    // until 2026-12-05: '… meanwhile the subject gets nothing (the safe default is "none" or not admitted).'
    expect(r.choices[1].why).toBe('"High stakes" is high-stakes and waits for a person\'s review (r); meanwhile the subject gets nothing in its place (the safe default "Safe" is already shown above, at rank 1).');
  });

  it('says the safe default is "none", or is not admitted, when that is why', () => {
    const none = decide({ exploration: { budget: 0 } }, () => 0.99);
    expect(none.choices[0]).toMatchObject({ kind: 'action', action: 'safe', held: { action: 'hs' } });
    const noSafe = { ...catalog, placements: [{ id: 'p', channel: 'web', slots: 4, safeDefault: 'none' }] };
    const { ctx } = stageContext({ catalog: noSafe, placement: 'p', rates: { hs: 0.5 }, random: () => 0.99 });
    const r = runPipeline(ctx, playbookFor(compileCatalog(noSafe), ctx.policy, 1, 1).rulebook.forPlacement(ctx.placement), 4, () => 'r');
    expect(r.choices[0].why).toContain('meanwhile the subject gets nothing in its place (the safe default is "none").');
    const excluded = decide({ exploration: { budget: 0 }, rules: [{ name: 'no safe', stage: 'eligibility', when: 'false', actions: ['safe'] }] }, () => 0.99);
    expect(excluded.choices[0].why).toContain('meanwhile the subject gets nothing in its place (the safe default "Safe" is not admitted here).');
  });
});

describe('a score\'s terms in words', () => {
  it('give the configured value, weights and contact cost as configured (a value of 2499.5 read "2500", so the sentence\'s arithmetic missed the score)', async () => {
    const { scoreWords } = await import('./explanation.js');
    const words = scoreWords({ estimate: { value: 0.136364, source: 'population', status: 'learning', evidence: 2 }, action: { goal: 'conversion', value: 2499.5, contactCost: 0.123456 }, levers: [['L3', 3.25]] } as never);
    expect(words).toContain('13.6% conversion rate');
    expect(words).toContain('× value 2499.5 × 3.25 (L3) - contact cost 0.123456');
  });
});

describe('the customer sentence says what the pick rests on', () => {
  const catalog: Catalog = { actions: [{ id: 'promo', name: 'Promo', channels: ['web'], value: 10 }], placements: [{ id: 'home', channel: 'web' }] };
  const sentence = (source: 'population' | 'segment' | 'personal') => {
    const { ctx } = stageContext({ catalog, policy: { exploration: { budget: 0 } }, placement: 'home' });
    const fixed = fixedEstimates({ promo: 0.5 });
    ctx.estimates = { ...fixed, estimate: (a, s) => ({ ...fixed.estimate(a, s), source }) };
    const play = playbookFor(compileCatalog(catalog), ctx.policy, 1, 1);
    return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'r').customer;
  };

  it('names the subject\'s own activity only when the estimate is personal', () => {
    // Until 2026-12-06 every pick was "based on your activity with us", a subject with none too.
    expect(sentence('personal')).toBe('You are seeing "Promo" because we expect it to be the most useful thing for you right now, based on your activity with us.');
    expect(sentence('segment')).toBe('You are seeing "Promo" because we expect it to be the most useful thing for you right now, based on what people like you have found useful.');
    expect(sentence('population')).toBe('You are seeing "Promo" because we expect it to be the most useful thing for you right now, based on what our customers have found most useful.');
  });
});
