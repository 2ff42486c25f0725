import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness, type StoreKind } from '../../../test/harness.js';
import { admin, estimatesOf, ingest, putConfig, server, track } from './learn-helpers.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
  { name: 'viewed_products', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 50 },
  { name: 'purchased_products', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 200 },
];

const recommendations = {
  interactions: [{ event: 'Product Viewed', property: 'product_id' }, { event: 'Order Completed', property: 'products[].product_id' }],
  history: ['viewed_products'],
  purchased: ['purchased_products'],
  outOfStock: ['sku-9'],
  items: { 'sku-1': { name: 'Trail shoe', price: 90 }, 'sku-2': { name: 'Trail sock', price: 12 }, 'sku-3': { price: 40 }, 'sku-4': { price: 45 }, 'sku-5': { price: 20 }, 'sku-9': { price: 5 } },
  placements: { cheap: { rule: 'item.price < 30.0' } },
};

/** Segments, micro-segments, recommendations and the model registry, through the API, on every store. */
export function learnModelCases(kind: StoreKind): void {
  describe(`segments, recommendations, registry (${kind})`, () => {
    let h: Harness;
    afterEach(async () => h.close());

    it('keeps segment membership in real time, counts entries and exits, and follows a change of definitions', async () => {
      h = await harness(kind, { config: { features, segments: { audiences: [{ name: 'buyers', when: 'features.orders >= 1.0' }, { name: 'big_spenders', when: 'features.revenue >= 100.0' }] } } });
      const now = Date.now();
      await ingest(h, [track('u1', 'Order Completed', { revenue: 50 }, now - 2000), track('u2', 'Product Viewed', { product_id: 'x' }, now - 2000)]);
      expect((await estimatesOf(h, 'u1')).segments).toEqual(['buyers']);
      await ingest(h, [track('u1', 'Order Completed', { revenue: 60 }, now - 1000)]);
      const list = (await get(h.app, '/v1/segments')).json().segments;
      expect(list).toMatchObject([{ name: 'buyers', members: 1, entries: 1, exits: 0 }, { name: 'big_spenders', members: 1, entries: 1 }]);
      const u1 = (await estimatesOf(h, 'u1')).id;
      expect((await get(h.app, '/v1/segments/buyers/members')).json().members).toMatchObject([{ profileId: u1 }]);
      expect((await get(h.app, '/v1/segments/nope/members')).statusCode).toBe(404);

      expect((await putConfig(h, 'segments', { audiences: [{ name: 'big_spenders', when: 'features.revenue >= 200.0' }] })).statusCode).toBe(200);
      await h.tact.learning.settled();
      await h.tact.consumers.runAll();
      expect((await h.store.segments.counts()).find((c) => c.segment === 'buyers')).toMatchObject({ members: 0, exits: 1 });
      const events = (await get(h.app, '/v1/segments/big_spenders/events')).json().events;
      // The exit came from the edited rule (revenue ≥ 200), not from an event: reason `definition`.
      expect(events.map((e: { kind: string; reason: string }) => `${e.kind}:${e.reason}`)).toEqual(['exit:definition', 'entry:event']);
      expect((await putConfig(h, 'segments', { audiences: [{ name: 'bad', when: 'features.orders >=' }] })).json().problems[0].field).toBe('audiences[0].when');
    });

    it('trains micro-segments and places each subject in one, fresh from its features', async () => {
      h = await harness(kind, { config: { features, segments: { microSegments: { features: ['orders', 'revenue'], k: 2, minSubjects: 4 } } } });
      const now = Date.now() - 10_000;
      const msgs = [];
      for (let i = 0; i < 3; i++) msgs.push(track(`low${i}`, 'Order Completed', { revenue: 10 + i }, now));
      for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) msgs.push(track(`high${i}`, 'Order Completed', { revenue: 100 + i }, now + k));
      await ingest(h, msgs);
      const r = await admin(h, '/v1/models/micro-segments/train?sync=true');
      expect(r.json().results[0]).toMatchObject({ model: 'micro-segments', version: 1, promotion: { promoted: true } });
      const idx = async (id: string) => (await estimatesOf(h, id)).microSegment!.index;
      const low = await idx('low0');
      const high = await idx('high0');
      expect(low).not.toBe(high);
      expect([await idx('low1'), await idx('low2')]).toEqual([low, low]);
      expect(await idx('high2')).toBe(high);
      expect((await get(h.app, '/v1/segments')).json().microSegments).toMatchObject({ k: 2, sizes: expect.any(Array) });
    });

    it('recommends with explanations and business filters, fresh from the profile, and re-ranks a list', async () => {
      h = await harness(kind, { config: { features, recommendations } });
      const t = Date.now() - 60_000;
      const msgs = [];
      for (let i = 0; i < 12; i++) {
        const pair = i % 2 === 0 ? ['sku-1', 'sku-2'] : ['sku-3', 'sku-4'];
        for (const sku of [...pair, 'sku-5', ...(i < 4 ? ['sku-9'] : [])]) msgs.push(track(`s${i}`, 'Product Viewed', { product_id: sku }, t + i));
      }
      await ingest(h, msgs);
      expect((await server(h, '/v1/recommendations', { subject: 'nobody', n: 2 })).json()).toMatchObject({ items: [], status: 'learning' });
      const trained = (await admin(h, '/v1/models/recommendations/train?sync=true')).json().results[0];
      expect(trained).toMatchObject({ version: 1, metrics: { algorithm: 'ease', items: 6, subjects: 12 }, promotion: { promoted: true } });

      await ingest(h, [track('fresh', 'Product Viewed', { product_id: 'sku-1' }, Date.now())]);
      const first = (await server(h, '/v1/recommendations', { subject: 'fresh', n: 3 })).json();
      expect(first.status).toBe('personal');
      expect(first.items[0]).toMatchObject({ id: 'sku-2', source: 'personal', explanation: 'because you viewed Trail shoe' });
      expect(first.items.map((i: { id: string }) => i.id)).not.toContain('sku-9');
      // Bought a second ago: never recommended again.
      await ingest(h, [track('fresh', 'Order Completed', { revenue: 12, products: [{ product_id: 'sku-2' }] }, Date.now())]);
      const after = (await server(h, '/v1/recommendations', { subject: 'fresh', n: 5 })).json();
      expect(after.items.map((i: { id: string }) => i.id)).not.toContain('sku-2');
      const filtered = (await server(h, '/v1/recommendations', { subject: 'fresh', n: 5, placement: 'cheap', filters: { rule: 'item.id != "sku-5"' } })).json();
      expect(filtered.items).toEqual([]);
      const unknown = (await server(h, '/v1/recommendations', { subject: 'nobody', n: 1 })).json();
      expect(unknown).toMatchObject({ subject: { known: false }, items: [{ id: 'sku-5', source: 'population', explanation: 'popular with other customers' }] });
      const badPlacement = await server(h, '/v1/recommendations', { subject: 'fresh', placement: 'nope' });
      expect(badPlacement.statusCode).toBe(400);
      expect(badPlacement.json().problems[0].field).toBe('placement');
      expect((await server(h, '/v1/recommendations', { subject: 'fresh', filters: { rule: 'item.price <' } })).json()).toMatchObject({ error: 'invalid_expression', message: expect.stringContaining('filters.rule') });

      const list = [{ id: 'sku-3', relevance: 3 }, { id: 'sku-5', relevance: 2 }, { id: 'sku-1', relevance: 1 }];
      const plain = (await server(h, '/v1/rerank', { subject: 'nobody', items: list })).json();
      expect(plain.items.map((i: { id: string }) => i.id)).toEqual(['sku-3', 'sku-5', 'sku-1']);
      expect(plain.evidence).toBe(0);
      const personal = (await server(h, '/v1/rerank', { subject: 'fresh', items: list, maxWeight: 1 })).json();
      expect(personal.evidence).toBe(2);
      expect(personal.items.find((i: { id: string }) => i.id === 'sku-1').affinity).toBeGreaterThan(0);
    });

    it('promotes the first version, refuses a later one its comparison cannot back, and records forced promotions and rollbacks', async () => {
      h = await harness(kind, { config: { features, recommendations } });
      await ingest(h, ['a', 'b', 'c'].flatMap((u) => ['sku-1', 'sku-2'].map((p) => track(u, 'Product Viewed', { product_id: p }, Date.now()))));
      expect((await admin(h, '/v1/models/recommendations/train?sync=true')).json().results[0].promotion.promoted).toBe(true);
      const second = (await admin(h, '/v1/models/recommendations/train?sync=true')).json().results[0];
      // Nothing happened since version 1: the same model, and the held-out comparison has no subject to judge by.
      expect(second.promotion).toMatchObject({ promoted: false, reason: expect.stringMatching(/^version 2 is the same model as live version 1 .*the comparison: only 0 subjects had an interaction received between the training of version 1 \(/) });
      const refused = await admin(h, '/v1/models/recommendations/promote', { version: 2 });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toBe('promotion_refused');
      const noReason = await admin(h, '/v1/models/recommendations/promote', { version: 2, force: true });
      expect(noReason.json().problems[0].field).toBe('reason');
      expect((await admin(h, '/v1/models/recommendations/promote', { version: 2, force: true, reason: 'reviewed by hand' })).json()).toMatchObject({ promoted: true, previous: 1 });
      expect((await admin(h, '/v1/models/recommendations/rollback', { reason: 'worse clicks' })).json()).toEqual({ name: 'recommendations', version: 1, from: 2 });
      const again = await h.app.inject({ method: 'POST', url: '/v1/models/recommendations/rollback', headers: { authorization: bearer(KEYS.admin) } });
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toBe('rollback_unavailable');
      const model = (await get(h.app, '/v1/models/recommendations')).json();
      expect(model.live.version).toBe(1);
      expect(model.history.map((e: { action: string }) => e.action)).toEqual(['rolled-back', 'promoted', 'refused', 'refused', 'trained', 'promoted', 'trained']);
      expect((await putConfig(h, 'training', { autoPromote: ['recommendations'] })).statusCode).toBe(200);
      // Something new to learn from (a model the same as the live one is not promoted, autoPromote or not).
      await ingest(h, ['sku-1', 'sku-2'].map((p) => track('d', 'Product Viewed', { product_id: p }, Date.now())));
      expect((await admin(h, '/v1/models/recommendations/train?sync=true')).json().results[0].promotion).toMatchObject({ promoted: true, reason: expect.stringContaining('autoPromote') });
      expect((await get(h.app, '/v1/models')).json().models.map((m: { name: string }) => m.name)).toEqual(['micro-segments', 'send-time', 'rates', 'baselines', 'recommendations', 'uplift']);
      expect((await admin(h, '/v1/models/nope/train?sync=true')).statusCode).toBe(404);
    });
  });
}
