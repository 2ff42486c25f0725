import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../../test/harness.js';
import type { PostgresStore } from './postgres-store.js';

/**
 * A change to profiles by id (a feature backfill's chunk) racing a merge made by another
 * process's batch: the merge commits between the change resolving a profile as live and locking
 * it. What the change adds must reach the profile it was merged into.
 */
describe('changing profiles on PostgreSQL while another transaction merges one of them', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('postgres');
  });
  afterEach(async () => h.close());

  it('follows the merge it waited for instead of dropping the change', async () => {
    await send(h.app, '/v1/track', { anonymousId: 'anon-1', event: 'Viewed', messageId: 'm1' });
    await send(h.app, '/v1/track', { userId: 'user-1', event: 'Viewed', messageId: 'm2' });
    const from = (await get(h.app, '/v1/profiles/anonymousId:anon-1')).json().id as string;
    const into = (await get(h.app, '/v1/profiles/userId:user-1')).json().id as string;
    expect(from).not.toBe(into);

    const pool = (h.store as PostgresStore).pool;
    const merger = await pool.connect();
    try {
      // Another process's batch merges `from` into `into`, holding the row until it commits.
      await merger.query('BEGIN');
      await merger.query('SELECT id FROM profiles WHERE id = $1 FOR UPDATE', [from]);
      await merger.query('UPDATE profiles SET merged_into = $1 WHERE id = $2', [into, from]);
      let seen: string[] | undefined;
      const change = h.store.profiles.mutateProfiles([from], (states) => {
        seen = [...states.values()].map((s) => s.id);
        for (const s of states.values()) s.traits.marked = 'yes';
      });
      // The change resolved `from` as live (the merge is not committed) and now waits for its lock.
      await new Promise((r) => setTimeout(r, 300));
      await merger.query('COMMIT');
      await change;
      // Before 2026-12-05 the locked row read merged, the change got no state and was dropped.
      expect(seen).toEqual([into]);
    } finally {
      merger.release();
    }
    const state = (await pool.query<{ state: string }>('SELECT state FROM profiles WHERE id = $1', [into])).rows[0];
    expect(JSON.parse(state.state).traits.marked).toBe('yes');
  });
});
