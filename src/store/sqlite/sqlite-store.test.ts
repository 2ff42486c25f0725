import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectConformance } from '../conformance/collect.case.js';
import { configConformance } from '../conformance/config.case.js';
import { learnConformance } from '../conformance/learn.case.js';
import { decideConformance } from '../conformance/decide.case.js';
import { measureConformance } from '../conformance/measure.case.js';
import { monitorConformance } from '../conformance/monitor.case.js';
import { decideCountsConformance } from '../conformance/decide-counts.case.js';
import { decideGroupsConformance } from '../conformance/decide-groups.case.js';
import { decideOutcomesConformance } from '../conformance/decide-outcomes.case.js';
import { decisionLogConformance } from '../conformance/decision-log.case.js';
import { profilesConformance } from '../conformance/profiles.case.js';
import { identityConflictsConformance } from '../conformance/identity-conflicts.case.js';
import { get, harness, metricValue, send } from '../../../test/harness.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { CHECKPOINT_CHUNK } from './collect.js';
import { testDir } from '../../../test/tmp.js';
import { until } from '../../../test/until.js';

collectConformance('sqlite');
configConformance('sqlite');
learnConformance('sqlite');
decideConformance('sqlite');
measureConformance('sqlite');
monitorConformance('sqlite');
decideGroupsConformance('sqlite');
decideCountsConformance('sqlite');
decideOutcomesConformance('sqlite');
decisionLogConformance('sqlite');
profilesConformance('sqlite');
identityConflictsConformance('sqlite');

describe('embedded store recovery (SQLite only: PostgreSQL writes every state through)', () => {
  it('rebuilds profile states exactly from the log after a crash without a checkpoint', async () => {
    const path = join(testDir('tact-rec-'), 'tact.db');
    const config = { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }, { name: 'seen', kind: 'unique', event: 'Product Viewed', property: 'sku' }] };
    const store1 = await openSqliteStore({ path, checkpointMs: 3_600_000, checkpointDirty: 1e9 });
    const h1 = await harness('sqlite', { store: store1, config });
    for (let i = 0; i < 30; i++) {
      await send(h1.app, '/v1/batch', { batch: [
        { type: 'track', userId: `r-${i % 4}`, event: 'Order Completed', properties: { revenue: i } },
        { type: 'track', anonymousId: `ra-${i}`, event: 'Product Viewed', properties: { sku: `s${i}` } },
        { type: 'identify', userId: `r-${i % 4}`, anonymousId: `ra-${i}` },
      ] });
    }
    const before = [];
    for (let u = 0; u < 4; u++) before.push((await get(h1.app, `/v1/profiles/r-${u}`)).json());
    // A crash: the process goes away without a checkpoint of the changed states.
    await h1.app.close();
    store1.db.close();

    const store2 = await openSqliteStore({ path });
    const h2 = await harness('sqlite', { store: store2, config });
    for (let u = 0; u < 4; u++) {
      const after = (await get(h2.app, `/v1/profiles/r-${u}`)).json();
      expect(after.features).toEqual(before[u].features);
      expect(after.eventCount).toBe(before[u].eventCount);
      expect(after.recentEvents.map((e: { messageId: string }) => e.messageId)).toEqual(before[u].recentEvents.map((e: { messageId: string }) => e.messageId));
    }
    // and it dedupes messages stored before the crash
    const again = await send(h2.app, '/v1/track', { messageId: 'after-crash', userId: 'r-0', event: 'Order Completed', properties: { revenue: 1 } });
    expect(again.statusCode).toBe(200);
    await send(h2.app, '/v1/track', { messageId: 'after-crash', userId: 'r-0', event: 'Order Completed', properties: { revenue: 1 } });
    expect(await store2.collect.countEvents()).toBe(91);
    await h2.close();
    await store2.close();
  });
});

