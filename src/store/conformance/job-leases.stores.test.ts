import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openTwoStores, type StoreKind } from '../../../test/harness.js';
import { type Job, JobLeaseLost } from '../../config/document-store.js';
import type { PostgresStore } from '../postgres/postgres-store.js';
import type { SqliteStore } from '../sqlite/sqlite-store.js';
import type { Store } from '../store.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function lapseLease(store: Store, id: string): Promise<void> {
  if (store.kind === 'sqlite') (store as SqliteStore).db.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').run(id);
  else await ((store as PostgresStore).pool as pg.Pool).query('UPDATE jobs SET lease_until = 0 WHERE id = $1', [id]);
}

const job = (afterSeq: number, state: Job['state'] = 'running'): Job => ({ id: 'consumer:x', kind: 'consumer', state, progress: { afterSeq }, createdAt: 1, updatedAt: afterSeq });

/** The job-lease contract of DocumentStore (document-store.ts), on two stores sharing one database. */
describe.each(['sqlite', 'postgres'] as StoreKind[])('job leases shared by two processes (%s)', (kind) => {
  it('a save made for a lease holder applies only while it holds the lease; one whose lease another took is refused', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = two.stores.map((s) => s.documents);
    await a.createJob(job(0));
    expect(await a.leaseJob('consumer:x', 'A', 30_000)).toBe(true);
    expect(await b.leaseJob('consumer:x', 'B', 30_000)).toBe(false);
    expect(await a.saveJob({ ...job(5), holder: 'A' })).toBe(true);
    expect(await b.saveJob({ ...job(7), holder: 'B' })).toBe(false);
    expect((await b.getJob('consumer:x'))?.progress).toEqual({ afterSeq: 5 });
    // A stalls past its lease, B takes it and goes further; A's older position is refused.
    await lapseLease(two.stores[0], 'consumer:x');
    expect(await b.leaseJob('consumer:x', 'B', 30_000)).toBe(true);
    expect(await b.saveJob({ ...job(20), holder: 'B' })).toBe(true);
    expect(await a.saveJob({ ...job(10), holder: 'A' })).toBe(false);
    expect(await a.saveJob({ ...job(10, 'failed'), holder: 'A' })).toBe(false);
    expect(await a.getJob('consumer:x')).toEqual(job(20));
    // Without a holder a save is a plain create-or-replace, as before.
    expect(await a.saveJob(job(3, 'done'))).toBe(true);
    expect(await b.getJob('consumer:x')).toEqual(job(3, 'done'));
    // No job: nothing to hold, nothing written.
    expect(await a.saveJob({ ...job(1), id: 'consumer:none', holder: 'A' })).toBe(false);
    expect(await a.getJob('consumer:none')).toBeUndefined();
  });

  // PostgreSQL only: on SQLite profile states live in the process's memory, and only the server
  // holding the folder's lock runs jobs (backfill.ts), so the job is saved with them unchecked.
  it.runIf(kind === 'postgres')('a profile mutation saving a job for a holder that lost its lease is rolled back whole', async () => {
    const two = await openTwoStores(kind);
    cleanups.push(two.cleanup);
    const [a, b] = two.stores;
    const pool = (a as PostgresStore).pool as pg.Pool;
    await pool.query(`INSERT INTO profiles (id, version, created_at, updated_at, state) VALUES ('p1', 1, 0, 0, $1)`, [JSON.stringify({ id: 'p1', version: 1, updatedAt: 0, features: {} })]);
    await a.documents.createJob({ ...job(0), id: 'backfill:f:h', kind: 'backfill' });
    expect(await a.documents.leaseJob('backfill:f:h', 'A', 30_000)).toBe(true);
    await lapseLease(a, 'backfill:f:h');
    expect(await b.documents.leaseJob('backfill:f:h', 'B', 30_000)).toBe(true);
    const mutate = (holder: string, n: number) => a.profiles.mutateProfiles(['p1'], (states) => {
      const s = states.get('p1')!;
      s.features.f = { n } as never;
    }, { ...job(n), id: 'backfill:f:h', kind: 'backfill', holder });
    await expect(mutate('A', 5)).rejects.toBeInstanceOf(JobLeaseLost);
    expect(JSON.parse((await pool.query('SELECT state FROM profiles WHERE id = $1', ['p1'])).rows[0].state).features).toEqual({});
    expect((await a.documents.getJob('backfill:f:h'))?.progress).toEqual({ afterSeq: 0 });
    await mutate('B', 6);
    expect(JSON.parse((await pool.query('SELECT state FROM profiles WHERE id = $1', ['p1'])).rows[0].state).features).toEqual({ f: { n: 6 } });
    expect((await a.documents.getJob('backfill:f:h'))?.progress).toEqual({ afterSeq: 6 });
  });
});
