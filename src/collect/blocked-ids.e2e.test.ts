import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, twoHarnesses, type Harness } from '../../test/harness.js';
import { freshPostgresDatabase } from '../../test/postgres.js';
import { testDir } from '../../test/tmp.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/**
 * A blocked message is not stored, so the store's dedupe cannot tell its retry from a new message:
 * the ids of the blocked messages whose violations were counted are kept in the store, so that a
 * retry reaching another process (several on one PostgreSQL database), or this one after a
 * restart, is not counted again.
 */
const config = { trackingPlan: { events: { 'Order Completed': { block: true, properties: { type: 'object', required: ['revenue'] } } } } };
const blocked = { messageId: 'blocked-elsewhere-1', userId: 'r1', event: 'Order Completed', properties: {} };

async function counts(h: Harness) {
  const v = (await get(h.app, '/v1/tracking-plan/violations?event=Order%20Completed')).json().violations as { count: number; blocked: number }[];
  return v.map(({ count, blocked: b }) => ({ count, blocked: b }));
}

async function sendBlocked(h: Harness, m: object = blocked) {
  const r = await send(h.app, '/v1/track', m);
  expect(r.statusCode, r.body).toBe(400);
  expect(r.json().error).toBe('tracking_plan_blocked');
}

describe('blocked message ids kept in the store', () => {
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closing.length) await closing.pop()!();
  });

  it('PostgreSQL: a retry that reaches another process is not counted again', async () => {
    const { a, b, close } = await twoHarnesses('postgres', { config });
    closing.push(close);
    await sendBlocked(a);
    await sendBlocked(b);
    await sendBlocked(b, { ...blocked, type: 'track' });
    expect(await counts(a)).toEqual([{ count: 1, blocked: 1 }]);
    // Another blocked message is another violation, in either process.
    await sendBlocked(b, { ...blocked, messageId: 'blocked-elsewhere-2' });
    await sendBlocked(a, { ...blocked, messageId: 'blocked-elsewhere-2' });
    expect(await counts(b)).toEqual([{ count: 2, blocked: 2 }]);
    // The same retry reaching both processes at once: one of the two commits fails on the id the
    // other stored, is retried, and finds it.
    for (let k = 3; k < 8; k++) {
      const m = { ...blocked, messageId: `blocked-elsewhere-${k}` };
      await Promise.all([sendBlocked(a, m), sendBlocked(b, m), sendBlocked(a, m), sendBlocked(b, m)]);
    }
    expect(await counts(a)).toEqual([{ count: 7, blocked: 7 }]);
  });

  it.each(['sqlite', 'postgres'] as const)('keeps the newest `blockedWindow` ids: an older one is counted again (%s)', async (kind) => {
    let store: Store;
    if (kind === 'sqlite') store = await openSqliteStore({ path: ':memory:', blockedWindow: 2 });
    else {
      const db = await freshPostgresDatabase();
      closing.push(db.drop);
      store = await openPostgresStore({ connectionString: db.url, blockedWindow: 2 });
    }
    closing.push(() => store.close());
    const h = await harness(kind, { store, config });
    closing.push(() => h.close());
    for (const k of [1, 2, 3]) await sendBlocked(h, { ...blocked, messageId: `window-${k}` });
    // Ids 2 and 3 are kept; 1 was forgotten when 3 came.
    await sendBlocked(h, { ...blocked, messageId: 'window-3' });
    await sendBlocked(h, { ...blocked, messageId: 'window-2' });
    expect(await counts(h)).toEqual([{ count: 3, blocked: 3 }]);
    await sendBlocked(h, { ...blocked, messageId: 'window-1' });
    expect(await counts(h)).toEqual([{ count: 4, blocked: 4 }]);
  });

  it('SQLite: a retry after a restart is not counted again', async () => {
    const path = join(testDir('tact-blocked-'), 'tact.db');
    const open = async (): Promise<{ h: Harness; store: Store }> => {
      const store = await openSqliteStore({ path });
      const h = await harness('sqlite', { store, config });
      return { h, store };
    };
    const first = await open();
    await sendBlocked(first.h);
    await sendBlocked(first.h);
    expect(await counts(first.h)).toEqual([{ count: 1, blocked: 1 }]);
    await first.h.close();
    await first.store.close();
    const second = await open();
    closing.push(async () => {
      await second.h.close();
      await second.store.close();
    });
    await sendBlocked(second.h);
    expect(await counts(second.h)).toEqual([{ count: 1, blocked: 1 }]);
    await sendBlocked(second.h, { ...blocked, messageId: 'blocked-elsewhere-2' });
    expect(await counts(second.h)).toEqual([{ count: 2, blocked: 2 }]);
  });
});
