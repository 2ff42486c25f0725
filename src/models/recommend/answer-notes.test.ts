import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, KEYS, send, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';
import { declaredAnswers } from '../answers-fixture.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: { interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence', items: { a: { price: 10 }, b: { price: 20 }, c: { price: 50 } } },
};

describe('POST /v1/rerank before any model is trained', () => {
  let h: Harness;
  beforeEach(async () => (h = await harness('sqlite', { config })));
  afterEach(async () => h.close());

  it('says so in `note`, in the words of POST /v1/recommendations, and that the list is ordered by the caller\'s relevance, ties as listed', async () => {
    const recs = (await post(h.app, '/v1/recommendations', { subject: 't1', n: 2 })).json();
    expect(recs.note).toBe('learning — no recommendation model has been trained yet (tact train recommendations)');
    const r = (await post(h.app, '/v1/rerank', { subject: 't1', items: [{ id: 'a', relevance: 1 }, { id: 'b', relevance: 2 }, { id: 'c', relevance: 2 }] })).json();
    expect(r.modelVersion).toBeNull();
    // Not the order sent (a, b, c): by relevance, and the tie b–c as listed.
    expect(r.items.map((i: { id: string }) => i.id)).toEqual(['b', 'c', 'a']);
    // Until 2026-12-05 the answer had no note: only modelVersion null said that no model stood behind it.
    // Until 2026-12-06 the note said "the list keeps the caller's order", which it did not here.
    expect(r.note).toBe(`${recs.note}; the list is ordered by the relevance the caller sent, ties in the caller's order.`);
  });

  it('puts that sentence before the others the note carries (a rule that could not be evaluated)', async () => {
    const r = (await post(h.app, '/v1/rerank', { subject: 't1', items: [{ id: 'a', relevance: 1 }, { id: 'z', relevance: 2 }], filters: { rule: 'item.price < 30.0' } })).json();
    expect(r.dropped).toEqual([{ id: 'z', reason: 'rule', rule: 'filters.rule', error: expect.any(String) }]);
    expect(r.note).toMatch(/^learning — no recommendation model has been trained yet \(tact train recommendations\); the list is ordered by the relevance the caller sent, ties in the caller's order\. The rule `filters\.rule` could not be evaluated/);
  });
});

describe('POST /v1/recommendations emptied by the business filters', () => {
  let h: Harness;
  let answers: ReturnType<typeof declaredAnswers>;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    answers = declaredAnswers(h.app);
    for (const [u, items] of Object.entries({ u1: ['a', 'b'], u2: ['a', 'b'], u3: ['a', 'c'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('answers status `filtered` with a note naming the filters in force, not `popular` (an empty list is no popularity fallback)', async () => {
    const body = { subject: 't1', n: 3, filters: { rule: 'item.price > 1000.0' } };
    // The answer is what /openapi.json declares (status's enum included).
    const r = (await answers.check('POST', '/v1/recommendations', '/v1/recommendations', body, KEYS.server)).body;
    expect(r).toMatchObject({ items: [], modelVersion: 'recommendations@1', status: 'filtered' });
    expect(r.note).toBe('No item passed the business filters: all 3 items the model knows were left out (in force: the rule `filters.rule`).');
  });

  it('names the subject\'s history and the request\'s exclusions when they took part', async () => {
    const r = (await post(h.app, '/v1/recommendations', { subject: 'u3', n: 3, filters: { exclude: ['b'] } })).json();
    expect(r).toMatchObject({ items: [], status: 'filtered' });
    expect(r.note).toBe('No item passed the business filters: all 3 items the model knows were left out (in force: already in the subject\'s history, excluded).');
  });

  it('keeps `popular` and `personal`, with no such note, when an item is left', async () => {
    const popular = (await post(h.app, '/v1/recommendations', { subject: 't1', n: 3, filters: { rule: 'item.price > 15.0' } })).json();
    expect(popular).toMatchObject({ status: 'popular', items: [{ id: 'b' }, { id: 'c' }] });
    expect(popular.note).toBeUndefined();
    const personal = (await post(h.app, '/v1/recommendations', { subject: 'u3', n: 3 })).json();
    expect(personal).toMatchObject({ status: 'personal', items: [{ id: 'b' }] });
    expect(personal.note).toBeUndefined();
  });
});
