import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { collectOrderConformance } from './collect-order.case.js';
import { consentConformance } from './consent.case.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' },
  { name: 'avg_order', kind: 'mean', event: 'Order Completed', property: 'revenue' },
  { name: 'purchased', kind: 'unique', event: 'Order Completed', property: 'products[].product_id', limit: 3 },
  { name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d' },
  { name: 'last_category', kind: 'last_value', event: 'Product Viewed', property: 'category' },
];

/** Collection, identity and profile behaviour every store must show. */
export function collectConformance(kind: StoreKind): void {
  describe(`collection and profiles (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind, { config: { features } });
    });
    afterEach(async () => h.close());

    const profile = async (id: string) => {
      const r = await get(h.app, `/v1/profiles/${encodeURIComponent(id)}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };

    it('folds track and identify into one profile with traits, counts and features', async () => {
      const t0 = Date.parse('2026-11-01T10:00:00Z');
      const r1 = await send(h.app, '/v1/track', { userId: 'u1', event: 'Order Completed', timestamp: new Date(t0).toISOString(), properties: { revenue: 30, products: [{ product_id: 'a' }, { product_id: 'b' }] } });
      expect(r1.json()).toEqual({ success: true });
      await send(h.app, '/v1/track', { userId: 'u1', event: 'Order Completed', timestamp: new Date(t0 + 1000).toISOString(), properties: { revenue: '12.5', products: [{ product_id: 'c' }, { product_id: 'd' }] } });
      await send(h.app, '/v1/identify', { userId: 'u1', traits: { email: ' Ana@Example.COM ', plan: 'pro' } });
      const p = await profile('email:ana@example.com');
      expect(p.traits.plan).toBe('pro');
      expect(p.events['Order Completed'].count).toBe(2);
      expect(p.features.orders.value).toBe(2);
      expect(p.features.revenue.value).toBeCloseTo(42.5, 10);
      expect(p.features.avg_order.value).toBeCloseTo(21.25, 10);
      // bounded unique set keeps the 3 most recent
      expect(p.features.purchased.value).toEqual(['b', 'c', 'd']);
      expect(p.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual(['email:ana@example.com', 'userId:u1']);
      expect((await profile('u1')).id).toBe(p.id);
    });

    it('stores a message once however often it is sent', async () => {
      const m = { type: 'track', messageId: 'dup-1', userId: 'u2', event: 'Order Completed', properties: { revenue: 10 } };
      const b = await send(h.app, '/v1/batch', { batch: [m, m] });
      expect(b.statusCode).toBe(200);
      await send(h.app, '/v1/track', m);
      await send(h.app, '/v1/batch', { batch: [m] });
      expect(await h.store.collect.countEvents()).toBe(1);
      expect((await profile('u2')).features.orders.value).toBe(1);
    });

    it('merges an anonymous visitor into the identified user and keeps every event', async () => {
      await send(h.app, '/v1/page', { anonymousId: 'anon-9', name: 'Home' });
      await send(h.app, '/v1/track', { anonymousId: 'anon-9', event: 'Product Viewed', properties: { category: 'shoes' } });
      await send(h.app, '/v1/track', { userId: 'u9', event: 'Order Completed', properties: { revenue: 5 } });
      await send(h.app, '/v1/identify', { userId: 'u9', anonymousId: 'anon-9', traits: { name: 'Ana' } });
      const p = await profile('u9');
      expect((await profile('anonymousId:anon-9')).id).toBe(p.id);
      expect(p.eventCount).toBe(4);
      expect(p.recentEvents).toHaveLength(4);
      expect(p.features.last_category.value).toBe('shoes');
      expect(p.features.orders.value).toBe(1);
      expect(p.merges).toHaveLength(1);
      expect(p.merges[0].via).toEqual({ kind: 'anonymousId', value: 'anon-9' });
      // the merged-away id still answers, with the surviving profile
      expect((await profile(`profile:${p.merges[0].from}`)).id).toBe(p.id);
    });

    it('keeps two users apart when a shared device would break the one-userId limit', async () => {
      await send(h.app, '/v1/identify', { userId: 'alice', anonymousId: 'shared-device' });
      await send(h.app, '/v1/identify', { userId: 'bob', anonymousId: 'shared-device' });
      const alice = await profile('alice');
      const bob = await profile('bob');
      expect(alice.id).not.toBe(bob.id);
      expect((await profile('anonymousId:shared-device')).id).toBe(alice.id);
      expect(bob.identityConflicts[0]).toMatchObject({ kind: 'anonymousId', value: 'shared-device' });
      expect(bob.identityConflicts[0].reason).toContain('userId');
    });

    it('never merges on blocked values', async () => {
      await send(h.app, '/v1/track', { userId: 'null', anonymousId: 'a-1', event: 'Product Viewed' });
      await send(h.app, '/v1/track', { userId: 'null', anonymousId: 'a-2', event: 'Product Viewed' });
      expect((await profile('anonymousId:a-1')).id).not.toBe((await profile('anonymousId:a-2')).id);
    });

    it('alias merges the previous identity into the user', async () => {
      await send(h.app, '/v1/track', { anonymousId: 'old-anon', event: 'Product Viewed', properties: { category: 'hats' } });
      await send(h.app, '/v1/alias', { userId: 'u-alias', previousId: 'old-anon' });
      const p = await profile('u-alias');
      expect((await profile('anonymousId:old-anon')).id).toBe(p.id);
      expect(p.features.views_7d.events).toBe(1);
    });

    it('group makes an account with members and roles', async () => {
      await send(h.app, '/v1/group', { userId: 'u-g1', groupId: 'acme', traits: { name: 'Acme', plan: 'enterprise' }, context: { traits: { role: 'admin' } } });
      await send(h.app, '/v1/group', { userId: 'u-g2', groupId: 'acme', traits: { industry: 'tools', role: 'buyer' } });
      const acct = (await get(h.app, '/v1/accounts/acme')).json();
      expect(acct.traits).toMatchObject({ name: 'Acme', plan: 'enterprise', industry: 'tools' });
      expect(acct.traits.role).toBeUndefined();
      expect(acct.members).toHaveLength(2);
      const p = await profile('u-g1');
      expect(p.accounts[0]).toMatchObject({ id: 'acme', role: 'admin' });
    });

    it('keeps the newer role and account traits when an older group call arrives later', async () => {
      const at = (m: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + m * 60_000).toISOString();
      await send(h.app, '/v1/group', { userId: 'u-o', groupId: 'initech', timestamp: at(2), traits: { plan: 'enterprise', role: 'admin' } });
      await send(h.app, '/v1/group', { userId: 'u-o', groupId: 'initech', timestamp: at(1), traits: { plan: 'trial', size: 10, role: 'viewer' } });
      expect((await profile('u-o')).accounts[0]).toMatchObject({ id: 'initech', role: 'admin' });
      expect((await get(h.app, '/v1/accounts/initech')).json().traits).toEqual({ plan: 'enterprise', size: 10 });
      await send(h.app, '/v1/group', { userId: 'u-o', groupId: 'initech', timestamp: at(3), traits: { plan: 'pro', role: 'owner' } });
      expect((await profile('u-o')).accounts[0]).toMatchObject({ id: 'initech', role: 'owner' });
      expect((await get(h.app, '/v1/accounts/initech')).json().traits).toEqual({ plan: 'pro', size: 10 });
    });

    it('merges account traits as identify merges profile traits: a later call replaces each top-level key it sends, nested objects whole, and keeps a null', async () => {
      // Segment's traits semantics (identify and group alike): a call's top-level keys replace the
      // stored ones; a null is stored as null; an older call arriving later only fills missing keys.
      const at = (m: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + m * 60_000).toISOString();
      const calls = [
        { timestamp: at(1), traits: { name: 'Acme', address: { city: 'Berlin', zip: '10115' }, tier: 'gold', tags: ['a', 'b'] } },
        { timestamp: at(3), traits: { address: { city: 'Munich', street: null }, tier: null, tags: ['c'] } },
        { timestamp: at(2), traits: { tier: 'silver', size: null, address: { city: 'Hamburg' } } },
      ];
      for (const c of calls) {
        await send(h.app, '/v1/group', { userId: 'u-t', groupId: 'traits-co', ...c });
        await send(h.app, '/v1/identify', { userId: 'u-t', ...c });
      }
      const expected = { name: 'Acme', address: { city: 'Munich', street: null }, tier: null, tags: ['c'], size: null };
      expect((await get(h.app, '/v1/accounts/traits-co')).json().traits).toEqual(expected);
      expect((await profile('u-t')).traits).toEqual(expected);
    });

    it('merges account traits per key by time, as identify merges profile traits: a late call replaces the keys it set later than the stored ones', async () => {
      // Identify's rule (profile-state.ts traitsAt): each top-level key keeps the value of the call
      // with the newest time for that key; on equal times the later-arriving call wins.
      const at = (m: number) => new Date(Date.parse('2026-11-01T10:00:00Z') + m * 60_000).toISOString();
      const calls = [
        { timestamp: at(1), traits: { plan: 'a', address: { city: 'Berlin', zip: '10115' }, tier: 'gold', note: 'n1' } },
        { timestamp: at(3), traits: { seats: 5, tier: null } },
        // late: plan and address (set at 1) are replaced, tier (set at 3) is kept, size is filled
        { timestamp: at(2), traits: { plan: 'b', address: { city: 'Hamburg' }, tier: 'silver', size: null } },
        // tie with the call at 3: the later-arriving one wins seats
        { timestamp: at(3), traits: { seats: 7 } },
        // older than everything: only fills the missing key
        { timestamp: at(0), traits: { plan: 'z', note: null, region: 'eu' } },
      ];
      for (const c of calls) {
        await send(h.app, '/v1/group', { userId: 'u-k', groupId: 'keys-co', ...c });
        await send(h.app, '/v1/identify', { userId: 'u-k', ...c });
      }
      const expected = { plan: 'b', address: { city: 'Hamburg' }, tier: null, note: 'n1', seats: 7, size: null, region: 'eu' };
      expect((await profile('u-k')).traits).toEqual(expected);
      expect((await get(h.app, '/v1/accounts/keys-co')).json().traits).toEqual(expected);
    });

    it('keeps consent per purpose with its history', async () => {
      await send(h.app, '/v1/track', { userId: 'u-c', event: 'Product Viewed', context: { consent: { categoryPreferences: { Advertising: true, Analytics: true } } } });
      await send(h.app, '/v1/track', { userId: 'u-c', event: 'Product Viewed', context: { consent: { categoryPreferences: { Advertising: false, Analytics: true } } } });
      const p = await profile('u-c');
      expect(p.consent.Advertising.granted).toBe(false);
      expect(p.consent.Analytics.granted).toBe(true);
      expect(p.consentHistory.map((c: { changes: object }) => c.changes)).toEqual([{ Advertising: false }, { Advertising: true, Analytics: true }]);
    });

    it('concurrent batches that link the same identities never split or corrupt a profile', async () => {
      const requests = [];
      for (let i = 0; i < 40; i++) {
        const batch = [];
        for (let k = 0; k < 10; k++) {
          const u = (i * 10 + k) % 7;
          batch.push({ type: 'identify', userId: `hammer-${u}`, anonymousId: `dev-${u}-${i % 3}`, traits: { n: i } });
          batch.push({ type: 'track', anonymousId: `dev-${u}-${i % 3}`, event: 'Order Completed', properties: { revenue: 1 } });
        }
        requests.push(send(h.app, '/v1/batch', { batch }));
      }
      const res = await Promise.all(requests);
      for (const r of res) expect(r.json()).toEqual({ success: true });
      let orders = 0;
      for (let u = 0; u < 7; u++) {
        const p = await profile(`hammer-${u}`);
        for (let d = 0; d < 3; d++) expect((await profile(`anonymousId:dev-${u}-${d}`)).id).toBe(p.id);
        expect(p.identities.filter((i: { kind: string }) => i.kind === 'userId')).toHaveLength(1);
        expect(p.features.orders.value).toBe(p.events['Order Completed'].count);
        orders += p.features.orders.value;
      }
      expect(orders).toBe(400);
      expect(await h.store.collect.countEvents()).toBe(800);
    });
  });
  collectOrderConformance(kind);
  consentConformance(kind);
}
