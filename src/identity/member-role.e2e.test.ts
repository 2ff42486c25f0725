import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T10:00:00.000Z`;
const accountsOf = async (id: string) => ((await get(h!.app, `/v1/profiles/${encodeURIComponent(id)}`)).json() as { accounts: { id: string; role: string | null }[] }).accounts;
const roleIn = async (id: string, account: string) => (await accountsOf(id)).find((a) => a.id === account)?.role;

for (const kind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`a member's role when a call without one is newer (${kind})`, () => {
    // The membership's time moved to every call's, with a role or not, and the fold took it as the
    // role's: a role-less call at 11-20 made the admin role of 11-10 look newer than a late
    // viewer role of 11-15 (and in a merge, an owner role of 11-05 newer than admin of 11-10).
    it('a late group call sets the role when no newer call set one, though a newer call without a role came between', async () => {
      h = await harness(kind);
      const sent = [
        await send(h.app, '/v1/group', { anonymousId: 'gu1', groupId: 'eps', traits: { role: 'admin' }, timestamp: day(10) }),
        await send(h.app, '/v1/group', { anonymousId: 'gu1', groupId: 'eps', traits: { seats: 3 }, timestamp: day(20) }),
        await send(h.app, '/v1/group', { anonymousId: 'gu1', groupId: 'eps', traits: { role: 'viewer' }, timestamp: day(15) }),
        // A newer role stays over a late older one, and an identify with `company` but no role is a call without one too.
        await send(h.app, '/v1/group', { anonymousId: 'gu2', groupId: 'eps', traits: { role: 'owner' }, timestamp: day(12) }),
        await send(h.app, '/v1/identify', { anonymousId: 'gu2', traits: { company: { id: 'eps', name: 'Eps' } }, timestamp: day(25) }),
        await send(h.app, '/v1/group', { anonymousId: 'gu2', groupId: 'eps', traits: { role: 'viewer' }, timestamp: day(11) }),
        await send(h.app, '/v1/group', { anonymousId: 'gu2', groupId: 'eps', traits: { role: 'billing' }, timestamp: day(14) }),
      ];
      expect(sent.map((r) => r.statusCode)).toEqual(sent.map(() => 200));
      expect(await roleIn('anonymousId:gu1', 'eps')).toBe('viewer');
      expect(await roleIn('anonymousId:gu2', 'eps')).toBe('billing');
    });

    it('a merge keeps the role set last, though the other profile had a newer call without one', async () => {
      h = await harness(kind);
      await send(h.app, '/v1/group', { anonymousId: 'gt1', groupId: 'eps', traits: { role: 'admin' }, timestamp: day(10) });
      await send(h.app, '/v1/group', { anonymousId: 'gt2', groupId: 'eps', traits: { role: 'owner' }, timestamp: day(5) });
      await send(h.app, '/v1/group', { anonymousId: 'gt2', groupId: 'eps', traits: { x: 1 }, timestamp: day(20) });
      await send(h.app, '/v1/identify', { userId: 'gtU', anonymousId: 'gt1', timestamp: day(21) });
      await send(h.app, '/v1/identify', { userId: 'gtU', anonymousId: 'gt2', timestamp: day(22) });
      expect((await get(h.app, '/v1/profiles/anonymousId:gt2')).json().id).toBe((await get(h.app, '/v1/profiles/gtU')).json().id);
      expect(await accountsOf('gtU')).toEqual([expect.objectContaining({ id: 'eps', role: 'admin' })]);
      // The other way round: the merged-away profile's role is the newer one.
      await send(h.app, '/v1/group', { anonymousId: 'gs1', groupId: 'eps', traits: { role: 'admin' }, timestamp: day(5) });
      await send(h.app, '/v1/group', { anonymousId: 'gs1', groupId: 'eps', traits: { x: 2 }, timestamp: day(20) });
      await send(h.app, '/v1/group', { anonymousId: 'gs2', groupId: 'eps', traits: { role: 'owner' }, timestamp: day(10) });
      await send(h.app, '/v1/identify', { userId: 'gsU', anonymousId: 'gs1', timestamp: day(21) });
      await send(h.app, '/v1/identify', { userId: 'gsU', anonymousId: 'gs2', timestamp: day(22) });
      expect(await accountsOf('gsU')).toEqual([expect.objectContaining({ id: 'eps', role: 'owner' })]);
    });
  });
}
