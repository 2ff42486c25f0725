import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, openTestStore, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { until } from '../../../test/until.js';
import { openPostgresStore } from '../../store/postgres/postgres-store.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const pings = { name: 'pings', kind: 'count', event: 'Ping' };
const users = ['u0', 'u1', 'u2', 'u3'];

/** A database, and a way to open it again as a process started after the one before stopped. */
async function database(kind: StoreKind): Promise<{ first: Store; reopen: () => Promise<Store> }> {
  const path = join(testDir('tact-backfill-crash-'), 'tact.db');
  const { store: first, url, cleanup } = await openTestStore(kind, path);
  cleanups.push(cleanup);
  const reopen = async () => {
    const store = kind === 'sqlite' ? await openSqliteStore({ path }) : await openPostgresStore({ connectionString: url as string, poolSize: 4 });
    cleanups.push(() => store.close());
    return store;
  };
  return { first, reopen };
}

/** `n` Ping events of each user (user i sends n·(i+1)), numbered from `from`. */
async function ping(h: Harness, n: number, from: string): Promise<void> {
  for (const [i, u] of users.entries()) {
    for (let k = 0; k < n * (i + 1); k++) expect((await send(h.app, '/v1/track', { userId: u, event: 'Ping', properties: { n: k }, messageId: `${from}-${u}-${k}` })).statusCode).toBe(200);
  }
}

/** The process stops right after its change to the features is committed, before anything else runs. */
function stopAfterNextCommit(store: Store): void {
  // Every change is written through putAll (one kind's too).
  const putAll = store.documents.putAll.bind(store.documents);
  store.documents.putAll = async (...args: Parameters<typeof putAll>) => {
    await putAll(...args);
    store.documents.putAll = putAll;
    throw new Error('the process was killed');
  };
}

async function values(h: Harness, feature: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const u of users) out.push((await get(h.app, `/v1/profiles/${u}`)).json().features[feature]?.value);
  return out;
}

async function backfillState(h: Harness, feature: string): Promise<string | undefined> {
  const listed = (await get(h.app, '/v1/features')).json().features as { name: string; backfill: { state: string } }[];
  return listed.find((f) => f.name === feature)?.backfill.state;
}

describe.each(['sqlite', 'postgres'] as StoreKind[])('a feature change whose process stops right after it is committed (%s)', (kind) => {
  it('backfills an added feature after the restart: its values equal the events counted, and it is not `done` before', async () => {
    const db = await database(kind);
    const a = await harness(kind, { store: db.first, config: { features: [pings] } });
    cleanups.push(() => a.tact.close());
    // Events before the last checkpoint, and some after it (SQLite replays those at the next start).
    await ping(a, 5, 'before');
    await a.store.collect.checkpoint();
    await ping(a, 1, 'since');
    stopAfterNextCommit(a.store);
    const added = await a.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin) }, payload: { name: 'added', kind: 'count', event: 'Ping', reason: 'r' } });
    expect(added.statusCode, added.body).toBe(500);

    // The next start, on the same database. Until 2026-12-05 the feature was stored without its
    // backfill job: it held only the events after the cut (SQLite: those replayed), for good, and
    // GET /v1/features said `done`.
    const b = await harness(kind, { store: await db.reopen(), config: { features: [pings] } });
    cleanups.push(() => b.close());
    expect(await backfillState(b, 'added')).toBe('running');
    b.tact.backfill.start(10);
    await until(async () => (await backfillState(b, 'added')) === 'done');
    expect(await values(b, 'added')).toEqual([6, 12, 18, 24]);
    expect(await values(b, 'pings')).toEqual([6, 12, 18, 24]);
    // Live from here on, once.
    await ping(b, 1, 'after');
    expect(await values(b, 'added')).toEqual([7, 14, 21, 28]);
  });

  it('backfills a redefined feature (its `where` changed) after the restart', async () => {
    const db = await database(kind);
    const a = await harness(kind, { store: db.first, config: { features: [pings] } });
    cleanups.push(() => a.tact.close());
    await ping(a, 5, 'before');
    await a.store.collect.checkpoint();
    await ping(a, 1, 'since');
    stopAfterNextCommit(a.store);
    // Pings with n ≥ 2: user i sent n = 0 … 5(i+1)−1 before and 0 … i after the checkpoint.
    const edited = await a.app.inject({ method: 'PUT', url: '/v1/config/features', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [{ ...pings, where: 'properties.n >= 2' }], reason: 'r' } });
    expect(edited.statusCode).toBe(500);

    const b = await harness(kind, { store: await db.reopen() });
    cleanups.push(() => b.close());
    expect(await backfillState(b, 'pings')).toBe('running');
    b.tact.backfill.start(10);
    const expected = users.map((_, i) => 5 * (i + 1) - 2 + Math.max(0, i + 1 - 2));
    expect(expected).toEqual([3, 8, 14, 20]);
    await until(async () => (await backfillState(b, 'pings')) === 'done');
    expect(await values(b, 'pings')).toEqual(expected);
  });
});

describe.each(['sqlite', 'postgres'] as StoreKind[])('a feature stored without a backfill job (%s)', (kind) => {
  it('reads as `unplanned`, never `done`', async () => {
    const db = await database(kind);
    const a = await harness(kind, { store: db.first });
    cleanups.push(() => a.close());
    await ping(a, 1, 'before');
    // Written straight into the store, as a version before 2026-12-05 could leave it after a crash.
    await a.store.documents.put('features', [pings], { author: 'test', reason: 'test' });
    await a.tact.settings.refreshIfStale();
    expect(await backfillState(a, 'pings')).toBe('unplanned');
  });
});
