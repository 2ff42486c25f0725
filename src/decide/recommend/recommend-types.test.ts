import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../test/harness.js';
import { putConfig } from '../../store/conformance/learn-helpers.js';
import { post } from '../test-http.js';

const features = [
  { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
  { name: 'orders', kind: 'count', event: 'Order Completed' },
];
const recommendations = {
  interactions: [{ event: 'Product Viewed', property: 'product_id' }],
  history: ['viewed'],
  items: { 'sku-1': { name: 'Trail shoe', price: 20, tags: ['run'] }, 'sku-2': { name: 'Sock', price: 5, sale: true }, 'sku-3': { name: 'Cap', mixed: 1 }, 'sku-4': { mixed: 'one' } },
  rule: 'item.price < 100.0',
  placements: { checkout: { rule: 'item.price < 30.0 || features.orders >= 3.0' } },
};

describe('a recommendation rule comparing a value of a declared type with one of another', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the settings are written: a feature, the item id, or an attribute every item that has it holds as one type', async () => {
    h = await harness('sqlite', { config: { features, recommendations } });
    const bad = { ...recommendations, rule: 'item.price < "30"', placements: { checkout: { rule: 'features.orders >= "3"' }, home: { rule: 'item.id == 3.0 || item.sale == "yes"' } } };
    const r = await putConfig(h, 'recommendations', bad);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([
      { field: 'rule', message: 'The rule in `rule` compares `item.price`, a number (in every item that has it), with `"30"`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a number.' },
      { field: 'placements.checkout.rule', message: expect.stringMatching(/^The rule in `placements\.checkout\.rule` compares `features\.orders`, a number \(a count feature\), with `"3"`, a string/) },
      { field: 'placements.home.rule', message: expect.stringMatching(/^The rule in `placements\.home\.rule` compares `item\.id`, a string \(the item id\), with `3\.0`, a number: values of two types are never equal/) },
    ]);
    // What may hold is taken: an attribute whose type differs between items, a list, a boolean, `== null`.
    const ok = { ...recommendations, rule: 'item.mixed == "one" || item.mixed == 1.0 || "run" in item.tags || item.sale || item.sale == true || item.price != null', placements: {} };
    const fine = await putConfig(h, 'recommendations', ok);
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('is refused in a request\'s `filters.rule`, naming it', async () => {
    h = await harness('sqlite', { config: { features, recommendations } });
    const r = await post(h.app, '/v1/recommendations', { subject: 'nobody', n: 5, filters: { rule: 'item.price <= "30"' } });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'filters.rule', message: expect.stringMatching(/^The rule in `filters\.rule` compares `item\.price`, a number \(in every item that has it\), with `"30"`, a string/) }]);
  });
});