describe('subject lookups from the identity graph in memory (SQLite only)', () => {
  it('find the same profile as the identities table, after identify, alias merges and a restart', async () => {
    const path = join(testDir('tact-ids-'), 'tact.db');
    const store = await openSqliteStore({ path });
    const h = await harness('sqlite', { store });
    await send(h.app, '/v1/identify', { userId: 'lu-1', anonymousId: 'la-1', traits: { email: 'Lu@Example.com' } });
    await send(h.app, '/v1/track', { anonymousId: 'la-2', event: 'Product Viewed' });
    await send(h.app, '/v1/track', { anonymousId: 'la-3', event: 'Product Viewed' });
    await send(h.app, '/v1/alias', { previousId: 'la-2', userId: 'lu-1' });
    await send(h.app, '/v1/identify', { userId: 'lu-1', anonymousId: 'la-3' });
    const ids = [['userId', 'lu-1'], ['anonymousId', 'la-1'], ['anonymousId', 'la-2'], ['anonymousId', 'la-3'], ['email', 'lu@example.com']] as const;
    const table = store.db.prepare<[string, string], string>('SELECT profile_id FROM identities WHERE kind = ? AND value = ?').pluck();
    const owners = [];
    for (const [kind, value] of ids) {
      expect(store.collect.cachedOwner(kind, value), `${kind} ${value} is held in memory`).toBeDefined();
      const found = await store.profiles.findProfileId(kind, value);
      expect(found, `${kind} ${value}`).toBe(table.get(kind, value));
      owners.push(found);
    }
    expect(new Set(owners).size).toBe(1);
    expect(await store.profiles.findProfileId('userId', 'nobody')).toBeUndefined();
    await h.close();
    await store.close();
    // After a restart the graph in memory is empty until collection reads it: the table answers.
    const again = await openSqliteStore({ path });
    for (const [kind, value] of ids) expect(await again.profiles.findProfileId(kind, value)).toBe(owners[0]);
    await again.close();
  });
});

/**
 * A store on a file with its server, and the database's write lock for the test to hold: batches
 * sent meanwhile are resolved (counted in `resolved`) but wait to commit.
 */
async function lockableStore(prefix: string, options: Partial<SqliteStoreOptions> = {}) {
  const store = await openSqliteStore({ path: join(testDir(prefix), 'tact.db'), ...options });
  const h = await harness('sqlite', { store });
  const counter = { resolved: 0 };
  const ingest = store.collect.ingest.bind(store.collect);
  store.collect.ingest = (items, compute, epoch) => (counter.resolved++, ingest(items, compute, epoch));
  return {
    store,
    app: h.app,
    counter,
    lock: () => store.db.exec('BEGIN IMMEDIATE'),
    unlock: () => store.db.exec('COMMIT'),
    /** Waits (at most 5 s) until `n` batches have been resolved since the store opened. */
    resolvedAtLeast: (n: number) => until(() => counter.resolved >= n),
    close: async () => {
      await h.close();
      await store.close();
    },
  };
}

describe('a profile merged away while the merge commits (SQLite only: states live in memory)', () => {
  it('is read as the profile it merged into, not as its last written state, before and after the commit; the merge and the identities it moves are read once committed', async () => {
    const t = await lockableStore('tact-mv-', { checkpointMs: 3_600_000 });
    const { store, app } = t;
    await send(app, '/v1/identify', { userId: 'mv-u', traits: { plan: 'gold' } });
    await send(app, '/v1/track', { anonymousId: 'mv-a', event: 'Product Viewed' });
    const customer = (await store.profiles.findProfileId('userId', 'mv-u'))!;
    const visitor = (await store.profiles.findProfileId('anonymousId', 'mv-a'))!;
    // Both states written: the visitor's row holds a state a stale read could return.
    await store.collect.checkpoint();
    // The merge below is resolved but waits to commit.
    t.lock();
    const merging = send(app, '/v1/identify', { userId: 'mv-u', anonymousId: 'mv-a' });
    await t.resolvedAtLeast(3);
    const during = await store.profiles.getProfile(visitor);
    // The customer's state already shows the merge; its merges and identities wait for the commit
    // (a reader caching them by state version would otherwise keep the lists from before it).
    expect(during?.absorbed).toBe(1);
    const merges = store.profiles.merges(customer);
    const identities = store.profiles.identities(customer);
    await new Promise((r) => setTimeout(r, 50));
    t.unlock();
    expect((await merging).statusCode).toBe(200);
    expect(during?.id).toBe(customer);
    expect((await merges).map((m) => m.from)).toEqual([visitor]);
    expect((await identities).map((i) => i.value).sort()).toEqual(['mv-a', 'mv-u']);
    const after = await store.profiles.getProfile(visitor);
    expect(after?.id).toBe(customer);
    expect(after?.traits).toMatchObject({ plan: 'gold' });
    await t.close();
  });
});

