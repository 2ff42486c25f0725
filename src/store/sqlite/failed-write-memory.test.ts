import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

/**
 * A write the writer refuses after memory already took it in (SQLite only: PostgreSQL writes
 * states through, in the batch's transaction). The refusals are made by the test: a trigger that
 * raises for a marked value, so any statement can be made to fail.
 */
const config = { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }] };

const open: { h: Harness; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const { h, store } of open.splice(0)) {
    await h.close();
    await store.close();
  }
});

async function server(path: string) {
  const store = await openSqliteStore({ path, checkpointMs: 3_600_000, checkpointDirty: 1e9 });
  const h = await harness('sqlite', { store, config });
  open.push({ h, store });
  return { h, store, app: h.app };
}

/** Closes a server (as a restart does) and opens another on its file. */
async function restart(s: { h: Harness; store: SqliteStore }, path: string) {
  open.splice(open.findIndex((o) => o.store === s.store), 1);
  await s.h.close();
  await s.store.close();
  return server(path);
}

/** What GET /v1/profiles answers, in the parts a fold changes. */
async function profileView(app: Harness['app'], userId: string) {
  const r = await get(app, `/v1/profiles/${userId}`);
  if (r.statusCode !== 200) return { status: r.statusCode };
  const p = r.json();
  return { status: 200, eventCount: p.eventCount, features: p.features, recent: p.recentEvents.map((e: { messageId: string }) => e.messageId) };
}

const refuseEvents = "CREATE TRIGGER refuse_marked BEFORE INSERT ON events WHEN NEW.message_id LIKE 'boom-%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END";
const order = (messageId: string, userId: string, revenue: number) => ({ type: 'track', messageId, userId, event: 'Order Completed', properties: { revenue } });

