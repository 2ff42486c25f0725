import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness, type StoreKind } from '../../test/harness.js';

/**
 * A client that lost the answer sends the same message again, with the same messageId (Segment's
 * libraries retry a batch whole; `tact import` resumes after the last acknowledged line). The
 * violation counts say how many messages broke the plan, so a retry must not add to them — for a
 * blocked message, which is not stored, as for a stored one.
 */
const plan = (block: { order: boolean; viewed: boolean }) => ({ events: {
  'Order Completed': { block: block.order, properties: { type: 'object', required: ['revenue'] } },
  'Product Viewed': { block: block.viewed, properties: { type: 'object', properties: { price: { type: 'number' } } } },
} });

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`tracking-plan violations and client retries (${kind})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness(kind, { config: { trackingPlan: plan({ order: true, viewed: false }) } });
    });
    afterAll(async () => h.close());

    const counts = async (event: string) => {
      const v = (await get(h.app, `/v1/tracking-plan/violations?event=${encodeURIComponent(event)}`)).json().violations as { count: number; blocked: number }[];
      return v.map(({ count, blocked }) => ({ count, blocked }));
    };
    const putPlan = async (block: { order: boolean; viewed: boolean }) => {
      const r = await h.app.inject({ method: 'PUT', url: '/v1/config/tracking-plan', headers: { authorization: bearer(KEYS.admin) }, payload: { document: plan(block), reason: 'retry test' } });
      expect(r.statusCode, r.body).toBe(200);
    };
    const clear = async () => {
      const r = await h.app.inject({ method: 'DELETE', url: '/v1/tracking-plan/violations?all=true', headers: { authorization: bearer(KEYS.admin) } });
      expect(r.statusCode, r.body).toBe(200);
    };

    it('counts a blocked message once however often it is sent again in later requests', async () => {
      await clear();
      const m = { messageId: 'blocked-retry-1', userId: 'r1', event: 'Order Completed', properties: {} };
      for (let i = 0; i < 3; i++) {
        const r = await send(h.app, '/v1/track', m);
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json().error).toBe('tracking_plan_blocked');
      }
      // The same message again, inside a batch another client library sends (each retry a new request).
      for (let i = 0; i < 2; i++) {
        const b = await send(h.app, '/v1/batch', { batch: [{ type: 'track', ...m }, { type: 'track', userId: 'r1', event: 'Order Completed', properties: { revenue: 1 } }] });
        expect(b.statusCode, b.body).toBe(200);
        expect(b.json().rejected).toMatchObject([{ index: 0, messageId: 'blocked-retry-1' }]);
      }
      expect(await counts('Order Completed')).toEqual([{ count: 1, blocked: 1 }]);
      // Another message with the same fault is another violation.
      expect((await send(h.app, '/v1/track', { ...m, messageId: 'blocked-retry-2' })).statusCode).toBe(400);
      expect(await counts('Order Completed')).toEqual([{ count: 2, blocked: 2 }]);
    });

    it('counts a message once when the plan changes between it and its retry, and acknowledges a stored one', async () => {
      await clear();
      // Blocked, then stored on a retry once the plan no longer blocks it: one message, counted once.
      const order = { messageId: 'plan-change-1', userId: 'r2', event: 'Order Completed', properties: {} };
      expect((await send(h.app, '/v1/track', order)).statusCode).toBe(400);
      // Stored (the plan keeps it), then sent again after the plan started blocking its event.
      const viewed = { messageId: 'plan-change-2', userId: 'r2', event: 'Product Viewed', properties: { price: 'cheap' } };
      expect((await send(h.app, '/v1/track', viewed)).statusCode).toBe(200);
      await putPlan({ order: false, viewed: true });
      try {
        const stored = await send(h.app, '/v1/track', order);
        expect(stored.statusCode, stored.body).toBe(200);
        // Already stored: acknowledged again, as any duplicate is, not refused as if it were not stored.
        const again = await send(h.app, '/v1/track', viewed);
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json()).toEqual({ success: true });
        expect(await counts('Order Completed')).toEqual([{ count: 1, blocked: 1 }]);
        expect(await counts('Product Viewed')).toEqual([{ count: 1, blocked: 0 }]);
        expect(await h.tact.store.collect.hasMessage('plan-change-1')).toBe(true);
      } finally {
        await putPlan({ order: true, viewed: false });
      }
    });
  });
}
