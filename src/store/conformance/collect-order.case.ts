import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { IngestWrites } from '../../collect/collect-store.js';

const at = (m: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + m * 60_000).toISOString();

/** A batch that writes only violation rows, as processBatch would for messages received at `at`. */
function violationWrites(rows: { at: number; messageId: string; detail: string }[]): IngestWrites {
  return {
    events: [], identities: [], merges: [], profiles: [], created: [], consent: [], accounts: [], memberships: [], conflicts: [], blocked: [], outcomes: [],
    violations: rows.map((r) => ({ event: 'Order Completed', property: 'price', rule: 'type', count: 1, blocked: 0, ...r })),
  };
}

/**
 * What every store keeps when writes land out of order — an older commit after a newer one (several
 * processes on PostgreSQL; an import or a delayed client on either) — or when a merge folds two
 * profiles' rows: the newer fact wins by its own time, never by the order of arrival.
 */
export function collectOrderConformance(kind: StoreKind): void {
  describe(`late writes and merges (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind);
    });
    afterEach(async () => h.close());

    const accounts = async (id: string) => {
      const r = await get(h.app, `/v1/profiles/${encodeURIComponent(id)}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json().accounts as { id: string; role: string | null; since: string }[];
    };

    it('a merge of two members of one account keeps the role set last, whichever profile survives, and the earliest since', async () => {
      // The user was made admin at 1; the visitor (the same person) was made viewer at 3.
      await send(h.app, '/v1/group', { userId: 'm-user', groupId: 'acme', timestamp: at(1), traits: { role: 'admin' } });
      await send(h.app, '/v1/group', { anonymousId: 'm-visitor', groupId: 'acme', timestamp: at(3), traits: { role: 'viewer' } });
      // …and a second pair the other way round: the survivor's role is the newer one.
      await send(h.app, '/v1/group', { userId: 'n-user', groupId: 'acme', timestamp: at(5), traits: { role: 'owner' } });
      await send(h.app, '/v1/group', { anonymousId: 'n-visitor', groupId: 'acme', timestamp: at(4), traits: { role: 'viewer' } });
      await send(h.app, '/v1/identify', { userId: 'm-user', anonymousId: 'm-visitor', timestamp: at(6) });
      await send(h.app, '/v1/identify', { userId: 'n-user', anonymousId: 'n-visitor', timestamp: at(6) });
      expect((await get(h.app, '/v1/profiles/anonymousId:m-visitor')).json().id).toBe((await get(h.app, '/v1/profiles/m-user')).json().id);
      expect(await accounts('m-user')).toEqual([expect.objectContaining({ id: 'acme', role: 'viewer', since: at(1) })]);
      expect(await accounts('n-user')).toEqual([expect.objectContaining({ id: 'acme', role: 'owner', since: at(4) })]);
      expect((await get(h.app, '/v1/accounts/acme')).json().members).toHaveLength(2);
      // Set at the same time: the surviving profile's role (the one made first).
      await send(h.app, '/v1/group', { userId: 't-user', groupId: 'acme', timestamp: at(2), traits: { role: 'admin' } });
      await send(h.app, '/v1/group', { anonymousId: 't-visitor', groupId: 'acme', timestamp: at(2), traits: { role: 'viewer' } });
      await send(h.app, '/v1/identify', { userId: 't-user', anonymousId: 't-visitor', timestamp: at(6) });
      expect(await accounts('t-user')).toEqual([expect.objectContaining({ id: 'acme', role: 'admin', since: at(2) })]);
    });

    it('a merge keeps a role over none, even when the call without one is newer, whichever profile held it', async () => {
      await send(h.app, '/v1/group', { userId: 'r-user', groupId: 'initech', timestamp: at(1), traits: { role: 'admin' } });
      await send(h.app, '/v1/group', { anonymousId: 'r-visitor', groupId: 'initech', timestamp: at(3), traits: { plan: 'pro' } });
      await send(h.app, '/v1/identify', { userId: 'r-user', anonymousId: 'r-visitor', timestamp: at(6) });
      expect(await accounts('r-user')).toEqual([expect.objectContaining({ id: 'initech', role: 'admin', since: at(1) })]);
      // The profile made second (merged away) holds the role, from an older call than the survivor's.
      await send(h.app, '/v1/group', { userId: 'q-user', groupId: 'initech', timestamp: at(3) });
      await send(h.app, '/v1/group', { anonymousId: 'q-visitor', groupId: 'initech', timestamp: at(1), traits: { role: 'buyer' } });
      await send(h.app, '/v1/identify', { userId: 'q-user', anonymousId: 'q-visitor', timestamp: at(6) });
      expect(await accounts('q-user')).toEqual([expect.objectContaining({ id: 'initech', role: 'buyer', since: at(1) })]);
    });

    it('a member\'s since and an account\'s createdAt are the earliest group call\'s, also when an older one arrives later', async () => {
      await send(h.app, '/v1/group', { userId: 's-user', groupId: 'globex', timestamp: at(5), traits: { role: 'admin' } });
      await send(h.app, '/v1/group', { userId: 's-user', groupId: 'globex', timestamp: at(2) });
      expect(await accounts('s-user')).toEqual([expect.objectContaining({ id: 'globex', role: 'admin', since: at(2) })]);
      // The account's createdAt too: its earliest call; its updatedAt the newest.
      expect((await get(h.app, '/v1/accounts/globex')).json()).toMatchObject({ createdAt: at(2), updatedAt: at(5) });
    });

    it('a violation counted by an older commit landing later adds its count and leaves the last message as it was', async () => {
      const epoch = await h.store.documents.epoch();
      const t = Date.parse(at(0));
      await h.store.collect.ingest([], () => violationWrites([{ at: t + 2000, messageId: 'newer', detail: '`price` must be number' }]), epoch);
      await h.store.collect.ingest([], () => violationWrites([{ at: t + 1000, messageId: 'older', detail: '`price` must be integer' }]), epoch);
      const rows = await h.store.collect.violations({ since: t + 1500, limit: 10 });
      expect(rows).toEqual([expect.objectContaining({ count: 2, lastAt: t + 2000, lastMessageId: 'newer', lastDetail: '`price` must be number' })]);
      // A newer one replaces them; on an equal time the commit landing last wins.
      await h.store.collect.ingest([], () => violationWrites([{ at: t + 2000, messageId: 'tie', detail: '`price` must be string' }]), epoch);
      expect(await h.store.collect.violations({ limit: 10 })).toEqual([expect.objectContaining({ count: 3, lastAt: t + 2000, lastMessageId: 'tie', lastDetail: '`price` must be string' })]);
    });
  });
}
