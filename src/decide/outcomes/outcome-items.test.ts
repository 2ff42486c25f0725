import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../../test/harness.js';
import { post } from '../test-http.js';

/** A shop whose `recs` placement answers a list of items (as src/decide/recommend's tests set it up). */
const config = {
  features: [{ name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 }],
  recommendations: {
    interactions: [{ event: 'Product Viewed', property: 'product_id' }],
    history: ['viewed'],
    algorithm: 'cooccurrence',
    items: { 'sku-shoe': { category: 'shoes' }, 'sku-socks': { category: 'socks' }, 'sku-laces': { category: 'laces' } },
  },
  catalog: {
    actions: [{ id: 'newsletter', name: 'Newsletter', channels: ['web'] }],
    placements: [{ id: 'recs', channel: 'web', slots: 5, kind: 'recommendation', public: true }],
  },
};

type Logged = { id: string; decisionId: string | null; action: string | null; item?: string; credit: number; success: boolean };

describe('outcomes naming the item of a recommendation', () => {
  let h: Harness;
  let d: { decisionId: string; choices: { kind: string; item?: string }[] };
  beforeEach(async () => {
    h = await harness('sqlite', { config });
    for (const u of ['u1', 'u2']) for (const product_id of ['sku-shoe', 'sku-socks', 'sku-laces']) await send(h.app, '/v1/track', { userId: u, event: 'Product Viewed', properties: { product_id } });
    await send(h.app, '/v1/track', { userId: 'ana', event: 'Product Viewed', properties: { product_id: 'sku-shoe' } });
    await h.tact.learning.train(['recommendations']);
    d = (await post(h.app, '/v1/decide', { subject: 'ana', placement: 'recs', n: 2 })).json();
  });
  afterEach(async () => h.close());
  const outcomesOf = async (id: string) => (await get(h.app, `/v1/decisions/${id}`)).json().outcomes as Logged[];

  it('records which item of the list was clicked, and shows it with the decision', async () => {
    const items = d.choices.map((c) => c.item);
    expect(items).toHaveLength(2);
    expect(d.choices.every((c) => c.kind === 'item')).toBe(true);
    // A browser reports with the write key, for its decision: the second item of the list was clicked.
    const click = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, item: items[1], type: 'click', messageId: 'click-2' }, KEYS.write);
    expect(click.statusCode, click.body).toBe(200);
    expect(click.json().recorded).toMatchObject([{ decisionId: d.decisionId, action: null, item: items[1], credit: 1, success: false }]);
    // The browser is not told the profile's internal id (its decide answer is not either; QA 2026-12-06: it was echoed).
    expect(click.json().recorded[0]).not.toHaveProperty('profileKey');
    const again = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, item: items[1], type: 'click', messageId: 'click-2' });
    expect(again.json()).toMatchObject({ duplicate: true, recorded: [{ profileKey: expect.any(String) }] });
    // The list's impression names no item.
    const seen = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, type: 'impression', messageId: 'seen' }, KEYS.write);
    expect(seen.json().recorded[0].item).toBeUndefined();
    expect((await outcomesOf(d.decisionId)).map((o) => [o.id, o.item ?? null])).toEqual([['click-2', items[1]], ['seen', null]]);
  });

  it('refuses an item the decision did not recommend, or an item without its decision, naming the item', async () => {
    const other = await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, item: 'sku-unknown', type: 'click', messageId: 'click-x' });
    expect(other.statusCode, other.body).toBe(400);
    expect(other.json().problems[0].field).toBe('item');
    const bySubject = await post(h.app, '/v1/outcomes', { subject: 'ana', item: d.choices[0].item as string, type: 'conversion', value: 20, messageId: 'buy-x' });
    expect(bySubject.statusCode, bySubject.body).toBe(400);
    expect(bySubject.json().problems[0].field).toBe('item');
    expect(await outcomesOf(d.decisionId)).toEqual([]);
  });
});
