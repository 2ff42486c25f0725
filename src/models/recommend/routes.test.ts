import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: { interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence' },
};

describe('POST /v1/rerank', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries({ u1: ['a', 'b'], u2: ['a', 'b'], u3: ['a', 'c'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('refuses a null or non-numeric relevance, naming the item\'s field (a null is not a relevance of 0)', async () => {
    for (const relevance of [null, '2', true]) {
      const res = await post(h.app, '/v1/rerank', { subject: 'u3', items: [{ id: 'a', relevance: 1 }, { id: 'b', relevance }] });
      expect(res.statusCode, JSON.stringify(relevance)).toBe(400);
      expect(res.json().problems[0].field).toBe('items[1].relevance');
    }
    // A missing one is refused by the route's schema, named as every 400 names a list's element
    // (src/errors/schema-problems.ts; until 2026-12-05 the schema's problems said `items.1`).
    const missing = await post(h.app, '/v1/rerank', { subject: 'u3', items: [{ id: 'a', relevance: 1 }, { id: 'b' }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().problems[0].field).toBe('items[1].relevance');
  });

  it('names a relevance that is not a finite number the same way whatever it is, as the rest of the API names a field in a list', async () => {
    // Until 2026-12-05: null and "2" were `items.1.relevance`, 1e400 (refused at the door) `items[1].relevance`.
    const raw = (relevance: string) => h.app.inject({ method: 'POST', url: '/v1/rerank', headers: { authorization: bearer(KEYS.server), 'content-type': 'application/json' }, payload: `{"subject":"u3","items":[{"id":"a","relevance":1},{"id":"b","relevance":${relevance}}]}` });
    for (const relevance of ['null', '"2"', '1e400', '-1e400']) {
      const res = await raw(relevance);
      expect(res.statusCode, relevance).toBe(400);
      expect(res.json().problems.map((p: { field: string }) => p.field), relevance).toEqual(['items[1].relevance']);
      expect(res.json().problems[0].message, relevance).toMatch(/^The `items\[1\]\.relevance` must be a finite number/);
    }
  });

  it('refuses an item listed twice, naming the second', async () => {
    const res = await post(h.app, '/v1/rerank', { subject: 'u3', items: [{ id: 'a', relevance: 2 }, { id: 'b', relevance: 1 }, { id: 'a', relevance: 0.5 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems[0]).toMatchObject({ field: 'items[2].id', message: expect.stringContaining('(items[0] and items[2])') });
  });
});

describe('recommendations settings', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('refuses lambda 0: EASE needs a positive ridge (an item without interactions makes XᵀX singular)', async () => {
    h = await harness('sqlite', { config });
    const res = await h.app.inject({
      method: 'PUT', url: '/v1/config/recommendations', headers: { authorization: 'Bearer test-admin-key', 'content-type': 'application/json' },
      payload: { document: { ...config.recommendations, algorithm: 'ease', lambda: 0 }, reason: 'test' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems.map((p: { field: string }) => p.field)).toEqual(['lambda']);
  });

  it('says so when `history` or `purchased` names a feature that is not defined (nothing would be excluded as bought)', async () => {
    // Refused when written (src/decide/recommend/recommend-names.test.ts); a version stored before that check still loads, and the answer says so.
    h = await harness('sqlite', { config });
    await h.store.documents.put('recommendations', { ...config.recommendations, purchased: ['bought'] }, { author: 'test', reason: 'before the check' });
    await h.tact.settings.reload();
    for (const u of ['u1', 'u2']) for (const product_id of ['a', 'b']) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
    const r = (await post(h.app, '/v1/recommendations', { subject: 'u1', n: 2 })).json();
    expect(r.note).toContain('recommendations.purchased names features that are not defined: bought');
  });

  it('keeps viewed items among the candidates when excludeHistory is false (bought ones never)', async () => {
    const features = [...config.features, { name: 'bought', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 50 }];
    h = await harness('sqlite', { config: { features, recommendations: { ...config.recommendations, purchased: ['bought'], excludeHistory: false } } });
    for (const [u, items] of Object.entries({ u1: ['a', 'b', 'c'], u2: ['a', 'b', 'c'], u3: ['a', 'c'], ana: ['a', 'b'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
    const ids = async () => (await post(h.app, '/v1/recommendations', { subject: 'ana', n: 5 })).json().items.map((i: { id: string }) => i.id);
    expect(await ids()).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', properties: { products: [{ product_id: 'b' }] } });
    expect(await ids()).not.toContain('b');
  });
});
