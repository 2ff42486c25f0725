import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('identity conflicts on a shared device', () => {
  // Every event of the second user with the first user's anonymousId hits the same conflict: one
  // row per (profile, kind, value, reason) counts them, or the table grows with every such event.
  it('are recorded once per profile, kind, value and reason, counting the messages that hit them', async () => {
    h = await harness('sqlite');
    await send(h.app, '/v1/identify', { userId: 'alice', anonymousId: 'shared-device', messageId: 'a0' });
    for (let i = 0; i < 3; i++) {
      expect((await send(h.app, '/v1/track', { userId: 'bob', anonymousId: 'shared-device', event: 'Viewed', messageId: `b${i}` })).statusCode).toBe(200);
    }
    const bob = (await get(h.app, '/v1/profiles/bob')).json() as { identityConflicts: { kind: string; value: string; count?: number; messageId: string }[] };
    expect(bob.identityConflicts).toEqual([expect.objectContaining({ kind: 'anonymousId', value: 'shared-device', count: 3, messageId: 'b2' })]);
  });
});

describe('identity conflicts after a limit is lowered', () => {
  // A profile over a lowered userId limit could gain no identifier of any kind: a new anonymousId
  // was refused as "merging would give one profile 2 userId values", though it adds no userId and
  // nothing merged, and its later events started a separate profile.
  it('let a profile over it gain an anonymousId, and record no conflict', async () => {
    h = await harness('sqlite');
    const rules = async (limits: Record<string, number>) => {
      const put = await h!.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { limits }, reason: 'test' } });
      expect(put.statusCode, put.body).toBe(200);
    };
    await rules({ userId: 2 });
    await send(h.app, '/v1/track', { userId: 'u1', event: 'E' });
    await send(h.app, '/v1/track', { userId: 'u2', event: 'E' });
    await send(h.app, '/v1/alias', { previousId: 'u2', userId: 'u1' });
    await rules({ userId: 1 });
    expect((await send(h.app, '/v1/track', { userId: 'u2', anonymousId: 'lim-new', event: 'AfterLower' })).statusCode).toBe(200);
    expect((await send(h.app, '/v1/track', { anonymousId: 'lim-new', event: 'Later' })).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/u1?events=10')).json() as { id: string; identityConflicts: unknown[]; identities: { kind: string; value: string }[]; recentEvents: { event: string }[] };
    expect(p.identityConflicts).toEqual([]);
    expect(p.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual(['anonymousId:lim-new', 'userId:u1', 'userId:u2']);
    expect(p.recentEvents.map((e) => e.event)).toContain('Later');
    expect((await get(h.app, '/v1/profiles/anonymousId:lim-new')).json().id).toBe(p.id);
  });
});
