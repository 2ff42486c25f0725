import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness } from '../../test/harness.js';

describe('tracking-plan violations over the collection API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: { trackingPlan: { events: {
      'Product Viewed': { properties: { type: 'object', properties: { price: { type: 'number' } } } },
      'Order Completed': { block: true, properties: { type: 'object', required: ['revenue'] } },
      'Cart Viewed': { properties: { type: 'object', properties: { products: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } } } } },
      Signup: { block: true, properties: { type: 'object', additionalProperties: false, properties: { plan: { type: 'string' } } } },
      Checkout: { block: true, properties: { type: 'object', properties: { products: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } } } } },
    } } } });
  });
  afterAll(async () => h.close());

  const count = async (event: string) => {
    const v = (await get(h.app, '/v1/tracking-plan/violations')).json().violations as { event: string; count: number; blocked: number }[];
    return v.filter((x) => x.event === event).map(({ count: c, blocked }) => ({ count: c, blocked }));
  };

  it('counts a message once however often the client retries it (same messageId)', async () => {
    const m = { messageId: 'retried-1', userId: 'v1', event: 'Product Viewed', properties: { price: 'cheap' } };
    for (let i = 0; i < 3; i++) expect((await send(h.app, '/v1/track', m)).statusCode).toBe(200);
    const b = await send(h.app, '/v1/batch', { batch: [{ type: 'track', ...m }, { type: 'track', ...m, messageId: 'retried-2' }, { type: 'track', ...m, messageId: 'retried-2' }] });
    expect(b.json()).toEqual({ success: true });
    expect(await count('Product Viewed')).toEqual([{ count: 2, blocked: 0 }]);
  });

  it('counts a blocked message once when a batch carries it twice', async () => {
    const m = { type: 'track', messageId: 'blocked-1', userId: 'v2', event: 'Order Completed', properties: {} };
    const b = await send(h.app, '/v1/batch', { batch: [m, m, { type: 'track', userId: 'v2', event: 'Order Completed', properties: { revenue: 1 } }] });
    expect(b.json().rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    expect(await count('Order Completed')).toEqual([{ count: 1, blocked: 1 }]);
  });

  it('refuses a message with no usable identifier for that, whether or not the plan blocks its event, and counts nothing (QA 2026-12-06)', async () => {
    const blocked = await send(h.app, '/v1/track', { userId: 'null', event: 'Signup', properties: { plan: 3 } });
    const allowed = await send(h.app, '/v1/track', { userId: 'null', event: 'Product Viewed', properties: { price: 'cheap' } });
    for (const r of [blocked, allowed]) {
      expect([r.statusCode, r.json().error]).toEqual([400, 'validation_failed']);
      expect(r.json().problems.map((p: { field: string }) => p.field)).toEqual(['userId']);
    }
    // Until then the blocked one was refused as `tracking_plan_blocked` naming only `properties.plan`, and counted.
    expect(await count('Signup')).toEqual([]);
  });

  it('names the field of a blocked message from the message\'s root, as every other 400 does', async () => {
    const one = await send(h.app, '/v1/track', { userId: 'v4', event: 'Order Completed', properties: {} });
    expect([one.statusCode, one.json().error]).toEqual([400, 'tracking_plan_blocked']);
    expect(one.json().problems).toEqual([{ field: 'properties.revenue', message: '`revenue` is required and was not sent' }]);
    const b = await send(h.app, '/v1/batch', { batch: [{ type: 'track', userId: 'v4', event: 'Order Completed' }, { type: 'track', userId: 'v4', event: 'Product Viewed' }] });
    expect(b.json().rejected).toMatchObject([{ index: 0, problems: [{ field: 'properties.revenue' }] }]);
  });

  it('counts a bad property of a list\'s items once per message, under one name', async () => {
    const products = [{ price: 'a' }, { price: 1 }, { price: 'b' }, { price: 'c' }];
    for (const id of ['cart-1', 'cart-2']) expect((await send(h.app, '/v1/track', { messageId: id, userId: 'v3', event: 'Cart Viewed', properties: { products } })).statusCode).toBe(200);
    const v = (await get(h.app, '/v1/tracking-plan/violations')).json().violations.filter((x: { event: string }) => x.event === 'Cart Viewed');
    expect(v).toMatchObject([{ property: 'products[].price', rule: 'type', count: 2, blocked: 0, lastDetail: '`products[0].price` must be number' }]);
  });

  it('names every wrong field of a blocked message, though each counted row is counted once (QA: only the first was named)', async () => {
    const allow = (k: string) => `\`${k}\` is not a property the tracking plan allows here`;
    const one = await send(h.app, '/v1/t', { userId: 'tp1', event: 'Signup', properties: { plan: 'pro', ref: 'y', coupon: 'c', utm: 'z' } });
    expect([one.statusCode, one.json().error]).toEqual([400, 'tracking_plan_blocked']);
    expect(one.json().problems).toEqual(['ref', 'coupon', 'utm'].map((k) => ({ field: `properties.${k}`, message: allow(k) })));
    expect(one.json().message).toBe(`${['ref', 'coupon', 'utm'].map(allow).join('; ')}. The tracking plan blocks such messages, so this \`Signup\` message was not stored.`);
    const list = await send(h.app, '/v1/t', { userId: 'tp1', event: 'Checkout', properties: { products: [{ price: 1 }, { price: 'x' }, { price: 'y' }] } });
    expect(list.json().problems).toEqual([1, 2].map((i) => ({ field: `properties.products[${i}].price`, message: `\`products[${i}].price\` must be number` })));
    const b = await send(h.app, '/v1/batch', { batch: [
      { type: 'track', userId: 'tp1', event: 'Signup', properties: { ref: 'y', coupon: 'c' } },
      { type: 'track', userId: 'tp1', event: 'Checkout', properties: { products: [{ price: 'x' }, { price: 'y' }] } },
    ] });
    expect(b.statusCode, b.body).toBe(400);
    expect(b.json().rejected.map((r: { problems: { field: string }[] }) => r.problems.map((p) => p.field))).toEqual([
      ['properties.ref', 'properties.coupon'], ['properties.products[0].price', 'properties.products[1].price'],
    ]);
    expect(b.json().rejected[0].problems[1].message).toBe('The tracking plan blocks this Signup message: `coupon` is not a property the tracking plan allows here.');
    // Counted as before: once per message and row.
    const rows = (await get(h.app, '/v1/tracking-plan/violations')).json().violations.filter((x: { event: string }) => x.event === 'Signup' || x.event === 'Checkout');
    expect(rows.map((x: { event: string; property: string; count: number }) => [x.event, x.property, x.count]).sort()).toEqual([['Checkout', 'products[].price', 2], ['Signup', '*', 2]]);
    // Bounded: the first 20, then how many more.
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, i]));
    const big = await send(h.app, '/v1/t', { userId: 'tp1', event: 'Signup', properties: many });
    const problems = big.json().problems as { field: string; message: string }[];
    expect(problems).toHaveLength(21);
    expect(problems.slice(0, 20).map((p) => p.field)).toEqual(Array.from({ length: 20 }, (_, i) => `properties.k${i}`));
    expect(problems[20]).toEqual({ field: 'properties', message: 'and 6 more fields that break the tracking plan (only the first 20 are listed)' });
    // Many fields under one row, and two rows: still the first 20, then the count of the rest.
    const items = await send(h.app, '/v1/t', { userId: 'tp1', event: 'Checkout', properties: { products: Array.from({ length: 30 }, () => ({ price: 'x' })) } });
    expect(items.json().problems.slice(19)).toEqual([
      { field: 'properties.products[19].price', message: '`products[19].price` must be number' },
      { field: 'properties', message: 'and 10 more fields that break the tracking plan (only the first 20 are listed)' },
    ]);
    expect(big.json().message).toMatch(/`k19` is not a property the tracking plan allows here; and 6 more fields that break the tracking plan \(only the first 20 are listed\)\. The tracking plan blocks/);
  });

  it('refuses, through the API, a plan whose schema would check nothing, naming where', async () => {
    const put = (document: unknown) => h.app.inject({ method: 'PUT', url: '/v1/config/tracking-plan', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'audit' } });
    const misspelt = await put({ events: { 'Order Completed': { properties: { type: 'object', requird: ['revenue'] } } } });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().problems).toMatchObject([{ field: 'events.Order Completed.properties.requird', message: expect.stringMatching(/Did you mean `required`/) }]);
    const async = await put({ events: { 'Order Completed': { properties: { $async: true, type: 'object', required: ['revenue'] } } } });
    expect(async.json().problems).toMatchObject([{ field: 'events.Order Completed.properties.$async' }]);
  });
});
