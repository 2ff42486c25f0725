import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

/**
 * A checkpoint lists the changed profile states when it starts and writes them a chunk at a time,
 * a few chunks in the writer at once, giving requests turns between. A batch folded meanwhile may
 * merge away a profile whose chunk is not written yet: that chunk must not write its old state
 * back as a live profile (the state's upsert sets `merged_into = NULL`), which would leave a second,
 * identity-less copy of the person among the profiles every sweep and training reads.
 */
const open: { h: Harness; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const { h, store } of open.splice(0)) {
    await h.close();
    await store.close();
  }
});

const order = (messageId: string, userId: string) => ({ type: 'track', messageId, userId, event: 'Order Completed', properties: { revenue: 1 } });

describe('a checkpoint running while a batch merges profiles (SQLite only)', () => {
  it('does not write a profile merged away after it started back as a live one', async () => {
    const store = await openSqliteStore({ path: ':memory:', checkpointMs: 3_600_000, checkpointDirty: 1e9 });
    const h = await harness('sqlite', { store });
    open.push({ h, store });
    // 1,500 changed states: six chunks of 250, four in the writer at once, so the checkpoint gives
    // requests a turn before it serialises the last chunks. The last two states are one person's.
    for (let i = 0; i < 1_500; i += 250) {
      const batch = Array.from({ length: 250 }, (_, k) => (i + k === 1_498 ? { type: 'page', messageId: 'anon-view', anonymousId: 'anon-1', name: 'Home' } : order(`o-${i + k}`, `u-${i + k}`)));
      expect((await send(h.app, '/v1/batch', { batch })).statusCode).toBe(200);
    }
    const anon = (await store.profiles.findProfileId('anonymousId', 'anon-1'))!;
    const user = (await store.profiles.findProfileId('userId', 'u-1499'))!;
    expect(anon).not.toBe(user);
    const checkpoint = store.collect.checkpoint();
    // Folded while the checkpoint waits for its first chunks: anon-1 logs in as u-1499.
    expect((await send(h.app, '/v1/identify', { messageId: 'login', anonymousId: 'anon-1', userId: 'u-1499' })).statusCode).toBe(200);
    await checkpoint;
    await store.collect.checkpoint();
    const rows = store.db.prepare('SELECT id, merged_into AS mergedInto, state IS NOT NULL AS hasState FROM profiles WHERE id IN (?, ?) ORDER BY id').all(anon, user) as { id: string; mergedInto: string | null; hasState: number }[];
    // One of the two is merged into the other, and only the survivor is live.
    expect(rows.filter((r) => r.mergedInto === null), JSON.stringify(rows)).toHaveLength(1);
    expect(rows.filter((r) => r.mergedInto !== null && r.hasState === 0)).toHaveLength(1);
    // And the survivor answers for both identifiers.
    expect(await store.profiles.findProfileId('anonymousId', 'anon-1')).toBe(await store.profiles.findProfileId('userId', 'u-1499'));
  });
});
