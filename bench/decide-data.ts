import { rng } from './events.js';

const CATEGORIES = 40;

/**
 * Messages that give each of `users` subjects a real profile: an identify with traits, consent
 * and a time zone, product views (so `views_7d`, `viewed`, `last_category` mean something) and, for
 * about 40%, orders with products (so `orders`, `revenue`, `purchased` do). Deterministic.
 */
export function* profileMessages(users: number, seed = 11): Generator<Record<string, unknown>> {
  const r = rng(seed);
  const now = Date.now();
  const zones = ['Europe/London', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
  for (let u = 0; u < users; u++) {
    const userId = `user-${u}`;
    const context = { timezone: zones[u % zones.length], consent: { categoryPreferences: { Advertising: u % 5 !== 0 } } };
    const ts = (ago: number) => new Date(now - ago).toISOString();
    yield { type: 'identify', messageId: `p-${u}-i`, userId, timestamp: ts(3_600_000), context, traits: { email: `user-${u}@example.com`, plan: u % 5 === 0 ? 'pro' : 'free' } };
    const views = 1 + Math.floor(r() * 3);
    for (let v = 0; v < views; v++) {
      const product = Math.floor(r() * 2000);
      yield { type: 'track', messageId: `p-${u}-v${v}`, userId, event: 'Product Viewed', timestamp: ts(Math.floor(r() * 6 * 86_400_000)), context, properties: { product_id: `sku-${product}`, category: `c${product % CATEGORIES}`, price: 20 } };
    }
    if (r() < 0.4) {
      const p = Math.floor(r() * 2000);
      yield { type: 'track', messageId: `p-${u}-o`, userId, event: 'Order Completed', timestamp: ts(Math.floor(r() * 30 * 86_400_000)), context, properties: { order_id: `o-${u}`, revenue: Math.round(r() * 200 + 10), products: [{ product_id: `sku-${p}` }, { product_id: `sku-${(p * 7) % 2000}` }] } };
    }
  }
}

/**
 * Sends messages through /v1/batch, `concurrency` requests of `size` messages in flight.
 *
 * @example
 * await sendAll('http://127.0.0.1:8787', writeKey, profileMessages(100_000));
 */
export async function sendAll(base: string, writeKey: string, messages: Iterable<Record<string, unknown>>, size = 500, concurrency = 6): Promise<number> {
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const it = messages[Symbol.iterator]();
  let sent = 0;
  const worker = async () => {
    for (;;) {
      const batch: Record<string, unknown>[] = [];
      for (let n = it.next(); !n.done; n = it.next()) {
        batch.push(n.value);
        if (batch.length >= size) break;
      }
      if (!batch.length) return;
      const res = await fetch(`${base}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
      if (!res.ok) throw new Error(`loading profiles failed: HTTP ${res.status} ${await res.text()}`);
      sent += batch.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent;
}
