import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

describe('tracking-plan violations over the collection API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite', { config: { trackingPlan: { events: {
      'Product Viewed': { properties: { type: 'object', properties: { price: { type: 'number' } } } },
      'Order Completed': { block: true, properties: { type: 'object', required: ['revenue'] } },
    } } } });
  });
  afterAll(async () => h.close());

  const count = async (event: string) => {
    const v = (await get(h.app, '/v1/tracking-plan/violations')).json().violations as { event: string; count: number; blocked: number }[];
    return v.filter((x) => x.event === event).map(({ count: c, blocked }) => ({ count: c, blocked }));
  };

  it('counts a message once however often the client retries it (same messageId)', async () => {
    const m = { messageId: 'retried-1', userId: 'v1', event: 'Product Viewed', properties: { price: 'cheap' } };
    for (let i = 0; i < 3; i++) expect((await send(h.app, '/v1/track', m)).statusCode).toBe(200);
    const b = await send(h.app, '/v1/batch', { batch: [{ type: 'track', ...m }, { type: 'track', ...m, messageId: 'retried-2' }, { type: 'track', ...m, messageId: 'retried-2' }] });
    expect(b.json()).toEqual({ success: true });
    expect(await count('Product Viewed')).toEqual([{ count: 2, blocked: 0 }]);
  });

  it('counts a blocked message once when a batch carries it twice', async () => {
    const m = { type: 'track', messageId: 'blocked-1', userId: 'v2', event: 'Order Completed', properties: {} };
    const b = await send(h.app, '/v1/batch', { batch: [m, m, { type: 'track', userId: 'v2', event: 'Order Completed', properties: { revenue: 1 } }] });
    expect(b.json().rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    expect(await count('Order Completed')).toEqual([{ count: 1, blocked: 1 }]);
  });
});
