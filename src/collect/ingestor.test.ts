import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harness, send } from '../../test/harness.js';
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
});
