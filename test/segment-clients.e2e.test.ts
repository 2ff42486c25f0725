import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS } from './harness.js';
import { startTact, type Running } from './server-process.js';

/**
 * Segment's own clients, unchanged, against Tact's collection API: @segment/analytics-node sends
 * through its real HTTP publisher (host pointed at Tact), and payloads shaped exactly as
 * analytics.js (analytics-next) sends them are replayed on its paths (/v1/t, /v1/i, /v1/p, /v1/b:
 * text/plain body, writeKey in the body, _metadata, sentAt).
 */
describe('Segment client compatibility', () => {
  let tact: Running;
  const profile = async (id: string) => (await fetch(`${tact.url}/v1/profiles/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${KEYS.server}` } })).json();

  beforeAll(async () => {
    tact = await startTact({ config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' }] } });
  });
  afterAll(async () => tact.kill());

  it('@segment/analytics-node delivers every call type', async () => {
    const analytics = new Analytics({ writeKey: KEYS.write, host: tact.url, flushAt: 3, flushInterval: 200, maxRetries: 2 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({ userId: 'node-user', traits: { email: 'node@example.com', plan: 'team' } });
    analytics.track({ userId: 'node-user', event: 'Order Completed', properties: { revenue: 99.5, order_id: 'o-1' } });
    analytics.track({ anonymousId: 'node-anon', event: 'Product Viewed', properties: { product_id: 'p1' } });
    analytics.page({ userId: 'node-user', name: 'Pricing', properties: { url: 'https://x.io/pricing' } });
    analytics.screen({ userId: 'node-user', name: 'Home' });
    analytics.group({ userId: 'node-user', groupId: 'node-co', traits: { name: 'Node Co' } });
    analytics.alias({ userId: 'node-user', previousId: 'node-anon' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const p = await profile('email:node@example.com');
    expect(p.traits.plan).toBe('team');
    expect(p.features.orders.value).toBe(1);
    expect(p.features.revenue.value).toBe(99.5);
    expect(Object.keys(p.events).sort()).toEqual(['Order Completed', 'Product Viewed', 'alias', 'group', 'identify', 'page', 'screen']);
    expect(p.accounts[0].id).toBe('node-co');
    expect(p.recentEvents.every((e: { messageId: string }) => e.messageId.startsWith('node-next-'))).toBe(true);
  });

  it('accepts analytics.js payloads on its short paths and corrects the browser clock', async () => {
    const now = Date.now();
    const skew = 2 * 3600_000; // the browser's clock is two hours fast
    const context = {
      library: { name: 'analytics.js', version: 'next-1.72.0' },
      page: { path: '/checkout', referrer: 'https://shop.example.com/cart', search: '', title: 'Checkout', url: 'https://shop.example.com/checkout' },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      userAgentData: { brands: [{ brand: 'Chromium', version: '131' }], mobile: false, platform: 'Linux' },
      locale: 'en-GB',
      timezone: 'Europe/London',
      consent: { categoryPreferences: { Advertising: false, Analytics: true } },
    };
    const base = { anonymousId: 'ajs-anon-1', context, integrations: {}, writeKey: KEYS.write, _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] } };
    const at = (ms: number) => new Date(ms + skew).toISOString();
    const page = { ...base, type: 'page', messageId: 'ajs-next-1a2b', name: 'Checkout', properties: { path: '/checkout', url: 'https://shop.example.com/checkout' }, timestamp: at(now - 4000), sentAt: at(now - 3000) };
    const tr = { ...base, type: 'track', messageId: 'ajs-next-3c4d', event: 'Order Completed', properties: { revenue: 25, order_id: 'w-1' }, timestamp: at(now - 2000), sentAt: at(now - 1000) };
    const id = { ...base, type: 'identify', messageId: 'ajs-next-5e6f', userId: 'ajs-user', traits: { email: 'ajs@example.com' }, timestamp: at(now - 500), sentAt: at(now) };
    const post = (path: string, body: object) => fetch(`${tact.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
    for (const [path, body] of [['/v1/p', page], ['/v1/t', tr], ['/v1/i', id]] as const) {
      const r = await post(path, body);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ success: true });
    }
    // batching dispatcher: /v1/b with one sentAt for the whole batch
    const { sentAt: _s, ...noSent } = { ...tr, messageId: 'ajs-next-7a8b', properties: { revenue: 5, order_id: 'w-2' } };
    const b = await post('/v1/b', { writeKey: KEYS.write, batch: [noSent], sentAt: at(Date.now()) });
    expect(b.status).toBe(200);
    const p = await profile('ajs-user');
    expect(p.features.revenue.value).toBe(30);
    expect(p.consent.Advertising.granted).toBe(false);
    expect(p.timezone).toBe('Europe/London');
    const order = p.recentEvents.find((e: { messageId: string }) => e.messageId === 'ajs-next-3c4d');
    // corrected to the server clock: within a few seconds of when it really happened, not two hours ahead
    expect(Math.abs(Date.parse(order.timestamp) - (now - 2000))).toBeLessThan(3000);
  });
});
