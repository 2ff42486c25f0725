import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { SqliteStore } from '../sqlite/sqlite-store.js';

/**
 * The embedded store's states written by a checkpoint and gone cold: each read parses a fresh
 * copy (ProfileMemory). PostgreSQL reads every state from its row, so it has nothing to cool.
 */
async function coolStates(h: Harness): Promise<void> {
  if (h.store.kind !== 'sqlite') return;
  const s = h.store as SqliteStore;
  await s.collect.checkpoint();
  s.collect.cool();
}

/** ProfileStore reads and writes every store must answer alike. */
export function profilesConformance(kind: StoreKind): void {
  describe(`profile store (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind);
    });
    afterEach(async () => h.close());

    it('mutateProfiles hands one state to every id of a profile, a merged-away id too, and writes it once, also when the state is cold', async () => {
      await send(h.app, '/v1/track', { anonymousId: 'mp-anon', event: 'Product Viewed' });
      await send(h.app, '/v1/track', { userId: 'mp-user', event: 'Order Completed' });
      await send(h.app, '/v1/identify', { userId: 'mp-user', anonymousId: 'mp-anon' });
      const p = (await get(h.app, '/v1/profiles/mp-user')).json() as { id: string; merges: { from: string }[] };
      const away = p.merges[0].from;
      expect(away).not.toBe(p.id);
      await coolStates(h);
      const before = (await h.store.profiles.getProfile(p.id))!.version;

      await h.store.profiles.mutateProfiles([away, p.id], (states) => {
        expect(states.get(away)).toBe(states.get(p.id));
        states.get(away)!.traits.viaAway = 1;
        states.get(p.id)!.traits.viaLive = 2;
      });

      const after = (await h.store.profiles.getProfile(p.id))!;
      expect(after.traits).toMatchObject({ viaAway: 1, viaLive: 2 });
      expect(after.version).toBe(before + 1);
      // and both changes are in what is stored, not only in memory
      await coolStates(h);
      expect((await h.store.profiles.getProfile(away))!.traits).toMatchObject({ viaAway: 1, viaLive: 2 });
    });

    it('recentEvents answers no events for a limit of 0, and at most `limit` otherwise', async () => {
      for (let i = 0; i < 3; i++) await send(h.app, '/v1/track', { userId: 're-user', event: 'Order Completed', messageId: `re-${i}` });
      const id = (await h.store.profiles.findProfileId('userId', 're-user'))!;
      expect(await h.store.profiles.recentEvents(id, 0)).toEqual([]);
      expect((await h.store.profiles.recentEvents(id, 2)).map((e) => e.messageId)).toEqual(['re-2', 're-1']);
      expect(await h.store.profiles.recentEvents(id, 5)).toHaveLength(3);
    });
  });
}
