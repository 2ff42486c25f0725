import { describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog.js';
import { compileCatalog } from '../catalog-compile.js';
import { playbookFor } from '../playbook.js';
import type { Policy } from '../policy.js';
import { compilePolicy } from '../policy-compile.js';
import { runPipeline } from '../pipeline.js';
import { outcome, stageContext } from './fixture-context.js';

const shoes = { id: 'shoes', name: 'Running shoes', channels: ['web'], value: 60, topics: ['marketing'] };
const credit = { id: 'credit', name: 'Credit line', channels: ['web'], value: 200, topics: ['credit'] };
/** A territory that owns the credit action for every subject, and nothing else. */
const policy: Policy = { humanTerritory: [{ name: 'credit desk', queue: 'credit-advisors', when: '"credit" in action.topics' }] };

function decide(actions: Catalog['actions'], p: Policy = policy) {
  const catalog: Catalog = { actions, placements: [{ id: 'home', channel: 'web', slots: 1 }] };
  const { ctx } = stageContext({ catalog, policy: p, placement: 'home', rates: { shoes: 0.1, credit: 0.1 } });
  const play = playbookFor(compileCatalog(catalog), compilePolicy(p), 1, 1);
  return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'review-1');
}

describe('a human territory whose `when` reads the candidate action', () => {
  it('holds the credit action for a person and lets automation decide the shoes one, whatever their order', () => {
    for (const actions of [[shoes, credit], [credit, shoes]]) {
      const r = decide(actions);
      const order = actions.map((a) => a.id).join(',');
      expect(outcome(r.candidates), order).toEqual({ in: ['shoes'], out: { credit: 'human territory/credit desk' } });
      expect(r.territory, order).toBeUndefined();
      expect(r.choices.map((c) => c.action ?? c.kind), order).toEqual(['shoes']);
      expect(r.candidates.find((c) => c.action.id === 'credit')!.out!.reason, order).toBe('it is human territory for this subject ("credit desk"): the queue "credit-advisors" offers it, not automation');
    }
  });

  it('hands the subject to the queue when it holds every candidate still in', () => {
    const r = decide([credit, { ...credit, id: 'credit-2', name: 'Credit card' }]);
    expect(r.choices).toMatchObject([{ kind: 'handoff', queue: 'credit-advisors' }]);
    expect(r.territory?.name).toBe('credit desk');
  });

  it('is judged on candidates still in, not on one an earlier stage excluded', () => {
    // The credit action, first, is excluded by its own eligibility: the territory must not be judged on it.
    const r = decide([{ ...credit, eligibility: 'false' }, shoes]);
    expect(r.choices.map((c) => c.action ?? c.kind)).toEqual(['shoes']);
    expect(outcome(r.candidates).out).toEqual({ credit: 'eligibility/own eligibility rule' });
  });

  it('keeps a segment territory (no `action` read) judged once for the subject: every candidate yields to the handoff', () => {
    const segment: Policy = { humanTerritory: [{ name: 'vip', queue: 'vip-desk', when: 'features.revenue >= 10000.0' }] };
    const catalog: Catalog = { actions: [shoes, credit], placements: [{ id: 'home', channel: 'web', slots: 1 }] };
    const { ctx } = stageContext({ catalog, policy: segment, placement: 'home', vars: { features: { revenue: 12000 } } });
    let evaluations = 0;
    const t = ctx.policy.territory[0].when!;
    const run = t.run;
    t.run = (v) => (evaluations++, run(v));
    const play = playbookFor(compileCatalog(catalog), ctx.policy, 1, 1);
    const r = runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'review-1');
    expect(r.choices).toMatchObject([{ kind: 'handoff', queue: 'vip-desk' }]);
    expect(evaluations).toBe(1);
  });
});
