import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../../decide/test-http.js';
import { compileRule } from '../../rules/cel.js';
import { itemRules } from './item-filter.js';

const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  lifecycle: { stages: [{ name: 'loyal', when: 'size(features.viewed) >= 2' }, { name: 'new', when: 'true' }] },
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }], history: ['viewed'], algorithm: 'cooccurrence',
    items: { a: { price: 10 }, b: { price: 20 }, c: { price: 50 } },
  },
};

const ids = (r: { items: { id: string }[] }) => r.items.map((i) => i.id).sort();

describe('a recommendation rule reading the lifecycle', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const [u, items] of Object.entries({ u1: ['a', 'b', 'c'], u2: ['a', 'c'], ana: ['b', 'a'], zoe: ['b'] })) for (const product_id of items) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await h.tact.learning.train(['recommendations']);
  });
  afterEach(async () => h.close());

  it('reads the subject\'s stage, as a decision rule does', async () => {
    const rule = 'lifecycle.stage == "loyal" || item.price < 30.0';
    const loyal = await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, filters: { rule } });
    expect(loyal.statusCode, loyal.body).toBe(200);
    expect(ids(loyal.json())).toEqual(['c']);
    const fresh = (await post(h.app, '/v1/recommendations', { subject: 'zoe', n: 3, filters: { rule } })).json();
    expect(fresh.ruleErrors).toBeUndefined();
    expect(ids(fresh)).toEqual(['a']);
  });

  it('is refused naming the stage it misspells', async () => {
    const res = await post(h.app, '/v1/recommendations', { subject: 'ana', n: 3, filters: { rule: 'lifecycle.stage == "loyl"' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().problems[0]).toMatchObject({ field: 'filters.rule', message: expect.stringContaining('did you mean `"loyal"`?') });
  });
});

describe('item rules over variables with a lifecycle', () => {
  it('work out the lifecycle only when a rule reads it', () => {
    let worked = 0;
    const vars = Object.defineProperty({ traits: {} }, 'lifecycle', { enumerable: true, get: () => (worked++, { stage: 'loyal' }) });
    const cheap = itemRules([{ field: 'rule', rule: compileRule('item.price < 30.0') }], vars, (id) => ({ id, price: 10 }));
    expect([cheap.test('a'), cheap.test('b'), worked]).toEqual([{ pass: true }, { pass: true }, 0]);
    const loyal = itemRules([{ field: 'rule', rule: compileRule('lifecycle.stage == "loyal"') }], vars, (id) => ({ id }));
    expect([loyal.test('a'), worked]).toEqual([{ pass: true }, 1]);
  });
});
