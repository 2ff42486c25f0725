import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';

const config = {
  features: [
    { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
    { name: 'bought', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
  ],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    purchased: ['bought'],
    outOfStock: ['sku-oos'],
    algorithm: 'cooccurrence',
    items: { 'sku-a': { category: 'shoes' }, 'sku-b': { category: 'shoes' }, 'sku-oos': { category: 'shoes' }, 'sku-card': { category: 'gift-card' }, 'sku-c': { category: 'socks' } },
    rule: 'item.category != "gift-card"',
    placements: { search: { rule: 'item.category != "socks"', exclude: ['sku-a'] } },
  },
};

const ids = (r: { items: { id: string }[] }) => r.items.map((i) => i.id);

describe('POST /v1/rerank applies the business filters of /v1/recommendations', () => {
  let h: Harness;
  const list = [{ id: 'sku-b', relevance: 5 }, { id: 'sku-oos', relevance: 4 }, { id: 'sku-card', relevance: 3 }, { id: 'sku-c', relevance: 2 }, { id: 'sku-a', relevance: 1 }];
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const u of ['u1', 'u2', 'u3']) for (const product_id of ['sku-a', 'sku-b', 'sku-c', 'sku-oos', 'sku-card']) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Product Viewed', properties: { product_id: 'sku-a' } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Order Completed', properties: { products: [{ product_id: 'sku-b' }] } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('drops what was bought (read fresh), what is out of stock and what the rule refuses, and says which and why', async () => {
    const res = await post(h.app, '/v1/rerank', { subject: 'ana', items: list });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    // A viewed item stays: the caller's list is what the subject asked for (a search), not discovery.
    expect(ids(r).sort()).toEqual(['sku-a', 'sku-c']);
    expect(r.dropped).toEqual([
      { id: 'sku-b', reason: 'purchased' },
      { id: 'sku-oos', reason: 'out of stock' },
      { id: 'sku-card', reason: 'rule', rule: 'rule' },
    ]);
    // A visitor with no profile has bought nothing: only the catalog's filters apply.
    const stranger = (await post(h.app, '/v1/rerank', { subject: 'nobody', items: list })).json();
    expect(ids(stranger)).toEqual(['sku-b', 'sku-c', 'sku-a']);
    expect(stranger.dropped.map((d: { id: string }) => d.id)).toEqual(['sku-oos', 'sku-card']);
  });

  it('applies a named placement\'s rule and exclusions and the request\'s filters, as /v1/recommendations does', async () => {
    const r = (await post(h.app, '/v1/rerank', { subject: 'nobody', items: list, placement: 'search' })).json();
    expect(ids(r)).toEqual(['sku-b']);
    expect(r.dropped).toEqual([
      { id: 'sku-oos', reason: 'out of stock' },
      { id: 'sku-card', reason: 'rule', rule: 'rule' },
      { id: 'sku-c', reason: 'rule', rule: 'placements.search.rule' },
      { id: 'sku-a', reason: 'excluded' },
    ]);
    const f = (await post(h.app, '/v1/rerank', { subject: 'nobody', items: list, filters: { exclude: ['sku-c'], outOfStock: ['sku-b'], rule: 'item.id != "sku-a"' } })).json();
    expect(ids(f)).toEqual([]);
    expect(f.dropped).toEqual([
      { id: 'sku-b', reason: 'out of stock' },
      { id: 'sku-oos', reason: 'out of stock' },
      { id: 'sku-card', reason: 'rule', rule: 'rule' },
      { id: 'sku-c', reason: 'excluded' },
      { id: 'sku-a', reason: 'rule', rule: 'filters.rule' },
    ]);
  });

  it('refuses a placement the settings do not define and a request rule reading a name no rule sees, naming the field', async () => {
    const p = await post(h.app, '/v1/rerank', { subject: 'ana', items: list, placement: 'nowhere' });
    expect(p.statusCode).toBe(400);
    expect(p.json().problems[0]).toMatchObject({ field: 'placement', message: expect.stringContaining('the recommendation placements are search') });
    const rule = await post(h.app, '/v1/rerank', { subject: 'ana', items: list, filters: { rule: 'itme.category == "shoes"' } });
    expect(rule.statusCode).toBe(400);
    expect(rule.json().problems[0]).toMatchObject({ field: 'filters.rule', message: expect.stringContaining('`item`') });
  });

  it('answers odd placements and filters with a 400 naming the field, never a 5xx', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ placement: '__proto__' }, 'placement'], [{ placement: 'constructor' }, 'placement'], [{ placement: 'toString' }, 'placement'],
      [{ filters: { rule: ' ' } }, 'filters.rule'], [{ filters: { rule: 'item.' } }, 'filters.rule'], [{ filters: { rule: 'item.id' } }, 'filters.rule'],
      [{ filters: { rule: 'item.id.length > 0.0' } }, 'filters.rule'],
    ];
    for (const [extra, field] of cases) {
      const res = await post(h.app, '/v1/rerank', { subject: 'ana', items: list, ...extra });
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      // invalid_expression names the field in its sentence; validation_failed in its problems.
      const body = res.json();
      if (body.problems) expect(body.problems[0].field, JSON.stringify(extra)).toBe(field);
      else expect(body.message, JSON.stringify(extra)).toContain(`\`${field}\``);
    }
  });

  it('filters before any model is trained, too', async () => {
    const fresh = await harness('sqlite', { config });
    try {
      const r = (await post(fresh.app, '/v1/rerank', { subject: 'nobody', items: list })).json();
      expect(r.modelVersion).toBeNull();
      expect(ids(r)).toEqual(['sku-b', 'sku-c', 'sku-a']);
    } finally {
      await fresh.close();
    }
  });
});
