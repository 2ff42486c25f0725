import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence',
    items: { a: { name: 'Alpha', price: 10 }, b: { name: 'Beta', price: 20 }, c: { name: 'Gamma', price: 50 } },
    placements: { checkout: { rule: 'item.price < 30.0' } },
  },
};

describe('POST /v1/recommendations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries({ u1: ['a', 'b', 'c'], u2: ['a', 'b'], u3: ['a', 'c'], u4: ['constructor', 'c'], ana: ['a'], zoe: ['constructor'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('refuses a request rule reading a name no rule sees, naming `filters.rule` (a typo would filter out every item in silence)', async () => {
    // `itme` for `item`, `vewed` for `viewed`: each compiles, then fails for every item, and the answer was an empty 200.
    for (const [rule, hint] of [['itme.price < 30.0', '`item`'], ['item.price < 30.0 && size(features.vewed) > 0', '`features.viewed`']]) {
      const res = await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, filters: { rule } });
      expect(res.statusCode, rule).toBe(400);
      expect(res.json().problems[0]).toMatchObject({ field: 'filters.rule', message: expect.stringContaining(hint) });
    }
    const ok = await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, filters: { rule: 'item.price < 30.0 && size(features.viewed) > 0' } });
    expect(ok.json().items.map((i: { id: string }) => i.id)).toEqual(['b']);
  });

  it('refuses a placement that is not configured even when its name is a property every object has (`toString`)', async () => {
    for (const placement of ['toString', 'constructor', 'nowhere']) {
      const res = await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, placement });
      expect(res.statusCode, placement).toBe(400);
      expect(res.json().problems[0]).toMatchObject({ field: 'placement', message: expect.stringContaining('the recommendation placements are checkout') });
    }
    expect((await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, placement: 'checkout' })).json().items.map((i: { id: string }) => i.id)).toEqual(['b']);
  });

  it('explains by the id an item the catalog does not list, even one named like a property of every object', async () => {
    const [first] = (await post(h.app, '/v1/recommendations', { subject: 'zoe', n: 1 })).json().items;
    expect(first).toMatchObject({ id: 'c', because: 'constructor', explanation: 'because you viewed constructor' });
  });
});
