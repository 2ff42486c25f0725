import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, get, harness, type Harness } from '../../../test/harness.js';

/**
 * The same batches through an app whose parse worker reads every body and through one that reads
 * them on the main thread: the answers and the profiles they build must be the same, including a
 * feature whose filter reads the context the slim projection leaves out.
 */
const config = {
  features: [
    { name: 'orders', kind: 'count', event: 'Order Completed' },
    { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
    { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 10 },
    { name: 'product_page_views', kind: 'count', type: 'page', where: "context.page.path.startsWith('/p/')" },
  ],
};

const context = (i: number) => ({ ip: '203.0.113.7', page: { path: i % 2 ? `/p/${i}` : `/c/${i}`, url: 'https://shop.example.com/' }, userAgent: 'Mozilla/5.0', timezone: 'Europe/Berlin', consent: { categoryPreferences: { Advertising: i % 3 !== 0 } }, traits: { email: `Shopper${i % 4}@Example.com` } });

function batch(round: number): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    const u = `user-${i % 12}`;
    const base = { userId: u, anonymousId: `anon-${i % 12}`, messageId: `r${round}-${i}`, timestamp: '2026-12-01T10:00:00.000Z', context: context(i) };
    if (i % 5 === 0) messages.push({ ...base, type: 'track', event: 'Order Completed', properties: { revenue: 10 + i, products: [{ product_id: `sku-${i}` }] } });
    else if (i % 5 === 1) messages.push({ ...base, type: 'identify', traits: { plan: i % 2 ? 'pro' : 'free' } });
    else if (i % 5 === 2) messages.push({ type: 'track', userId: u }); // rejected: no event
    else messages.push({ ...base, type: 'page', name: 'Product', properties: { path: '/x' } });
  }
  return { sentAt: '2026-12-01T10:00:01.000Z', writeKey: KEYS.write, batch: messages };
}

function withoutTimes(v: unknown): unknown {
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? '(time)' : v;
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutTimes(x)]));
  return v;
}

// Without a feature that reads the context, the write path runs on the slim messages themselves.
const slimConfig = { features: config.features.filter((f) => !f.where) };

describe.each([
  ['a feature reads the context: messages read whole again', config],
  ['the slim messages suffice', slimConfig],
])('collection batches read in a parse worker (%s)', (_label, cfg) => {
  let worker: Harness;
  let main: Harness;
  beforeAll(async () => {
    worker = await harness('sqlite', { config: cfg, parse: { workers: 1, minChars: 0 } });
    main = await harness('sqlite', { config: cfg, parse: { workers: 0 } });
  });
  afterAll(async () => {
    await worker?.close();
    await main?.close();
  });

  it('answers and stores exactly what the main thread does', async () => {
    for (let round = 0; round < 3; round++) {
      for (const h of [worker, main]) {
        // analytics.js style: the key in the body, text/plain; and the Basic header with JSON.
        const body = JSON.stringify(batch(round));
        const a = await h.app.inject({ method: 'POST', url: '/v1/b', headers: { 'content-type': 'text/plain' }, payload: body });
        const b = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json' }, payload: body });
        expect(a.statusCode, a.body).toBe(200);
        expect(b.statusCode, b.body).toBe(200);
        expect(a.json()).toMatchObject({ success: true, accepted: 48, duplicates: 0 });
        expect(b.json()).toMatchObject({ success: true, accepted: 48, duplicates: 48 });
        expect(a.json().rejected.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: 12 }, (_, k) => 5 * k + 2));
      }
    }
    expect(worker.tact.batches.counts.worker).toBe(6);
    expect(main.tact.batches.counts.worker).toBe(0);
    const metrics = (await worker.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('tact_collect_batches_read_total{thread="worker"} 6');
    for (let u = 0; u < 12; u++) {
      const [w, m] = await Promise.all([worker, main].map((h) => get(h.app, `/v1/profiles/user-${u}`)));
      expect(w.statusCode).toBe(200);
      // Profile ids are random and times are each server's own clock (Segment's skew correction uses the arrival time).
      const strip = (p: Record<string, unknown>) => {
        const { id: _id, identities, events: _e, ...rest } = p as { id: string; identities: unknown[]; events: unknown[] };
        return withoutTimes({ ...rest, identities: (identities as { kind: string; value: string }[]).map((i) => `${i.kind}:${i.value}`).sort() });
      };
      expect(strip(w.json())).toEqual(strip(m.json()));
    }
    // user-3 gets messages 3, 15, 27, 39, 51 of each round; the pages among them (3 and 39, i mod 5 ≥ 3) are on /p/ paths (odd i): 2 × 3 rounds.
    const p = (await get(worker.app, '/v1/profiles/user-3')).json();
    expect(p.features.product_page_views?.value).toBe(cfg === config ? 6 : undefined);
    expect(p.features.revenue.value).toBe(3 * (10 + 15));
    expect(p.timezone).toBe('Europe/Berlin');
    expect(p.consent.Advertising.granted).toBe(false); // message 51 (51 mod 3 = 0) came last
  });

  it('gives the same errors for bodies it cannot read', async () => {
    for (const payload of ['{"batch":[', '', '{"nobatch":true}', '{"sentAt":"garbage","batch":[{"type":"page","userId":"bs","sentAt":"2026-12-05T11:00:00Z"},{"type":"page","userId":"bs"}]}']) {
      const [w, m] = await Promise.all([worker, main].map((h) => h.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic(), 'content-type': 'application/json' }, payload })));
      expect(w.statusCode).toBe(400);
      const { errorId: _w, ...wBody } = w.json();
      const { errorId: _m, ...mBody } = m.json();
      expect(wBody).toEqual(mBody);
      // Byte for byte, but for the error's id.
      expect(w.body.replace(w.json().errorId, '')).toBe(m.body.replace(m.json().errorId, ''));
    }
  });
});

describe('a projection made under another configuration', () => {
  it('is not trusted: the ingestor reads the whole message back from its JSON', async () => {
    const h = await harness('sqlite', { config: slimConfig, parse: { workers: 0 } });
    try {
      const epoch = h.tact.settings.epoch;
      const whole = (id: string) => ({ messageId: id, type: 'identify' as const, userId: id, context: { timezone: 'Asia/Tokyo' }, timestamp: 1, receivedAt: 1 });
      const projected = (id: string) => ({ ...whole(id), context: {} }); // a projection that left the time zone out
      await h.tact.ingestor.submit([
        { message: projected('stale'), json: JSON.stringify(whole('stale')), projected: epoch - 1 },
        { message: projected('current'), json: JSON.stringify(whole('current')), projected: epoch },
      ]);
      expect((await get(h.app, '/v1/profiles/stale')).json().timezone).toBe('Asia/Tokyo');
      expect((await get(h.app, '/v1/profiles/current')).json().timezone).toBeNull();
    } finally {
      await h.close();
    }
  });
});
