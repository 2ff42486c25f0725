import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness } from '../../../test/harness.js';
import type { FeatureDefinition } from './definition.js';
import { featuresKind } from './features-kind.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const order = (userId: string, i: number) => ({ type: 'track', userId, event: 'Order Completed', messageId: `o-${userId}-${i}`, timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(), properties: { revenue: 10 } });

async function feature(hh: Harness, method: 'POST' | 'DELETE', body?: object, name = 'orders') {
  const res = await hh.app.inject({ method, url: method === 'POST' ? '/v1/features' : `/v1/features/${name}`, headers: { authorization: bearer(KEYS.admin), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: body } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  await hh.tact.backfill.runAll();
}

describe('feature backfill', () => {
  it('counts each event once when a removed feature is added again', async () => {
    h = await harness('sqlite');
    const def = { name: 'orders', kind: 'count', event: 'Order Completed' };
    await feature(h, 'POST', def);
    for (let i = 0; i < 3; i++) expect((await send(h.app, '/v1/track', order('u1', i))).statusCode).toBe(200);
    await feature(h, 'DELETE');
    expect((await send(h.app, '/v1/track', order('u1', 3))).statusCode).toBe(200);
    await feature(h, 'POST', def);
    const p = (await get(h.app, '/v1/profiles/u1')).json() as { features: Record<string, { value: unknown }> };
    expect(p.features.orders.value).toBe(4);
  });

  it('computes a definition in force again apart from its earlier time, and keeps an unchanged one', () => {
    const a: FeatureDefinition = { name: 'views', kind: 'decayed_count', event: 'Viewed', halfLife: '7d' };
    const b: FeatureDefinition = { ...a, halfLife: '14d' };
    const hashOf = (versions: { version: number; body: FeatureDefinition[] }[]) => featuresKind.compile(versions[0].body, versions)[0].hash;
    const first = hashOf([{ version: 1, body: [a] }]);
    expect(hashOf([{ version: 3, body: [a] }, { version: 2, body: [a] }, { version: 1, body: [a] }])).toBe(first);
    expect(hashOf([{ version: 3, body: [a] }, { version: 2, body: [b] }, { version: 1, body: [a] }])).not.toBe(first);
    expect(hashOf([{ version: 3, body: [a] }, { version: 2, body: [] }, { version: 1, body: [a] }])).not.toBe(first);
    expect(hashOf([{ version: 4, body: [a] }, { version: 3, body: [a] }, { version: 2, body: [] }, { version: 1, body: [a] }])).toBe(hashOf([{ version: 3, body: [a] }, { version: 2, body: [] }, { version: 1, body: [a] }]));
  });
});
