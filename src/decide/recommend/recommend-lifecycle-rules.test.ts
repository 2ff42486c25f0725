import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { post } from '../test-http.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  lifecycle: { stages: [{ name: 'loyal', when: 'size(features.viewed) >= 2' }, { name: 'new', when: 'true' }] },
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence',
    items: { a: { price: 10 }, b: { price: 20 }, c: { price: 50 } },
    placements: { checkout: { rule: 'lifecycle.stage == "loyal" || item.price < 30.0' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 3, kind: 'recommendation', recommend: { rule: 'lifecycle.stage == "loyal" || item.price < 30.0' } }],
  },
};

const ids = (items: { id?: string; item?: string }[]) => items.map((i) => i.id ?? i.item).sort();

describe('recommendation placements whose rules read the lifecycle', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries({ u1: ['a', 'b', 'c'], u2: ['a', 'c'], ana: ['b', 'a'], zoe: ['b'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('are taken when written, and read the subject\'s stage in the settings\' placements and in a decision\'s', async () => {
    const recs = async (subject: string) => ids((await post(h.app, '/v1/recommendations', { subject, n: 3, placement: 'checkout' })).json().items);
    expect([await recs('ana'), await recs('zoe')]).toEqual([['c'], ['a']]);
    const decide = async (subject: string) => ids((await post(h.app, '/v1/decide', { subject, placement: 'recs', n: 3 })).json().choices);
    expect([await decide('ana'), await decide('zoe')]).toEqual([['c'], ['a']]);
  });

  it('are refused when they compare the stage with one the lifecycle does not define', async () => {
    const r = await putConfig(h, 'recommendations', { ...config.recommendations, placements: { checkout: { rule: 'lifecycle.stage == "loyl"' } } });
    expect(r.statusCode).toBe(400);
    expect(r.json().problems[0]).toMatchObject({ field: 'placements.checkout.rule', message: expect.stringContaining('did you mean `"loyal"`?') });
  });
});
