import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, harness, send } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';

describe('the ingestor', () => {
  it('resolves a request that arrives while the previous one commits (the embedded store pipelines), and answers each after its commit', async () => {
    const store = await openSqliteStore({ path: join(testDir('tact-ingestor-'), 'tact.db') });
    const h = await harness('sqlite', { store });
    const resolved: string[] = [];
    const ingest = store.collect.ingest.bind(store.collect);
    store.collect.ingest = (items, compute, epoch) => {
      resolved.push(items.map((i) => i.message.userId).join());
      return ingest(items, compute, epoch);
    };
    expect((await send(h.app, '/v1/identify', { userId: 'warm-up' })).statusCode).toBe(200);
    resolved.length = 0;
    // Hold the database's write lock: the first request is resolved and waits to commit.
    store.db.exec('BEGIN IMMEDIATE');
    let answered = 0;
    const first = send(h.app, '/v1/identify', { userId: 'first' }).then((r) => (answered++, r));
    await new Promise((r) => setTimeout(r, 200));
    const second = send(h.app, '/v1/identify', { userId: 'second' }).then((r) => (answered++, r));
    await new Promise((r) => setTimeout(r, 200));
    expect(resolved).toEqual(['first', 'second']);
    expect(answered).toBe(0);
    store.db.exec('COMMIT');
    for (const r of await Promise.all([first, second])) expect(r.statusCode, r.body).toBe(200);
    expect(await store.collect.countEvents()).toBe(3);
    await h.close();
    await store.close();
  });

  it('counts a blocked message whose commit failed when it is sent again, and when the ingestor retries the commit itself', async () => {
    const store = await openSqliteStore({ path: join(testDir('tact-ingestor-'), 'tact.db') });
    const h = await harness('sqlite', { store, config: { trackingPlan: { events: { Refund: { block: true, properties: { type: 'object', required: ['amount'] } } } } } });
    const ingest = store.collect.ingest.bind(store.collect);
    let fail: Error | undefined;
    // The batch is resolved (its violations counted in memory), then its commit fails.
    store.collect.ingest = (items, compute, epoch) => ingest(items, (snap) => {
      const w = compute(snap);
      const err = fail;
      fail = undefined;
      if (err) throw err;
      return w;
    }, epoch);
    const count = async () => ((await get(h.app, '/v1/tracking-plan/violations?event=Refund')).json().violations as { count: number }[]).map((v) => v.count);
    fail = new Error('disk I/O error');
    expect((await send(h.app, '/v1/track', { messageId: 'refund-1', userId: 'f', event: 'Refund' })).statusCode).toBe(500);
    expect(await count()).toEqual([]);
    // The client retries: nothing was committed, so this is the first time it counts.
    expect((await send(h.app, '/v1/track', { messageId: 'refund-1', userId: 'f', event: 'Refund' })).statusCode).toBe(400);
    expect(await count()).toEqual([1]);
    // A commit the ingestor retries on its own (the database was busy) counts its message once too.
    fail = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect((await send(h.app, '/v1/track', { messageId: 'refund-2', userId: 'f', event: 'Refund' })).statusCode).toBe(400);
    expect(await count()).toEqual([2]);
    await h.close();
    await store.close();
  });
});
