import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'purchases', kind: 'unique', event: 'Order Completed', property: 'products[].product_id' },
];
const problems = async (r: { statusCode: number; json(): { problems?: { field: string; message: string }[] }; body: string }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

describe('a segment rule that reads a name that is not defined', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when written, naming the rule, the unknown name and the closest defined one', async () => {
    h = await harness('sqlite', { config: { features, rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' }] } });
    const r = await putConfig(h, 'segments', { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }, { name: 'repeat', when: 'size(features.purchses) > 2' }] });
    expect(await problems(r)).toEqual([{ field: 'audiences[1].when', message: 'The rule in `audiences[1].when` reads `features.purchses`, which is not a defined feature: did you mean `features.purchases`? The features are orders, purchases.' }]);
    // A `!has(…)` of a misspelt feature would have held for everyone.
    expect((await problems(await putConfig(h, 'segments', { audiences: [{ name: 'never', when: '!has(features.order)' }] })))[0].message).toMatch(/`features\.order`.*did you mean `features\.orders`\?/);
    // A field of an event, a field of an estimate, a variable.
    expect((await problems(await putConfig(h, 'segments', { audiences: [{ name: 'x', when: 'events["Order Completed"].cout > 1.0' }] })))[0].message).toMatch(/did you mean `events\["Order Completed"\]\.count`\?/);
    expect((await problems(await putConfig(h, 'segments', { audiences: [{ name: 'x', when: 'estimates.rates.email_open.valu > 0.3' }] })))[0].message).toMatch(/`estimates\.rates\.email_open\.valu`, which is not a field of an estimate: did you mean `estimates\.rates\.email_open\.value`\?/);
    expect((await problems(await putConfig(h, 'segments', { audiences: [{ name: 'x', when: 'feature.orders > 1.0' }] })))[0].message).toMatch(/`feature`, which is not a variable this rule sees: did you mean `features`\?/);
    // Micro-segments name features too.
    expect(await problems(await putConfig(h, 'segments', { microSegments: { features: ['orders', 'ordres'] } }))).toEqual([{ field: 'microSegments.features[1]', message: expect.stringMatching(/`ordres`, which is not a defined feature: did you mean `orders`\?/) }]);
    // Nothing was stored: the segments in force are still none.
    expect((await get(h.app, '/v1/segments')).json().segments).toEqual([]);
    // A rate not configured too (estimate-names.test.ts; until 2026-12-06 it was taken).
    expect((await problems(await putConfig(h, 'segments', { audiences: [{ name: 'x', when: 'estimates.rates.nope.value > 0.3' }] })))[0].message).toBe('The rule in `audiences[0].when` reads `estimates.rates.nope`, which is not a configured rate (`rates`). The rates are email_open.');
    // What is defined is taken: traits are free-form, an estimate's name is a configured rate's.
    expect((await putConfig(h, 'segments', { audiences: [{ name: 'ok', when: 'features.orders >= 1.0 && traits.plan == "pro" && estimates.rates.email_open.value > 0.3 && microSegment == 2' }] })).statusCode).toBe(200);
  });

  it('in a config file, stops the start with the same sentence', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features, segments: { audiences: [{ name: 'repeat', when: 'size(features.purchses) > 2' }] } } }))
        .rejects.toThrow('The `segments` section of test-config is not valid: audiences[0].when: The rule in `audiences[0].when` reads `features.purchses`, which is not a defined feature: did you mean `features.purchases`? The features are orders, purchases.');
    } finally {
      await cleanup();
    }
  });
});

describe('removing a feature a segment reads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused, naming the segment and its rule, until the rule no longer reads it', async () => {
    h = await harness('sqlite', { config: { features, segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }], microSegments: { features: ['purchases'] } } } });
    expect(await problems(await putConfig(h, 'features', [features[1]]))).toEqual([{ field: 'features', message: 'The feature `orders` is read by the segment `buyers` (`audiences[0].when` of the segments): change that first, then remove the feature, or change both at once (PUT /v1/config).' }]);
    // DELETE /v1/features/{name} too.
    const del = await h.app.inject({ method: 'DELETE', url: '/v1/features/orders', headers: { authorization: bearer(KEYS.admin) } });
    expect((await problems(del))[0].message).toMatch(/^The feature `orders` is read by the segment `buyers`/);
    expect((await problems(await putConfig(h, 'features', [features[0]])))[0].message).toBe('The feature `purchases` is read by the micro-segments (`microSegments.features[0]` of the segments): change that first, then remove the feature, or change both at once (PUT /v1/config).');
    // Redefining it under the same name, and adding others, is not a removal.
    expect((await putConfig(h, 'features', [{ ...features[0], event: 'Checkout Completed' }, features[1], { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }])).statusCode).toBe(200);
    // Once the segment reads something else, the feature goes.
    expect((await putConfig(h, 'segments', { audiences: [{ name: 'buyers', when: 'features.revenue > 0.0' }] })).statusCode).toBe(200);
    expect((await putConfig(h, 'features', [features[1], { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }])).statusCode).toBe(200);
  });
});
