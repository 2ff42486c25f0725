import { afterEach, describe, expect, it } from 'vitest';
import { bearer, get, harness, KEYS, send, type Harness } from '../../../test/harness.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
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

describe.each(['sqlite', 'postgres'] as const)('feature backfill of merged profiles (%s)', (kind) => {
  it('counts the events of every profile of a merge chain once, also when the merged state is no longer in memory', async () => {
    h = await harness(kind);
    // Three profiles' orders (anonymous a1, anonymous a2, user u1), merged into one by alias and identify.
    const track = (who: object, id: string, i: number) => send(h!.app, '/v1/track', { ...who, event: 'Order Completed', messageId: id, timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString() });
    expect((await track({ anonymousId: 'a1' }, 'm1', 1)).statusCode).toBe(200);
    expect((await track({ anonymousId: 'a2' }, 'm2', 2)).statusCode).toBe(200);
    expect((await track({ userId: 'u1' }, 'm3', 3)).statusCode).toBe(200);
    expect((await track({ userId: 'u1' }, 'm4', 4)).statusCode).toBe(200);
    expect((await send(h.app, '/v1/alias', { previousId: 'a2', userId: 'u1', messageId: 'al', timestamp: new Date(1_700_000_005_000).toISOString() })).statusCode).toBe(200);
    expect((await send(h.app, '/v1/identify', { userId: 'u1', anonymousId: 'a1', messageId: 'id', timestamp: new Date(1_700_000_006_000).toISOString() })).statusCode).toBe(200);
    if (kind === 'sqlite') {
      // Written by a checkpoint and gone cold: each read of the state parses a new copy of it.
      const s = h.store as SqliteStore;
      await s.collect.checkpoint();
      s.collect.cool();
    }
    await feature(h, 'POST', { name: 'orders', kind: 'count', event: 'Order Completed' });
    const p = (await get(h.app, '/v1/profiles/u1')).json() as { features: Record<string, { value: unknown }> };
    expect(p.features.orders.value).toBe(4);
  });
});
