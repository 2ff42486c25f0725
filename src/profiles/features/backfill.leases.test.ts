import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, openTwoStores, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { Settings } from '../../config/settings.js';
import { documentKinds } from '../../server/tact.js';
import type { PostgresStore } from '../../store/postgres/postgres-store.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { FeatureBackfill } from './backfill.js';
import { featuresKind } from './features-kind.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function lapseLease(store: Store, id: string): Promise<void> {
  if (store.kind === 'sqlite') (store as SqliteStore).db.prepare('UPDATE jobs SET lease_until = 0 WHERE id = ?').run(id);
  else await ((store as PostgresStore).pool as pg.Pool).query('UPDATE jobs SET lease_until = 0 WHERE id = $1', [id]);
}

/** `store` with some of its parts' methods replaced (the rest is the store's). */
function viewOf(store: Store, parts: { documents?: Partial<Store['documents']>; profiles?: Partial<Store['profiles']> }): Store {
  const view = Object.create(store) as Record<string, unknown>;
  if (parts.documents) view.documents = Object.assign(Object.create(store.documents), parts.documents);
  if (parts.profiles) view.profiles = Object.assign(Object.create(store.profiles), parts.profiles);
  return view as unknown as Store;
}

/** A gate a process stalls at the first time it gets there; `at` resolves once it does. */
function gate() {
  const g = { at: Promise.resolve(), open: () => {}, passed: false };
  let reached!: () => void;
  g.at = new Promise<void>((r) => (reached = r));
  const opened = new Promise<void>((r) => (g.open = r));
  return { g, stall: async () => {
    if (g.passed) return;
    g.passed = true;
    reached();
    await opened;
  } };
}

/**
 * Two processes on one store: 20 orders of u1 and u2 stored before a `count` feature existed,
 * and the feature's backfill job (chunks of 5). On SQLite both run on one store (two stores on one
 * file each keep their own profile states in memory: only one process may change them, which the
 * folder's lock ensures outside tests); on PostgreSQL each has its own.
 */
async function setUp(kind: StoreKind) {
  const two = await openTwoStores(kind);
  cleanups.push(two.cleanup);
  const storeA = two.stores[0];
  const storeB = kind === 'sqlite' ? storeA : two.stores[1];
  const h: Harness = await harness(kind, { store: storeA });
  cleanups.push(() => h.close());
  for (let i = 0; i < 20; i++) expect((await send(h.app, '/v1/track', { userId: i % 2 ? 'u2' : 'u1', event: 'Order Completed', messageId: `o${i}` })).statusCode).toBe(200);
  const put = await storeA.documents.put('features', [{ name: 'orders', kind: 'count', event: 'Order Completed' }], { author: 'test', reason: 'test' });
  const settings = async (store: Store) => {
    const s = new Settings(store.documents, documentKinds);
    await s.reload();
    return s;
  };
  const [settingsA, settingsB] = [await settings(storeA), await settings(storeB)];
  const hash = settingsA.get(featuresKind)[0].hash;
  const id = `backfill:orders:${hash}`;
  const now = Date.now();
  await storeA.documents.saveJob({ id, kind: 'backfill', state: 'running', progress: { feature: 'orders', hash, uptoSeq: put.eventSeq, afterSeq: 0, matched: 0 }, createdAt: now, updatedAt: now });
  const counts = async () => {
    const out: number[] = [];
    await h.tact.settings.reload();
    for (const u of ['u1', 'u2']) out.push((await get(h.app, `/v1/profiles/${u}`)).json().features.orders?.value);
    return out;
  };
  return { storeA, storeB, settingsA, settingsB, id, counts };
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('a feature backfill shared by two processes (%s)', (kind) => {
  it('does not fold a job again that another process finished while this one had it listed', async () => {
    const { storeA, storeB, settingsA, settingsB, id, counts } = await setUp(kind);
    const { g, stall } = gate();
    const lease = storeA.documents.leaseJob.bind(storeA.documents);
    // A listed the running jobs, then is busy elsewhere (an earlier job) before it leases this one.
    const a = new FeatureBackfill(viewOf(storeA, { documents: { leaseJob: async (...args) => (await stall(), lease(...args)) } }), settingsA, { chunk: 5 });
    const runA = a.runAll();
    await g.at;
    await new FeatureBackfill(storeB, settingsB, { chunk: 5 }).runAll();
    expect(await counts()).toEqual([10, 10]);
    // B's lease lapses (30 s after its last chunk); A goes on with the job as it listed it.
    await lapseLease(storeA, id);
    g.open();
    await runA;
    expect(await counts()).toEqual([10, 10]);
    expect(await storeA.documents.getJob(id)).toMatchObject({ state: 'done', progress: { afterSeq: 20, matched: 20 } });
  });

  // PostgreSQL only: on SQLite the states a chunk changes are the process's own, in memory, and only
  // the server holding the folder's lock runs backfills (its lease is taken whoever the row names).
  it.runIf(kind === 'postgres')('a process that stalled past its lease in a chunk does not commit it over the work of the one that took the lease', async () => {
    const { storeA, storeB, settingsA, settingsB, id, counts } = await setUp(kind);
    const { g, stall } = gate();
    const mutate = storeA.profiles.mutateProfiles.bind(storeA.profiles);
    const a = new FeatureBackfill(viewOf(storeA, { profiles: { mutateProfiles: async (...args) => (await stall(), mutate(...args)) } }), settingsA, { chunk: 5 });
    const runA = a.runAll();
    await g.at;
    // A stalls between folding its first chunk and committing it, past its lease: B takes the job and does it all.
    await lapseLease(storeA, id);
    await new FeatureBackfill(storeB, settingsB, { chunk: 5 }).runAll();
    expect(await counts()).toEqual([10, 10]);
    g.open();
    await runA;
    expect.soft(await storeA.documents.getJob(id)).toMatchObject({ state: 'done', progress: { afterSeq: 20, matched: 20 } });
    expect(await counts()).toEqual([10, 10]);
  });
});

describe('a feature backfill whose store cannot be reached a moment', () => {
  it('logs the failed poll and polls again, not ending the process (until 2026-12-05 the rejection went unhandled: exit 1 within a second of PostgreSQL going away)', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    cleanups.push(cleanup);
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    let calls = 0;
    const down = viewOf(store, { documents: { listJobs: async () => {
      calls++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    } } });
    const logged: string[] = [];
    const unhandled: unknown[] = [];
    const hear = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', hear);
    const b = new FeatureBackfill(down, settings, { log: (msg) => logged.push(msg) });
    try {
      b.start(20);
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      b.stop();
      await new Promise((r) => setTimeout(r, 20));
      process.off('unhandledRejection', hear);
    }
    expect(unhandled).toEqual([]);
    expect(calls).toBeGreaterThan(1);
    expect(logged[0]).toBe('feature backfill could not read its jobs; it will be retried');
  });
});