describe('a write refused after memory took it in (SQLite only)', () => {
  it('leaves the profile, the dedupe window and the identity graph as the store holds them, and a retry is folded once', async () => {
    const path = join(testDir('tact-refused-'), 'tact.db');
    let s = await server(path);
    expect((await send(s.app, '/v1/batch', { batch: [order('ok-1', 'u1', 10)] })).statusCode).toBe(200);
    const before = await profileView(s.app, 'u1');
    expect(before).toMatchObject({ status: 200, eventCount: 1, recent: ['ok-1'], features: { spend: { value: 10, events: 1 } } });
    const u1 = (await s.store.profiles.findProfileId('userId', 'u1'))!;
    const stored = (id: string) => s.store.db.prepare<[string], number>('SELECT count(*) FROM events WHERE profile_id = ?').pluck().get(id);

    s.store.db.exec(refuseEvents);
    const batch = { batch: [order('boom-1', 'u1', 5), { type: 'identify', messageId: 'boom-2', userId: 'u-new', anonymousId: 'a-new' }] };
    const refused = await send(s.app, '/v1/batch', batch);
    expect(refused.statusCode).toBe(500);
    // Memory is what the store holds: the event count and features QA saw move (1 → 2) did not.
    expect(await profileView(s.app, 'u1')).toEqual(before);
    expect(stored(u1)).toBe(1);
    expect(await s.store.collect.hasMessage('boom-1')).toBe(false);
    expect(s.store.collect.cachedOwner('userId', 'u-new')).toBeUndefined();
    expect(await s.store.profiles.findProfileId('anonymousId', 'a-new')).toBeUndefined();
    expect((await profileView(s.app, 'u-new')).status).toBe(404);
    expect(s.store.collect.needsRecovery).toBe(false);
    // and a restart reads the same
    s = await restart(s, path);
    expect(await profileView(s.app, 'u1')).toEqual(before);

    // The retry, the refusal gone: folded once, and once more is a duplicate.
    s.store.db.exec('DROP TRIGGER refuse_marked');
    expect((await send(s.app, '/v1/batch', batch)).statusCode).toBe(200);
    expect((await send(s.app, '/v1/batch', batch)).statusCode).toBe(200);
    const after = await profileView(s.app, 'u1');
    expect(after).toMatchObject({ status: 200, eventCount: 2, recent: ['boom-1', 'ok-1'] });
    // the sum of the two orders' revenue, 10 + 5, over two events
    expect(after.features.spend).toMatchObject({ value: 15, events: 2 });
    expect(stored(u1)).toBe(2);
    expect((await profileView(s.app, 'u-new')).status).toBe(200);
    s = await restart(s, path);
    expect(await profileView(s.app, 'u1')).toEqual(after);
  });

  it('leaves both profiles of a refused merge as they were; the retry merges them once', async () => {
    const path = join(testDir('tact-refused-merge-'), 'tact.db');
    const s = await server(path);
    await send(s.app, '/v1/identify', { userId: 'mv-u', traits: { plan: 'gold' } });
    await send(s.app, '/v1/track', { anonymousId: 'mv-a', event: 'Product Viewed' });
    const customer = (await s.store.profiles.findProfileId('userId', 'mv-u'))!;
    const visitor = (await s.store.profiles.findProfileId('anonymousId', 'mv-a'))!;
    expect(customer).not.toBe(visitor);
    const merges = s.store.profiles.mergeCount;

    s.store.db.exec(refuseEvents);
    const merge = { messageId: 'boom-merge', userId: 'mv-u', anonymousId: 'mv-a' };
    expect((await send(s.app, '/v1/identify', merge)).statusCode).toBe(500);
    expect((await s.store.profiles.getProfile(visitor))?.id).toBe(visitor);
    expect((await s.store.profiles.getProfile(customer))?.absorbed ?? 0).toBe(0);
    expect(await s.store.profiles.findProfileId('anonymousId', 'mv-a')).toBe(visitor);
    expect(await s.store.profiles.merges(customer)).toEqual([]);

    s.store.db.exec('DROP TRIGGER refuse_marked');
    expect((await send(s.app, '/v1/identify', merge)).statusCode).toBe(200);
    expect((await s.store.profiles.getProfile(visitor))?.id).toBe(customer);
    expect((await s.store.profiles.getProfile(customer))?.absorbed).toBe(1);
    expect((await s.store.profiles.merges(customer)).map((m) => m.from)).toEqual([visitor]);
    expect(s.store.profiles.mergeCount).toBeGreaterThan(merges);
  });

  it('rebuilds the states a batch changed in place before its pure step failed', async () => {
    const s = await server(join(testDir('tact-refused-pure-'), 'tact.db'));
    await send(s.app, '/v1/batch', { batch: [order('ok-1', 'u1', 10)] });
    const before = await profileView(s.app, 'u1');
    const epoch = s.store.db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck().get() as number;
    const message = order('pure-1', 'u1', 5);
    const item = { message: message as never, json: JSON.stringify(message), ids: [{ kind: 'userId', value: 'u1' }], lookups: [{ kind: 'userId', value: 'u1' }], violations: [], blocked: false };
    await expect(s.store.collect.ingest([item], (snap) => {
      const state = [...snap.profiles.values()][0] as ProfileState;
      expect(state).toBeDefined();
      state.eventCount += 1;
      throw new Error('the pure step failed halfway');
    }, epoch)).rejects.toThrow(/halfway/);
    expect(await profileView(s.app, 'u1')).toEqual(before);
  });

  it('rebuilds the states of a refused profile mutation (a feature backfill chunk)', async () => {
    const s = await server(join(testDir('tact-refused-mutate-'), 'tact.db'));
    await send(s.app, '/v1/identify', { userId: 'mu', traits: { plan: 'gold' } });
    const id = (await s.store.profiles.findProfileId('userId', 'mu'))!;
    const version = (await s.store.profiles.getProfile(id))!.version;
    s.store.db.exec(`CREATE TRIGGER refuse_marked BEFORE INSERT ON profiles WHEN NEW.state LIKE '%"boom"%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    await expect(s.store.profiles.mutateProfiles([id], (states) => {
      states.get(id)!.traits.plan = 'boom';
    })).rejects.toThrow(/refused by the test/);
    const now = (await s.store.profiles.getProfile(id))!;
    expect(now.traits.plan).toBe('gold');
    expect(now.version).toBe(version);
  });

  it('stores neither a refused batch\'s states nor a watermark past the log from a checkpoint running as it fails', async () => {
    // In memory the writer answers on the next turn of the event loop, so the order is fixed: a
    // checkpoint hands its first chunk, the batch is resolved behind it and refused, and the
    // checkpoint's next chunks (serialised from the states the batch changed) come after.
    const s = await server(':memory:');
    const people = 1_000; // four checkpoint chunks (CHECKPOINT_CHUNK = 250)
    for (let i = 0; i < people; i += 250) {
      expect((await send(s.app, '/v1/batch', { batch: Array.from({ length: 250 }, (_, k) => order(`ck-${i + k}`, `ck-${i + k}`, 1)) })).statusCode).toBe(200);
    }
    const ingest = s.store.collect.ingest.bind(s.store.collect);
    let checkpoint: Promise<string> | undefined;
    s.store.collect.ingest = (items, compute, epoch) => {
      if (!checkpoint && items.some((i) => i.message.messageId.startsWith('boom-'))) checkpoint = s.store.collect.checkpoint().then(() => 'done', () => 'failed');
      return ingest(items, compute, epoch);
    };
    s.store.db.exec(refuseEvents);
    const refused = await send(s.app, '/v1/batch', { batch: Array.from({ length: people }, (_, k) => order(`boom-${k}`, `ck-${k}`, 100)) });
    expect(refused.statusCode).toBe(500);
    expect(checkpoint).toBeDefined();
    await checkpoint;
    // What a crash now would restart from: the rows and the watermark.
    const maxSeq = s.store.db.prepare('SELECT max(seq) FROM events').pluck().get() as number;
    expect(maxSeq).toBe(people);
    expect(Number(s.store.db.prepare("SELECT value FROM store_meta WHERE key = 'checkpoint_seq'").pluck().get())).toBeLessThanOrEqual(maxSeq);
    // Every row holds its profile's one stored event (a row holding two would never be replayed back), and so does memory.
    const rows = s.store.db.prepare("SELECT state FROM profiles WHERE state IS NOT NULL").pluck().all() as string[];
    expect(rows).toHaveLength(people);
    expect(rows.filter((r) => (JSON.parse(r) as ProfileState).eventCount !== 1)).toEqual([]);
    for (const u of ['ck-0', 'ck-500', 'ck-999']) expect(await profileView(s.app, u)).toMatchObject({ eventCount: 1, recent: [u] });
  });
});
