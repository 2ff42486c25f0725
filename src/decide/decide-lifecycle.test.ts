import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { shopCatalog, shopConfig, shopFeatures } from './fixtures.js';
import { advertising, decideReq, picked } from './test-http.js';

const catalog = shopCatalog();
const actions = catalog.actions ?? [];
const vip = { id: 'vip-offer', name: 'Private sale', channels: ['web'], value: 500, topics: ['content'], eligibility: 'lifecycle.valueTier == "gold"' };
const config = {
  ...shopConfig(),
  features: [...shopFeatures, { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }],
  lifecycle: { valueTiers: [{ name: 'gold', when: 'features.revenue >= 100.0' }, { name: 'standard', when: 'true' }] },
  catalog: { ...catalog, actions: [...actions, vip] },
};

describe('an action whose eligibility reads the value tier', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    await send(h.app, '/v1/identify', { userId: 'ana', context: advertising });
  });
  afterEach(async () => h.close());

  it('is chosen for the profiles in that tier only, and the decision keeps the tier among its facts', async () => {
    const before = (await decideReq(h.app, { subject: 'ana', placement: 'home', explain: 'full' })).json();
    expect(picked(before)).not.toContain('vip-offer');
    expect(before.explanation.candidates.find((c: { action: string }) => c.action === 'vip-offer')).toMatchObject({ status: 'excluded', stage: 'eligibility', rule: 'own eligibility rule' });
    expect(before.explanation.facts['lifecycle.valueTier']).toBe('standard');

    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', properties: { revenue: 150, products: [{ product_id: 'sku-x' }] } });
    const after = (await decideReq(h.app, { subject: 'ana', placement: 'home' })).json();
    expect(picked(after)[0]).toBe('vip-offer');
    expect((await get(h.app, `/v1/decisions/${after.decisionId}`)).json().explanation.facts['lifecycle.valueTier']).toBe('gold');
  });

  it('is refused when written with a tier the lifecycle does not define', async () => {
    const r = await putConfig(h, 'catalog', { ...catalog, actions: [...actions, { ...vip, eligibility: 'lifecycle.valueTier == "glod"' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'actions[5].eligibility', message: expect.stringMatching(/compares `lifecycle\.valueTier` with `"glod"`, which is not a value tier: did you mean `"gold"`\? The value tiers are gold, standard\./) }]);
  });
});
