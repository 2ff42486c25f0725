/**
 * Realistic Segment messages for benchmarks: a shop's mix of page views, product views, cart
 * adds, orders and identifies, with context as analytics.js sends it. Deterministic per seed.
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = ['Product Viewed', 'Product Viewed', 'Product Viewed', 'Page', 'Page', 'Product Added', 'Checkout Started', 'Order Completed', 'Identify'];

/** One message as JSON text; `i` makes the messageId unique. */
export function messageJson(r: () => number, i: number, users: number, prefix: string, now: number): string {
  const u = Math.floor(r() * users);
  const kind = EVENTS[Math.floor(r() * EVENTS.length)];
  const ts = new Date(now - Math.floor(r() * 60_000)).toISOString();
  const context = `{"ip":"203.0.113.${u % 250}","library":{"name":"analytics.js","version":"next-1.72.0"},"locale":"en-GB","timezone":"Europe/London","page":{"path":"/p/${u % 500}","referrer":"https://www.example.com/","title":"Shop","url":"https://shop.example.com/p/${u % 500}"},"userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36","consent":{"categoryPreferences":{"Advertising":${u % 3 !== 0},"Analytics":true}}}`;
  const ids = `"userId":"user-${u}","anonymousId":"anon-${u}"`;
  const head = `"messageId":"${prefix}-${i}",${ids},"timestamp":"${ts}","context":${context},"integrations":{"All":true}`;
  const product = Math.floor(r() * 2000);
  switch (kind) {
    case 'Page':
      return `{"type":"page",${head},"name":"Category","properties":{"path":"/c/${product % 40}","title":"Category ${product % 40}","url":"https://shop.example.com/c/${product % 40}"}}`;
    case 'Identify':
      return `{"type":"identify",${head},"traits":{"email":"user-${u}@example.com","plan":"${u % 5 === 0 ? 'pro' : 'free'}","name":"Customer ${u}","country":"GB"}}`;
    case 'Order Completed':
      return `{"type":"track",${head},"event":"Order Completed","properties":{"order_id":"o-${i}","revenue":${(r() * 200 + 5).toFixed(2)},"currency":"GBP","products":[{"product_id":"sku-${product}","price":${(r() * 100).toFixed(2)},"quantity":1},{"product_id":"sku-${(product * 7) % 2000}","price":${(r() * 100).toFixed(2)},"quantity":2}]}}`;
    default:
      return `{"type":"track",${head},"event":"${kind}","properties":{"product_id":"sku-${product}","category":"c${product % 40}","price":${(r() * 100).toFixed(2)},"currency":"GBP"}}`;
  }
}

/** The feature definitions a realistic shop would run while benchmarking. */
export const benchFeatures = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
  { name: 'avg_order', kind: 'mean', event: 'Order Completed', property: 'revenue' },
  { name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d' },
  { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 50 },
  { name: 'viewed', kind: 'unique', event: 'Product Viewed', property: 'product_id', limit: 20 },
  { name: 'last_category', kind: 'last_value', event: 'Product Viewed', property: 'category' },
  { name: 'last_order', kind: 'last_seen', event: 'Order Completed' },
];
