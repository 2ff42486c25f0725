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

describe('an easeMaxItems above what trains in reasonable time', () => {
  const warn = (body: Record<string, unknown>) => recommendationsKind.warnStored!(body, {} as never);

  it('is warned of, with what a fit would take from the measured times (docs/models.md §7), and applied all the same', async () => {
    const h = await harness('sqlite');
    try {
      const r = await putConfig(h, 'recommendations', { interactions: [{ event: 'Product Viewed', property: 'product_id' }], easeMaxItems: 20_000 });
      expect(r.statusCode, r.body).toBe(200);
      // 7.1 s at 5,000 items scaled by the cube: (20,000 / 5,000)³ · 7.1 s = 454 s — minutes, as docs/models.md says.
      expect(r.json().warnings).toEqual([{ field: 'easeMaxItems', message: expect.stringMatching(/^The `easeMaxItems` \(20000\) lets EASE fit up to 20,000 items, about 8 min a fit on 2 cores, and a training fits twice .*measured: 1,000 items 0\.2 s, 2,000 items 0\.7 s, 3,000 items 2\.2 s, 5,000 items 7\.1 s a fit\)\. Applied all the same; at most 5,000 keeps a training within about 20 s/) }]);
      expect(h.tact.settings.get(recommendationsKind).easeMaxItems).toBe(20_000);
    } finally {
      await h.close();
    }
  });

  it('says seconds or minutes for several thousand items, and nothing up to 5,000, nor when EASE is not used', async () => {
    expect((await warn({ easeMaxItems: 12_000 }))[0].message).toContain('about 2 min a fit');
    expect((await warn({ easeMaxItems: 6_000, algorithm: 'ease' }))[0].message).toContain('about 12 s a fit');
    expect(await warn({ easeMaxItems: 5_000 })).toEqual([]);
    expect(await warn({})).toEqual([]);
    expect(await warn({ easeMaxItems: 20_000, algorithm: 'cooccurrence' })).toEqual([]);
  });
});
