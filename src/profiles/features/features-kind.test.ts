import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../../test/harness.js';
import { shopCatalog, shopFeatures, shopPolicy } from '../../decide/fixtures.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';

const features = [
  ...shopFeatures, // purchased (unique, read by the policy), orders (count)
  { name: 'last_order_at', kind: 'last_seen', event: 'Order Completed' },
  { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
  { name: 'plan', kind: 'last_value', type: 'identify', property: 'plan' },
  { name: 'unread', kind: 'count', event: 'Message Received' },
];
const config = {
  features,
  catalog: shopCatalog(),
  policy: { ...shopPolicy(), levers: [{ name: 'pro', weight: 1.5, when: 'features.plan == "pro"' }] },
  segments: { audiences: [{ name: 'buyers', when: 'features.orders > 2.0' }] },
  lifecycle: { stages: [{ name: 'lapsed', when: 'now - features.last_order_at > duration("2160h")' }, { name: 'active', when: 'true' }] },
  recommendations: { history: ['viewed'] },
};
const withKind = (name: string, kind: string, extra: Record<string, unknown> = {}) =>
  features.map((f) => (f.name === name ? { name, kind, event: 'Order Completed', ...extra } : f));
const problems = async (r: { statusCode: number; json(): { problems?: { field: string; message: string }[] }; body: string }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

describe('changing the kind of a feature a rule reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the value changes shape (number, timestamp, list, any), naming each rule that reads it', async () => {
    h = await harness('sqlite', { config });
    // `features.orders > 2.0` over a list would never hold: the segment would empty, silently.
    expect(await problems(await putConfig(h, 'features', withKind('orders', 'unique', { property: 'products[].product_id' })))).toEqual([{
      field: 'features[1].kind',
      message: 'The feature `orders` is read by the segment `buyers` (`audiences[0].when` of the segments) as a count feature, which holds a number; a unique feature holds a list: define the unique feature under a new name and move the rules to it (then remove this one, or all in one change: PUT /v1/config), or change the rule first.',
    }]);
    // A timestamp read by a lifecycle stage; a list read by the policy and by the recommendations' history; a last_value read by a lever.
    expect((await problems(await putConfig(h, 'features', withKind('last_order_at', 'count')))).map((p) => p.message)).toEqual([
      expect.stringMatching(/^The feature `last_order_at` is read by the lifecycle stage `lapsed` \(`stages\[0\]\.when` of the lifecycle\) as a last_seen feature, which holds a timestamp; a count feature holds a number:/),
    ]);
    expect((await problems(await putConfig(h, 'features', withKind('purchased', 'last_value', { property: 'products[].product_id' })))).map((p) => [p.field, p.message.split(' as ')[0]])).toEqual([
      ['features[0].kind', 'The feature `purchased` is read by the policy rule `not bought already` (`rules[0].when` of the policy)'],
    ]);
    expect((await problems(await putConfig(h, 'features', withKind('viewed', 'count')))).map((p) => p.message)).toEqual([
      expect.stringMatching(/^The feature `viewed` is read by the recommendations \(`history\[0\]` of the recommendations\) as a unique feature, which holds a list; a count feature holds a number:/),
    ]);
    expect((await problems(await putConfig(h, 'features', withKind('plan', 'count')))).map((p) => p.message)).toEqual([
      expect.stringMatching(/^The feature `plan` is read by the lever `pro` \(`levers\[0\]\.when` of the policy\) as a last_value feature, which holds whatever the events sent; a count feature holds a number:/),
    ]);
    // A removal and a kind change in one document: both are named.
    const both = await problems(await putConfig(h, 'features', withKind('orders', 'first_seen').filter((f) => f.name !== 'last_order_at')));
    expect(both.map((p) => p.field)).toEqual(['features[1].kind', 'features']);
    // POST cannot do it (the name exists), DELETE is a removal: nothing was stored.
    const list = (await h.app.inject({ method: 'GET', url: '/v1/features', headers: { authorization: bearer(KEYS.server) } })).json().features as { name: string; kind: string }[];
    expect(list.map((f) => `${f.name}:${f.kind}`)).toEqual(features.map((f) => `${f.name}:${f.kind}`));
  });

  it('is taken when the shape stays, or when no rule reads the feature', async () => {
    h = await harness('sqlite', { config });
    // count → decayed_count is still a number; last_seen → first_seen still a timestamp.
    expect((await putConfig(h, 'features', withKind('orders', 'decayed_count', { halfLife: '30d' }))).statusCode).toBe(200);
    expect((await putConfig(h, 'features', withKind('last_order_at', 'first_seen'))).statusCode).toBe(200);
    // `unread` is read by no rule.
    const unread = features.map((f) => (f.name === 'unread' ? { name: 'unread', kind: 'last_seen', event: 'Message Received' } : f));
    expect((await putConfig(h, 'features', unread)).statusCode).toBe(200);
    // The way the sentence gives: the new kind under a new name, the rule moved to it, then the old one removed.
    const next = [...unread, { name: 'products_bought', kind: 'unique', event: 'Order Completed', property: 'products[].product_id' }];
    expect((await putConfig(h, 'features', next)).statusCode).toBe(200);
    expect((await putConfig(h, 'segments', { audiences: [{ name: 'buyers', when: 'size(features.products_bought) > 2' }] })).statusCode).toBe(200);
    expect((await putConfig(h, 'features', next.filter((f) => f.name !== 'orders'))).statusCode).toBe(200);
  });
});