describe('a batch resolved while a merge commits, its identifiers no longer in memory (SQLite only)', () => {
  it('finds the absorbed profile\'s identifiers with the profile it joined', async () => {
    // An identity graph in memory of two identifiers: every other profile's list is read from the table.
    const t = await lockableStore('tact-mvid-', { identityCache: 2 });
    const { store, app } = t;
    await send(app, '/v1/identify', { userId: 'jo' });
    await send(app, '/v1/identify', { anonymousId: 'jo-phone', traits: { email: 'Jo@Example.com' } });
    const jo = (await store.profiles.findProfileId('userId', 'jo'))!;
    t.lock();
    // The phone's profile (with the e-mail) merges into jo's; then other people push it out of
    // memory; then a batch names jo's e-mail from a new device — all resolved before the merge commits.
    const merging = send(app, '/v1/identify', { userId: 'jo', anonymousId: 'jo-phone' });
    await t.resolvedAtLeast(3);
    const others = send(app, '/v1/batch', { batch: Array.from({ length: 5 }, (_, i) => ({ type: 'identify', userId: `other-${i}`, anonymousId: `other-dev-${i}` })) });
    await t.resolvedAtLeast(4);
    const tablet = send(app, '/v1/identify', { anonymousId: 'jo-tablet', traits: { email: 'jo@example.com' } });
    await t.resolvedAtLeast(5);
    t.unlock();
    for (const r of await Promise.all([merging, others, tablet])) expect(r.statusCode, r.body).toBe(200);
    expect(await store.profiles.findProfileId('email', 'jo@example.com')).toBe(jo);
    expect(await store.profiles.findProfileId('anonymousId', 'jo-tablet')).toBe(jo);
    expect(await store.profiles.findProfileId('anonymousId', 'jo-phone')).toBe(jo);
    await t.close();
  });
});

describe('profile states going cold (SQLite only)', () => {
  it('holds a written state as an object until a checkpoint period passes with no event for it, and /metrics shows how many wait', async () => {
    const t = await lockableStore('tact-cool-', { checkpointMs: 400 });
    const { store, app } = t;
    const metric = (name: string) => metricValue(app, name);
    await send(app, '/v1/identify', { userId: 'cold-u', traits: { plan: 'gold' } });
    const id = (await store.profiles.findProfileId('userId', 'cold-u'))!;
    // Written by a checkpoint: clean, and still the object the event changed.
    await until(async () => (await metric('tact_profiles_unwritten')) === 0 && (await metric('tact_profiles_warm')) === 1);
    expect(await store.profiles.getProfile(id)).toBe(await store.profiles.getProfile(id));
    // A period later, untouched: held as text, every read a separate copy.
    await until(async () => (await metric('tact_profiles_warm')) === 0);
    const a = await store.profiles.getProfile(id);
    expect(a).not.toBe(await store.profiles.getProfile(id));
    expect(a?.traits).toMatchObject({ plan: 'gold' });
    await t.close();
  });
});

describe('a checkpoint of many states (SQLite only)', () => {
  it('serialises them in small chunks and lets requests run between chunks, then writes every one', async () => {
    const t = await lockableStore('tact-ckpt-', { checkpointMs: 3_600_000 });
    const { store, app } = t;
    const people = 1_000;
    for (let i = 0; i < people; i += 250) {
      const r = await send(app, '/v1/batch', { batch: Array.from({ length: 250 }, (_, k) => ({ type: 'identify', userId: `ck-${i + k}`, traits: { n: i + k } })) });
      expect(r.statusCode).toBe(200);
    }
    expect(store.collect.dirtyProfiles).toBe(people);
    const writer = (store.collect as unknown as { writer: { run: (ops: { rows: unknown[][] }[], chain?: string) => Promise<void> } }).writer;
    const run = writer.run.bind(writer);
    const chunks: number[] = [];
    writer.run = (ops, chain) => (chunks.push(ops.reduce((n, op) => n + op.rows.length, 0)), run(ops, chain));
    // A request arriving as the checkpoint starts is served before the checkpoint has handed over every chunk.
    let handedWhenServed = -1;
    setImmediate(() => (handedWhenServed = chunks.length));
    await store.collect.checkpoint();
    const stateChunks = chunks.slice(0, -1); // the last write is the watermark
    expect(stateChunks.reduce((a, b) => a + b, 0)).toBe(people);
    expect(Math.max(...stateChunks)).toBeLessThanOrEqual(CHECKPOINT_CHUNK);
    expect(handedWhenServed).toBeGreaterThan(0);
    expect(handedWhenServed).toBeLessThan(stateChunks.length);
    expect(store.collect.dirtyProfiles).toBe(0);
    const rows = store.db.prepare("SELECT count(*) FROM profiles WHERE state IS NOT NULL AND id IN (SELECT profile_id FROM identities WHERE kind = 'userId' AND value LIKE 'ck-%')").pluck().get();
    expect(rows).toBe(people);
    await t.close();
  });
});
