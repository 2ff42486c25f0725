import { afterEach, describe, expect, it } from 'vitest';
import { harness, openTestStore, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';

const features = [
  { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
  { name: 'bought', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
  { name: 'orders', kind: 'count', event: 'Order Completed' },
];
const recommendations = {
  interactions: [{ event: 'Product Viewed', property: 'product_id' }],
  history: ['viewed'],
  purchased: ['bought'],
  items: { 'sku-1': { price: 20 } },
  rule: 'item.price < 100.0',
  placements: { checkout: { rule: 'item.price < 30.0 || features.orders >= 3.0' } },
};
const problems = async (r: { statusCode: number; json(): { problems?: { field: string; message: string }[] }; body: string }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

describe('recommendations settings that name a feature that is not defined', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are refused when written: `history`, `purchased` (which read lists of items) and the rules', async () => {
    h = await harness('sqlite', { config: { features } });
    const bad = { ...recommendations, history: ['viewed', 'viewd'], purchased: ['orders'], rule: 'item.price < features.spend', placements: { checkout: { rule: 'features.ordrs >= 3.0' } } };
    expect(await problems(await putConfig(h, 'recommendations', bad))).toEqual([
      { field: 'history[1]', message: 'The `history[1]` names `viewd`, which is not a defined feature: did you mean `viewed`? The features are viewed, bought, orders.' },
      { field: 'purchased[0]', message: 'The `purchased[0]` names `orders`, a count feature, which holds a number: `history` and `purchased` read lists of item ids, which a unique feature holds.' },
      { field: 'rule', message: 'The rule in `rule` reads `features.spend`, which is not a defined feature. The features are viewed, bought, orders.' },
      { field: 'placements.checkout.rule', message: 'The rule in `placements.checkout.rule` reads `features.ordrs`, which is not a defined feature: did you mean `features.orders`? The features are viewed, bought, orders.' },
    ]);
    expect((await putConfig(h, 'recommendations', recommendations)).statusCode).toBe(200);
  });

  it('in a config file, stop the start', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features, recommendations: { ...recommendations, purchased: ['purchased'] } } }))
        .rejects.toThrow('The `recommendations` section of test-config is not valid: purchased[0]: The `purchased[0]` names `purchased`, which is not a defined feature. The features are viewed, bought, orders.');
    } finally {
      await cleanup();
    }
  });

  it('keep the features they read: removing one is refused, naming the field', async () => {
    h = await harness('sqlite', { config: { features, recommendations } });
    expect(await problems(await putConfig(h, 'features', [features[0]]))).toEqual([
      { field: 'features', message: 'The feature `bought` is read by the recommendations (`purchased[0]` of the recommendations): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
      { field: 'features', message: 'The feature `orders` is read by the recommendations placement `checkout` (`placements.checkout.rule` of the recommendations): change that first, then remove the feature, or change both at once (PUT /v1/config).' },
    ]);
    expect(await problems(await putConfig(h, 'features', features.slice(1))))
      .toEqual([{ field: 'features', message: 'The feature `viewed` is read by the recommendations (`history[0]` of the recommendations): change that first, then remove the feature, or change both at once (PUT /v1/config).' }]);
  });
});
