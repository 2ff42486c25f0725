import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness } from '../../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const order = (i: number, revenue: unknown) => ({ type: 'track', userId: 'u1', event: 'Order Completed', messageId: `o-${i}`, timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), properties: { revenue } });
const features = [
  { name: 'big_orders', kind: 'count', event: 'Order Completed', where: 'properties.revenue > 100' },
  { name: 'orders', kind: 'count', event: 'Order Completed' },
];
type Listed = { name: string; whereErrors?: { count: number; firstAt: string; lastAt: string; lastMessage: string; lastEvent: string } };
const listed = async (hh: Harness) => new Map(((await get(hh.app, '/v1/features')).json() as { features: Listed[] }).features.map((f) => [f.name, f]));

describe('GET /v1/features: whereErrors', () => {
  it("shows the events a feature's where failed on, still counts the good ones, and shows nothing for a feature without errors", async () => {
    h = await harness('sqlite', { config: { features } });
    const sent = [order(1, '120'), order(2, 150), order(3, '130'), order(4, 120.5), order(5, undefined), order(6, 50)];
    for (const m of sent) expect((await send(h.app, '/v1/track', m)).statusCode).toBe(200);
    const byName = await listed(h);
    expect(byName.get('big_orders')?.whereErrors).toMatchObject({ count: 2, lastMessage: 'no such overload: dyn<string> > int', lastEvent: 'Order Completed' });
    const e = byName.get('big_orders')!.whereErrors!;
    expect(Date.parse(e.firstAt)).toBeLessThanOrEqual(Date.parse(e.lastAt));
    expect(byName.get('orders')).not.toHaveProperty('whereErrors');
    const p = (await get(h.app, '/v1/profiles/u1')).json() as { features: Record<string, { value: unknown }> };
    expect(p.features.big_orders.value).toBe(2);
    expect(p.features.orders.value).toBe(6);
    expect((await get(h.app, '/metrics')).body).toMatch(/^tact_feature_where_errors_total\{feature="big_orders"\} 2$/m);
  });

  it('counts the errors of a backfill too', async () => {
    h = await harness('sqlite');
    for (const [i, r] of [[1, '120'], [2, 150]] as const) expect((await send(h.app, '/v1/track', order(i, r))).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin), 'content-type': 'application/json' }, payload: features[0] });
    expect(res.statusCode, res.body).toBe(201);
    await h.tact.backfill.runAll();
    expect((await listed(h)).get('big_orders')?.whereErrors).toMatchObject({ count: 1, lastMessage: 'no such overload: dyn<string> > int' });
    const p = (await get(h.app, '/v1/profiles/u1')).json() as { features: Record<string, { value: unknown }> };
    expect(p.features.big_orders.value).toBe(1);
  });
});
