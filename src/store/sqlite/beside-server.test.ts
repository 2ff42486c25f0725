import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../config/document-store.js';
import { get, harness, send } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { openSqliteStore } from './sqlite-store.js';

const job = (id: string): Job => ({ id, kind: 'consumer', state: 'running', progress: {}, createdAt: 1, updatedAt: 1 });

describe('stores opened beside the serving one (tact train, tact keys, tact measure)', () => {
  it('open, read and write beside the server, and their close leaves the server able to rebuild its states after a crash', async () => {
    const path = join(testDir('tact-beside-'), 'tact.db');
    const config = { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }] };
    const served = await openSqliteStore({ path, owner: { port: 1 }, checkpointMs: 3_600_000, checkpointDirty: 1e9 });
    const h = await harness('sqlite', { store: served, config });
    for (let i = 0; i < 20; i++) await send(h.app, '/v1/track', { userId: `b-${i % 3}`, event: 'Order Completed', properties: { revenue: i + 1 } });
    const before = [];
    for (let u = 0; u < 3; u++) before.push((await get(h.app, `/v1/profiles/b-${u}`)).json());

    // As `tact keys create` does, beside the running server: it opens, writes, closes.
    const beside = await openSqliteStore({ path });
    await beside.keys.create({ id: 'k-beside', kind: 'server', hash: 'h-beside', label: 'beside', createdAt: Date.now(), revokedAt: null });
    expect((await served.keys.list()).map((k) => k.id)).toContain('k-beside');
    expect(await beside.collect.countEvents()).toBe(20);
    await beside.close();

    // The server dies without a checkpoint of the states it changed (kill -9; its lock goes with it).
    await h.app.close();
    served.db.close();
    await served.close();
    const restarted = await openSqliteStore({ path, owner: {} });
    const h2 = await harness('sqlite', { store: restarted, config });
    for (let u = 0; u < 3; u++) expect((await get(h2.app, `/v1/profiles/b-${u}`)).json().features).toEqual(before[u].features);
    await h2.close();
    await restarted.close();
  });

  it('leave copying the WAL to the server: no copier of their own, and no full copy when they close', async () => {
    const path = join(testDir('tact-beside-wal-'), 'tact.db');
    const served = await openSqliteStore({ path, owner: {} });
    expect(served.walCheckpointer).toBeDefined();
    await served.keys.create({ id: 'k-served', kind: 'server', hash: 'h-served', label: 'served', createdAt: Date.now(), revokedAt: null });
    const wal = () => statSync(`${path}-wal`).size;
    expect(wal()).toBeGreaterThan(0);

    // As `tact keys create` does beside the running server.
    const beside = await openSqliteStore({ path });
    expect(beside.walCheckpointer).toBeUndefined();
    await beside.keys.create({ id: 'k-beside', kind: 'server', hash: 'h-beside', label: 'beside', createdAt: Date.now(), revokedAt: null });
    await beside.close();
    // A TRUNCATE copy at its close (which waits for a gap in the server's writes, up to 10 s) would
    // have emptied the WAL; the server's copier copies but never truncates it.
    expect(wal()).toBeGreaterThan(0);
    expect((await served.keys.list()).map((k) => k.id).sort()).toEqual(['k-beside', 'k-served']);
    // The server, closing, copies everything and leaves an empty WAL, as before.
    await served.close();
    expect(existsSync(`${path}-wal`) ? wal() : 0).toBe(0);
  });

  it('keep their WAL bounded without a copier: SQLite copies it passively every 1,000 pages (a long `tact train` alone on the folder)', async () => {
    const path = join(testDir('tact-alone-wal-'), 'tact.db');
    const alone = await openSqliteStore({ path });
    expect(alone.walCheckpointer).toBeUndefined();
    await alone.writer.run([{ sql: 'CREATE TABLE filler (x BLOB)', rows: [[]] }]);
    // 24 MB in 60 commits of 100 rows of 4 KB: about 6,000 pages, six times the passive copy's trigger.
    for (let i = 0; i < 60; i++) await alone.writer.run([{ sql: 'INSERT INTO filler (x) VALUES (randomblob(4000))', rows: Array.from({ length: 100 }, () => []) }]);
    expect(statSync(`${path}-wal`).size).toBeLessThan(10 * 2 ** 20);
    await alone.close();
  });

  it('lease jobs by compare-and-set; the serving store takes a lease a server that is gone left', async () => {
    const path = join(testDir('tact-lease-'), 'tact.db');
    const a = await openSqliteStore({ path });
    const b = await openSqliteStore({ path });
    await a.documents.saveJob(job('consumer:x'));
    expect(await a.documents.leaseJob('consumer:x', 'a', 60_000)).toBe(true);
    expect(await b.documents.leaseJob('consumer:x', 'b', 60_000)).toBe(false);
    expect(await a.documents.leaseJob('consumer:x', 'a', 60_000)).toBe(true);
    await b.close();
    await a.close();
    // Only the server holding the folder's lock runs jobs on it: a lease in a row is from one that has stopped.
    const served = await openSqliteStore({ path, owner: {} });
    expect(await served.documents.leaseJob('consumer:x', 'server', 60_000)).toBe(true);
    await served.close();
  });
});
