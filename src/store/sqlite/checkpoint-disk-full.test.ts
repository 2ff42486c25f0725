import { afterEach, describe, expect, it, vi } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import { until } from '../../../test/until.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { isDiskFull } from './disk-full.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

/**
 * A checkpoint (the profile states written to their rows, docs/adr/0003) that meets a full disk.
 * The disk full is SQLite's own SQLITE_FULL, as in disk-full.test.ts: `max_page_count` at the
 * database's size, raised again for the space freed (an in-memory store writes on its own
 * connection, so the limit reaches its writer). The store's checkpoint timer is taken from
 * `setInterval` as the store starts and run by the test, so no checkpoint comes at a time the
 * test did not choose.
 */
describe('a checkpoint of the profile states on a full disk (SQLite only: PostgreSQL writes every state through)', () => {
  const open: { h: Harness; store: SqliteStore }[] = [];
  afterEach(async () => {
    for (const { h, store } of open.splice(0)) {
      store.db.pragma('max_page_count = 1073741823');
      await h.close();
      await store.close();
    }
  });

  /** An in-memory store whose checkpoint timer runs only when the test calls `tick`. */
  async function server() {
    const every = vi.spyOn(globalThis, 'setInterval');
    let store: SqliteStore;
    let call: Parameters<typeof setInterval> | undefined;
    try {
      store = await openSqliteStore({ path: ':memory:', checkpointMs: 3_600_000, checkpointDirty: 1e9 });
      call = every.mock.calls.find((c) => c[1] === 3_600_000);
    } finally {
      every.mockRestore();
    }
    if (!call) throw new Error('the store started no checkpoint timer');
    const h = await harness('sqlite', { store, config: { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }] } });
    open.push({ h, store });
    return { h, store, tick: call[0] as () => void };
  }

  const people = Array.from({ length: 12 }, (_, i) => `cp-${i}`);
  // 8 KB of traits each: each state needs pages of its own at the checkpoint.
  const identify = (u: string, id: string) => ({ type: 'identify', messageId: id, userId: u, traits: { pad: 'x'.repeat(8_000) } });
  const order = (u: string, id: string, revenue: number) => ({ type: 'track', messageId: id, userId: u, event: 'Order Completed', properties: { revenue } });

  it('is tried again by the store once space is freed, with no further write, and every state reaches its row once (it waited for the next write until 2026-12-06)', async () => {
    const { h, store, tick } = await server();
    const batch = await send(h.app, '/v1/batch', { batch: [...people.map((u) => identify(u, `i-${u}`)), ...people.map((u) => order(u, `o-${u}`, 5))] });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(store.collect.dirtyProfiles).toBe(people.length);
    const watermark = () => Number(store.db.prepare("SELECT value FROM store_meta WHERE key = 'checkpoint_seq'").pluck().get() ?? 0);
    const maxSeq = store.db.prepare('SELECT max(seq) FROM events').pluck().get() as number;
    expect(watermark()).toBeLessThan(maxSeq);

    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    const failed = await store.collect.checkpoint().then(() => undefined, (e: unknown) => e);
    expect(isDiskFull(failed), String(failed)).toBe(true);
    expect([store.collect.needsRecovery, store.writer.diskFull]).toEqual([true, true]);

    // Still full: the timer's try (a write that needs room) fails, and the log is not replayed for it.
    const recover = vi.spyOn(store.collect, 'recover');
    tick();
    await new Promise((r) => setTimeout(r, 50));
    expect([store.collect.needsRecovery, store.writer.diskFull, recover.mock.calls.length]).toEqual([true, true, 0]);
    expect(watermark()).toBeLessThan(maxSeq);

    store.db.pragma('max_page_count = 1073741823'); // space freed
    tick();
    // The watermark commits after the last chunk of states: waited for too.
    await until(() => !store.collect.needsRecovery && store.collect.dirtyProfiles === 0 && watermark() === maxSeq);
    expect(recover).toHaveBeenCalledTimes(1);
    expect(store.writer.diskFull).toBe(false);
    // Each row holds its profile's two events, folded once: not lost, not applied twice.
    const rows = store.db.prepare('SELECT state FROM profiles WHERE state IS NOT NULL').pluck().all() as string[];
    expect(rows).toHaveLength(people.length);
    expect(rows.map((r) => {
      const s = JSON.parse(r) as ProfileState;
      return [s.eventCount, s.features.spend?.n, s.features.spend?.s];
    })).toEqual(people.map(() => [2, 1, 5]));
    // And memory agrees; the next event is folded on top, once.
    expect((await send(h.app, '/v1/batch', { batch: [order('cp-0', 'o2-cp-0', 7)] })).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/cp-0')).json();
    expect([p.eventCount, p.features.spend.value]).toEqual([3, 12]);
  });
});
