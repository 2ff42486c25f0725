import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { PostgresStore } from '../postgres/postgres-store.js';
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

    it('one account for a groupId sent with and without surrounding spaces (as for userIds), found by either', async () => {
      await send(h.app, '/v1/group', { userId: 'ga-1', groupId: ' acme ', traits: { name: 'Acme' } });
      await send(h.app, '/v1/group', { userId: 'ga-2', groupId: 'acme', traits: { plan: 'pro' } });
      await send(h.app, '/v1/identify', { userId: 'ga-3', traits: { company: { id: '\tacme ', size: 10 } } });
      const a = await get(h.app, '/v1/accounts/acme');
      expect(a.statusCode).toBe(200);
      expect(a.json()).toMatchObject({ id: 'acme', traits: { name: 'Acme', plan: 'pro', size: 10 } });
      expect(a.json().members).toHaveLength(3);
      expect((await get(h.app, `/v1/accounts/${encodeURIComponent(' acme ')}`)).json().id).toBe('acme');
      const p = (await get(h.app, '/v1/profiles/ga-1')).json() as { accounts: { id: string }[] };
      expect(p.accounts.map((x) => x.id)).toEqual(['acme']);
    });

    it('keeps merge chains one hop long: 100 merges, each survivor later merged into an older profile, all resolve to the last', async () => {
      const n = 100;
      const device = (k: number) => ({ externalIds: [{ type: 'device', id: `mc-dev-${k}`, collection: 'users', encoding: 'none' }] });
      // Oldest first: mc-n … mc-0, so each merge below keeps the profile of the next k.
      const ids: string[] = [];
      for (let k = n; k >= 0; k--) {
        expect((await send(h.app, '/v1/track', { anonymousId: `mc-${k}`, event: 'Seen', context: device(k) })).statusCode).toBe(200);
        ids[k] = (await h.store.profiles.findProfileId('anonymousId', `mc-${k}`))!;
        await new Promise((r) => setTimeout(r, 2)); // distinct creation times: the older one survives
      }
      for (let k = 0; k < n; k++) {
        expect((await send(h.app, '/v1/identify', { anonymousId: `mc-${k}`, traits: { step: k }, context: device(k + 1) })).statusCode).toBe(200);
      }
      for (const k of [0, 1, 63, 64, 65, 99]) {
        const r = await get(h.app, `/v1/profiles/profile:${ids[k]}`);
        expect(r.statusCode).toBe(200);
        expect(r.json().id).toBe(ids[n]);
      }
      expect((await h.store.profiles.getProfile(ids[0]))?.id).toBe(ids[n]);
      expect((await h.store.profiles.getProfile(ids[0]))?.traits.step).toBe(n - 1);
      // Each merged-away row points straight at the survivor.
      expect(await mergedInto(h, ids.slice(0, n))).toEqual(ids.slice(0, n).map(() => ids[n]));
    });

    it('keeps merge chains one hop long when 100 chained merges come in one batch', async () => {
      const n = 100;
      const device = (k: number) => ({ externalIds: [{ type: 'device', id: `mb-dev-${k}`, collection: 'users', encoding: 'none' }] });
      const ids: string[] = [];
      for (let k = n; k >= 0; k--) {
        await send(h.app, '/v1/track', { anonymousId: `mb-${k}`, event: 'Seen', context: device(k) });
        ids[k] = (await h.store.profiles.findProfileId('anonymousId', `mb-${k}`))!;
        await new Promise((r) => setTimeout(r, 2));
      }
      const batch = Array.from({ length: n }, (_, k) => ({ type: 'identify', anonymousId: `mb-${k}`, context: device(k + 1) }));
      expect((await send(h.app, '/v1/batch', { batch })).statusCode).toBe(200);
      expect((await get(h.app, `/v1/profiles/profile:${ids[0]}`)).json().id).toBe(ids[n]);
      expect(await mergedInto(h, ids.slice(0, n))).toEqual(ids.slice(0, n).map(() => ids[n]));
    });

    it('getProfiles answers for each id what getProfile does — merged-away ids followed, unknown ones left out — across more ids than one query names', async () => {
      const n = 520; // past the 500 ids one PostgreSQL query names
      const batch = Array.from({ length: n }, (_, k) => ({ type: 'track', userId: `gp-${k}`, event: 'Seen' }));
      for (let i = 0; i < n; i += 100) expect((await send(h.app, '/v1/batch', { batch: batch.slice(i, i + 100) })).statusCode).toBe(200);
      const away: string[] = [];
      for (const k of [0, 7, 511]) {
        await send(h.app, '/v1/track', { anonymousId: `gp-anon-${k}`, event: 'Seen' });
        away.push((await h.store.profiles.findProfileId('anonymousId', `gp-anon-${k}`))!);
        await send(h.app, '/v1/identify', { anonymousId: `gp-anon-${k}`, userId: `gp-${k}` });
      }
      const live: string[] = [];
      for (let k = 0; k < n; k++) live.push((await h.store.profiles.findProfileId('userId', `gp-${k}`))!);
      await coolStates(h);
      // Merged-away ids after their survivors' chunk, an unknown id, and a repeated one.
      const ids = [...live, ...away, 'gp-nobody', live[3]];
      const got = await h.store.profiles.getProfiles(ids);
      for (const id of ids) expect(got.get(id), id).toEqual(await h.store.profiles.getProfile(id));
      expect(got.has('gp-nobody')).toBe(false);
      expect(got.size).toBe(n + away.length);
      expect(away.map((id) => got.get(id)?.id)).toEqual([live[0], live[7], live[511]]);
      expect(await h.store.profiles.getProfiles([])).toEqual(new Map());
    });

    it('identitiesOfMany answers for each id what identities does — in its order, an empty list for an id with none — across more ids than one query names', async () => {
      const n = 510; // past the 500 ids one PostgreSQL query names
      const batch = Array.from({ length: n }, (_, k) => ({ type: 'identify', userId: `im-${k}`, ...(k % 3 ? {} : { anonymousId: `im-anon-${k}`, traits: { email: `im-${k}@x.test` } }) }));
      for (let i = 0; i < n; i += 100) expect((await send(h.app, '/v1/batch', { batch: batch.slice(i, i + 100) })).statusCode).toBe(200);
      const ids: string[] = [];
      for (let k = 0; k < n; k++) ids.push((await h.store.profiles.findProfileId('userId', `im-${k}`))!);
      const asked = [...ids.slice().reverse(), 'im-nobody', ids[0]];
      const got = await h.store.profiles.identitiesOfMany(asked);
      expect(got.size).toBe(n + 1);
      for (const id of asked) expect(got.get(id), id).toEqual(await h.store.profiles.identities(id));
      expect(got.get('im-nobody')).toEqual([]);
      expect(got.get(ids[3])!.map((i) => i.kind).sort()).toEqual(['anonymousId', 'email', 'userId']);
      expect(await h.store.profiles.identitiesOfMany([])).toEqual(new Map());
    });

    it('reports merge links that form a cycle (damaged rows) as an error, not as no profile', async () => {
      const rows = "INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES ('cy-1', 1, 0, 0, 'cy-2', NULL), ('cy-2', 1, 0, 0, 'cy-1', NULL)";
      if (h.store.kind === 'sqlite') (h.store as SqliteStore).db.prepare(rows).run();
      else await (h.store as PostgresStore).pool.query(rows);
      await expect(h.store.profiles.getProfile('cy-1')).rejects.toThrow('The merges followed from profile cy-1 form a cycle (cy-1 → cy-2 → cy-1)');
      await expect(h.store.profiles.getProfiles(['cy-nobody', 'cy-1'])).rejects.toThrow('The merges followed from profile cy-1 form a cycle (cy-1 → cy-2 → cy-1)');
      const r = await get(h.app, '/v1/profiles/profile:cy-1');
      expect(r.statusCode).toBe(500);
      expect(r.body).not.toContain('cy-2');
    });
  });
}

/** The `merged_into` column of each profile row, as stored. */
async function mergedInto(h: Harness, ids: string[]): Promise<(string | null)[]> {
  if (h.store.kind === 'sqlite') {
    const q = (h.store as SqliteStore).db.prepare('SELECT merged_into FROM profiles WHERE id = ?').pluck();
    return ids.map((id) => q.get(id) as string | null);
  }
  const pool = (h.store as PostgresStore).pool;
  const rows = (await pool.query<{ id: string; merged_into: string | null }>('SELECT id, merged_into FROM profiles WHERE id = ANY($1::text[])', [ids])).rows;
  const by = new Map(rows.map((r) => [r.id, r.merged_into]));
  return ids.map((id) => by.get(id) ?? null);
}
