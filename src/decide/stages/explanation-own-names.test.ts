import { describe, expect, it } from 'vitest';
import { runPipeline } from '../pipeline.js';
import { playbookFor } from '../playbook.js';
import { compileCatalog } from '../catalog-compile.js';
import { compilePolicy } from '../policy-compile.js';
import { stageContext } from './fixture-context.js';
import type { Catalog } from '../catalog.js';
import type { Policy } from '../policy.js';

/**
 * The operator explanation's "most often" leaves out the name of an action's own rule (the stages
 * give every one the same generated name, `own <stage> rule`), but not the name of anything a user
 * named starting with "own ": a cap "own web cap" (whose reason does not carry its name) was not
 * named at all, and a rule "own brand only" lost the `(rule "…")` every other rule gets.
 */
const catalog: Catalog = {
  actions: [
    { id: 'loan', name: 'Loan', channels: ['web'], value: 300, eligibility: 'features.orders >= 1.0', properties: { brand: 'partner' } },
    { id: 'upsell', name: 'Upsell', channels: ['web'], value: 50, properties: { brand: 'partner' } },
    { id: 'banner', name: 'Banner', channels: ['web'], value: 2, properties: { brand: 'own' } },
  ],
  placements: [{ id: 'home', channel: 'web', slots: 1 }],
};

const operator = (policy: Policy, orders: number) => {
  const { ctx } = stageContext({ catalog, policy, placement: 'home', vars: { features: { orders } }, rates: { loan: 0.05, upsell: 0.1, banner: 0.1 } });
  const play = playbookFor(compileCatalog(catalog), compilePolicy(policy), 1, 1);
  return runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 1, () => 'review-1').operator;
};

describe('the explanation\'s most common exclusion', () => {
  it('names a policy rule whose name starts with "own "', () => {
    const policy: Policy = { rules: [{ name: 'own brand only', stage: 'suitability', when: 'action.properties.brand == "own"' }] };
    expect(operator(policy, 2)).toMatch(/most often: .* \(rule "own brand only"\), 2 times\./);
  });

  it('names a cap whose name starts with "own " (its reason does not name it)', () => {
    const policy: Policy = { contact: { caps: [{ name: 'own web cap', channel: 'web', max: 0, window: '1d' }] } };
    expect(operator(policy, 2)).toContain('most often: the cap allows no web contacts in 1 day (rule "own web cap"), 3 times.');
  });

  it('leaves out the generated name of an action\'s own rule', () => {
    expect(operator({}, 0)).toContain('most often: its own eligibility rule does not hold, 1 time.');
  });
});
