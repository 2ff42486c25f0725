import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { post } from '../../decide/test-http.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence',
    // `c` has no price, `d` is not listed at all (its only field is its id).
    items: { a: { name: 'Alpha', price: 10 }, b: { name: 'Beta', price: 20 }, c: { name: 'Gamma' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 5, kind: 'recommendation', recommend: { rule: 'item.price < context.maxPrice' } }],
  },
};

/** Popularity: a by 4 subjects, b by 3, c by 2, d by 1. */
const views: Record<string, string[]> = { u1: ['a', 'b', 'c', 'd'], u2: ['a', 'b', 'c'], u3: ['a', 'b'], u4: ['a'] };

describe('an item rule that cannot be evaluated on an item', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries(views)) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('leaves the item out and says so in the answer: which rule, on how many of the items it was asked about, why, which items', async () => {
    const r = (await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 5, filters: { rule: 'item.price < 30.0' } })).json();
    expect(r.items.map((i: { id: string }) => i.id)).toEqual(['a', 'b']);
    expect(r.ruleErrors).toEqual([{ rule: 'filters.rule', failed: 2, asked: 4, error: 'No such key: price', items: ['c', 'd'] }]);
    expect(r.note).toContain('The rule `filters.rule` could not be evaluated on 2 of the 4 items it was asked about (No such key: price; c, d): they are left out.');
    // Said how to mean it: with has(), the item without a price is a plain "no", not an error.
    const guarded = (await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 5, filters: { rule: 'has(item.price) && item.price < 30.0' } })).json();
    expect(guarded.items.map((i: { id: string }) => i.id)).toEqual(['a', 'b']);
    expect(guarded.ruleErrors).toBeUndefined();
    expect(guarded.note).toBeUndefined();
  });

  it('in a decision: a rule that fails on every item is named in the "none" and in the operator\'s sentence, not an unexplained empty list', async () => {
    const none = (await post(h.app, '/v1/decide', { subject: 'nobody', placement: 'recs', n: 3 })).json();
    expect(none.choices).toMatchObject([{ kind: 'none' }]);
    expect(none.choices[0].explanation).toContain('The rule `recs.recommend.rule` could not be evaluated on any of the 4 items it was asked about (No such key: maxPrice; a, b, c, d): every item it was asked about is left out; check the rule.');
    expect(none.explanation.operator).toContain('could not be evaluated on any of the 4 items');
    // Some fail: the list comes back, and the operator's sentence counts the failures.
    const some = (await post(h.app, '/v1/decide', { subject: 'nobody', placement: 'recs', n: 3, context: { maxPrice: 30 } })).json();
    expect(some.choices.map((c: { item: string }) => c.item)).toEqual(['a', 'b']);
    expect(some.explanation.operator).toContain('The rule `recs.recommend.rule` could not be evaluated on 2 of the 4 items it was asked about (No such key: price; c, d): they are left out.');
  });

  it('sees an unknown visitor\'s profile as empty, as decisions do: a rule reading a feature is no error for every item', async () => {
    const r = (await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 5, filters: { rule: 'size(features.viewed) == 0 && item.id != "a"' } })).json();
    expect(r.items.map((i: { id: string }) => i.id)).toEqual(['b', 'c', 'd']);
    expect(r.ruleErrors).toBeUndefined();
  });
});

describe('an item rule reading a field no item has', () => {
  let h: Harness;
  afterEach(async () => h.close());

  it('is refused in a request, naming `filters.rule`, the closest item field and the fields there are', async () => {
    h = await harness('sqlite', { config });
    const typo = await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 3, filters: { rule: 'item.prise < 30.0' } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().problems).toEqual([{ field: 'filters.rule', message: 'The rule in `filters.rule` reads `item.prise`, which is not a field of any item: did you mean `item.price`? The item fields (its id and the attributes in `recommendations.items`) are id, name, price.' }]);
    const rerank = await post(h.app, '/v1/rerank', { subject: 'nobody', items: [{ id: 'a', relevance: 1 }], filters: { rule: 'item.stock > 0.0' } });
    expect(rerank.statusCode).toBe(400);
    expect(rerank.json().problems[0]).toMatchObject({ field: 'filters.rule', message: expect.stringContaining('reads `item.stock`, which is not a field of any item.') });
    expect((await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 3, filters: { rule: 'item.price < 30.0 && item.id != "x"' } })).statusCode).toBe(200);
  });

  it('is refused when the settings are written, in the rule and a placement\'s rule; with no `items`, an item has only its id', async () => {
    h = await harness('sqlite', { config: { features: config.features } });
    const items = { a: { price: 10 }, b: { price: 20, category: 'shoes' } };
    const bad = await putConfig(h, 'recommendations', { items, rule: 'item.categry != "gift-card"', placements: { checkout: { rule: 'item.stock > 0.0' } } });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().problems).toEqual([
      { field: 'rule', message: 'The rule in `rule` reads `item.categry`, which is not a field of any item: did you mean `item.category`? The item fields (its id and the attributes in `recommendations.items`) are id, price, category.' },
      { field: 'placements.checkout.rule', message: 'The rule in `placements.checkout.rule` reads `item.stock`, which is not a field of any item. The item fields (its id and the attributes in `recommendations.items`) are id, price, category.' },
    ]);
    const none = await putConfig(h, 'recommendations', { placements: { checkout: { rule: 'item.price < 30.0' } } });
    expect(none.statusCode).toBe(400);
    expect(none.json().problems[0].message).toBe('The rule in `placements.checkout.rule` reads `item.price`, which is not a field of any item. The item fields (its id and the attributes in `recommendations.items`) are id.');
    expect((await putConfig(h, 'recommendations', { items, rule: 'item.category != "gift-card"', placements: { checkout: { rule: 'item.price < 30.0' } } })).statusCode).toBe(200);
  });
});
