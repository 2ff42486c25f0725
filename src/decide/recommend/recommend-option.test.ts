import { describe, expect, it } from 'vitest';
import { harness } from '../../../test/harness.js';
import { itemRules } from '../../models/recommend/item-filter.js';
import { Checker } from '../check.js';
import { checkRecommend, compileRecommend } from './recommend-option.js';

describe('the business filters of a recommendation placement', () => {
  const stock: Record<string, number> = { 'sku-shoe': 0, 'sku-socks': 3 };
  const run = (outOfStock: string) => itemRules(compileRecommend({ outOfStock }).rules, {}, (id) => ({ id, stock: stock[id] }));

  it('takes an out-of-stock rule that ends in a comment: the check accepts it, so compiling it must too', () => {
    const rule = 'item.stock == 0.0 // sold out';
    const c = new Checker();
    checkRecommend(c, { kind: 'recommendation', recommend: { outOfStock: rule } }, 'placements[0]');
    expect(c.problems).toEqual([]);
    const f = run(rule);
    expect(f.test('sku-shoe')).toEqual({ pass: false, rule: 'recommend.outOfStock' });
    expect(f.test('sku-socks')).toEqual({ pass: true });
  });

  it('accepts such a catalog over the API, and names a bad rule by its placement\'s path', async () => {
    const h = await harness('sqlite');
    try {
      const put = (outOfStock: string) => h.app.inject({
        method: 'PUT', url: '/v1/config/catalog', headers: { authorization: 'Bearer test-admin-key', 'content-type': 'application/json' },
        payload: { document: { actions: [{ id: 'news', name: 'News', channels: ['web'] }], placements: [{ id: 'recs', channel: 'web', kind: 'recommendation', recommend: { outOfStock } }] }, reason: 'test' },
      });
      const ok = await put('item.stock == 0.0 // sold out');
      expect(ok.statusCode, ok.body).toBe(200);
      const bad = await put('item.stock == // sold out');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['placements[0].recommend.outOfStock']);
    } finally {
      await h.close();
    }
  });

  it('says an out-of-stock rule that gives no boolean gives what it gives, not that `!` has no overload for it', () => {
    const f = run('item.stock');
    expect(f.test('sku-socks')).toEqual({ pass: false, rule: 'recommend.outOfStock', error: 'the expression gave number, not a boolean' });
    expect(run('item.colour == "red"').test('sku-socks')).toEqual({ pass: false, rule: 'recommend.outOfStock', error: 'No such key: colour' });
  });
});
