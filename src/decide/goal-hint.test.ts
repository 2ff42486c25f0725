import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { shopCatalog, shopConfig } from './fixtures.js';
import { catalogGoalWarnings } from './goal-hint.js';

const docs = (policy?: object) => ({ latest: async <T>() => (policy ? { kind: 'policy', version: 1, body: policy as T, author: 't', reason: 'r', createdAt: 0 } : undefined) });
const action = (id: string, goal?: string) => ({ id, name: id, channels: ['web'], ...(goal === undefined ? {} : { goal }) });

describe('an action goal one typo from an outcome type', () => {
  it('is warned of, naming the field and the type meant; a goal that is a known type, the default, or far from every type is not', async () => {
    const catalog = { actions: [action('k1', 'convrsion'), action('k2', 'click'), action('k3'), action('k4', 'signup'), action('k5', 'clik'), action('k6', 'Conversion')] };
    const w = await catalogGoalWarnings(catalog, docs());
    expect(w.map((x) => x.field)).toEqual(['actions[0].goal', 'actions[4].goal', 'actions[5].goal']);
    expect(w[0].message).toContain('Did you mean `conversion`?');
    expect(w[1].message).toContain('Did you mean `click`?');
  });

  it('reads the policy in force: its rewards and the types its events become are types too', async () => {
    const policy = { outcomes: { rewards: { purchase: 'value' }, events: { 'Trial Started': { type: 'trial_start' } } } };
    const catalog = { actions: [action('a', 'purchase'), action('b', 'purchse'), action('c', 'trial_start'), action('d', 'trail_start')] };
    const w = await catalogGoalWarnings(catalog, docs(policy));
    expect(w.map((x) => [x.field, /Did you mean `([^`]+)`/.exec(x.message)?.[1]])).toEqual([['actions[1].goal', 'purchase'], ['actions[3].goal', 'trial_start']]);
  });
});

describe('PUT /v1/config/catalog with a misspelt goal', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('applies the catalog and answers a warning for the goal', async () => {
    const t = (h = await harness('sqlite', { config: shopConfig() }));
    const catalog = shopCatalog();
    catalog.actions![1] = { ...catalog.actions![1], goal: 'convrsion' };
    const r = await t.app.inject({ method: 'PUT', url: '/v1/config/catalog', headers: { authorization: bearer(KEYS.admin) }, payload: { document: catalog, reason: 'goal typo' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().warnings.map((x: { field: string }) => x.field)).toEqual(['actions[1].goal']);
  });
});
