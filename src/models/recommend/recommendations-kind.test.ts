import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { recommendationsKind } from './recommendations-kind.js';

describe('a recommendations interaction or placement with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, the key it likely means and the item\'s keys; nothing is stored', async () => {
    h = await harness('sqlite');
    // Interactions are not weighted: a `weigth` (or `weight`) saved would be ignored. A misspelt
    // placement `rule` is no rule at all: the checkout would recommend items of any price.
    const r = await putConfig(h, 'recommendations', {
      interactions: [{ event: 'Product Viewed', property: 'product_id', weigth: 3 }],
      placements: { checkout: { rul: 'item.price < 30.0', exclude: ['sku-9'] } },
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'interactions[0].weigth', message: 'The `interactions[0].weigth` field is not one Tact knows here. The fields are event, property.' },
      { field: 'placements.checkout.rul', message: 'The `placements.checkout.rul` field is not one Tact knows here. Did you mean `rule`? The fields are rule, exclude.' },
    ]);
    expect((await get(h.app, '/v1/config/recommendations', KEYS.admin)).json().version).toBe(0);
  });

  it('takes the keys it reads; item attributes are free', () => {
    expect(recommendationsKind.check({
      interactions: [{ event: 'Product Viewed', property: 'product_id' }],
      items: { 'sku-1': { name: 'Trail shoe', category: 'shoes', anything: 1 } },
      placements: { checkout: { rule: 'item.price < 30.0', exclude: ['sku-9'] } },
    })).toEqual([]);
  });

  it('in a config file, stops the start', async () => {
    await expect(harness('sqlite', { config: { recommendations: { placements: { checkout: { rul: 'item.price < 30.0' } } } } }))
      .rejects.toThrow(/The `recommendations` section of test-config is not valid: placements\.checkout\.rul: .*Did you mean `rule`\?/);
  });
});
