import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { checkCatalog } from './catalog.js';
import { compileCatalog } from './catalog-compile.js';
import { advertising, decideReq, picked } from './test-http.js';

const action = { id: 'vip-offer', name: 'VIP offer', channels: ['web'], value: 50 };
const newsletter = { id: 'newsletter', name: 'Newsletter', channels: ['web'], value: 0.5 };
const catalogWith = (vip: Record<string, unknown>) => ({ actions: [vip, newsletter], placements: [{ id: 'home', channel: 'web', slots: 2 }] });

describe('a catalog key it does not take, at the top', () => {
  it('is named as every other field of the document is, from the document\'s top: `placement`, not `catalog.placement`', () => {
    const problems = checkCatalog({ ...catalogWith(action), placement: [] });
    expect(problems.map((p) => p.field)).toEqual(['placement']);
    expect(problems[0].message).toContain('Did you mean `placements`?');
  });
});

describe('the items of a catalog refuse keys they do not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a misspelt eligibility rule is a 400 naming `actions[0].eligibilty`, the key it means and the action\'s keys — saved, it would make every subject eligible', async () => {
    const misspelt = catalogWith({ ...action, eligibilty: 'traits.plan == "vip"' });
    // What saving it would do: the key is no rule at all, so the action has no eligibility rule.
    expect(compileCatalog(misspelt as never).actions.get('vip-offer')!.own.eligibility).toBeUndefined();

    h = await harness('sqlite');
    await send(h.app, '/v1/identify', { userId: 'ana', traits: { plan: 'basic' }, context: advertising });
    await send(h.app, '/v1/identify', { userId: 'vic', traits: { plan: 'vip' }, context: advertising });
    const r = await putConfig(h, 'catalog', misspelt);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{
      field: 'actions[0].eligibilty',
      message: 'The `actions[0].eligibilty` field is not one Tact knows here. Did you mean `eligibility`? The fields are id, name, channels, purpose, value, contactCost, goal, topics, eligibility, applicability, suitability, start, end, variants, properties, highStakes, attributionWindow, customerReason, budgetWeight, description.',
    }]);
    // Spelt right, the rule keeps the action from the subject it was meant to exclude. (No
    // exploration: a draw that puts "none" first would end the list without the action.)
    expect((await putConfig(h, 'policy', { exploration: { budget: 0 } })).statusCode).toBe(200);
    expect((await putConfig(h, 'catalog', catalogWith({ ...action, eligibility: 'traits.plan == "vip"' }))).statusCode).toBe(200);
    expect(picked((await decideReq(h.app, { subject: 'ana', placement: 'home', n: 2 })).json())).not.toContain('vip-offer');
    expect(picked((await decideReq(h.app, { subject: 'vic', placement: 'home', n: 2 })).json())).toContain('vip-offer');
  });

  it('a variant\'s misspelt `status: draft` is refused: saved, the draft would be approved and shown to customers', async () => {
    const draft = catalogWith({ ...action, variants: [{ id: 'unreviewed', content: { headline: 'TODO legal' }, stauts: 'draft' }] });
    // What saving it would do: a variant without a status is approved.
    expect(compileCatalog(draft as never).actions.get('vip-offer')!.variants.map((v) => v.id)).toEqual(['unreviewed']);
    expect(checkCatalog(draft)).toEqual([{ field: 'actions[0].variants[0].stauts', message: 'The `actions[0].variants[0].stauts` field is not one Tact knows here. Did you mean `status`? The fields are id, content, status, description.' }]);
  });

  it('a placement\'s misspelt safe default is refused, naming the key it means', () => {
    const p = checkCatalog({ actions: [newsletter], placements: [{ id: 'home', channel: 'web', safeDefualt: 'newsletter' }] });
    expect(p).toEqual([{ field: 'placements[0].safeDefualt', message: 'The `placements[0].safeDefualt` field is not one Tact knows here. Did you mean `safeDefault`? The fields are id, name, channel, slots, actions, topics, safeDefault, public, description, selection, kind, recommend.' }]);
  });

  it('guesses the closest key, not the first one near it (`vale` is one edit from `value`, two from `name`)', () => {
    expect(checkCatalog({ actions: [{ ...newsletter, vale: 3 }] })[0].message).toMatch(/Did you mean `value`\?/);
  });

  it('a config file with one does not start, naming the section and the field', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { catalog: catalogWith({ ...action, eligibilty: 'false' }) } }))
        .rejects.toThrow(/The `catalog` section of test-config is not valid: actions\[0\]\.eligibilty: .*Did you mean `eligibility`\?/);
    } finally {
      await cleanup();
    }
  });
});
