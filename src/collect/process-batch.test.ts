import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Conflicts = { identityConflicts: { kind: string; value: string; reason: string; messageId: string }[]; merges: unknown[] };

describe.each(['sqlite', 'postgres'] as const)('an alias whose previousId is on the blocked list of the merge rules (%s)', (kind) => {
  // `analytics.alias(userId)` after a logout sends the anonymous id it has, which a broken client
  // leaves "null"; the alias merged nothing and was kept as a plain event, and nothing on the profile
  // said why — as an account id on the blocked list says (accounts.test.ts).
  it('merges nothing, keeps the call on the user, and records why on the profile', async () => {
    h = await harness(kind);
    expect((await send(h.app, '/v1/identify', { userId: 'u2', anonymousId: 'a2', messageId: 'i1' })).statusCode).toBe(200);
    for (const [previousId, messageId] of [['null', 'al1'], ['000-000', 'al2']]) {
      expect((await send(h.app, '/v1/alias', { userId: 'u2', previousId, messageId })).statusCode).toBe(200);
    }
    const p = (await get(h.app, '/v1/profiles/u2')).json() as Conflicts;
    expect(p.merges).toEqual([]);
    expect(p.identityConflicts).toEqual([
      expect.objectContaining({ kind: 'previousId', value: '000-000', messageId: 'al2', reason: 'the value "000-000" is only zeroes and dashes, a placeholder the merge rules block (Segment\'s suggested pattern ^[0-]*$; list it in `unblocked` to use it): no profile was merged' }),
      expect.objectContaining({ kind: 'previousId', value: 'null', messageId: 'al1', reason: 'the value "null" is on the blocked list of the merge rules: no profile was merged' }),
    ]);
  });

  it('records nothing for an alias that merges', async () => {
    h = await harness(kind);
    expect((await send(h.app, '/v1/track', { anonymousId: 'v1', event: 'Viewed', messageId: 't1' })).statusCode).toBe(200);
    expect((await send(h.app, '/v1/alias', { userId: 'u3', previousId: 'v1', messageId: 'al' })).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/u3')).json() as Conflicts;
    expect([p.merges.length, p.identityConflicts]).toEqual([0, []]);
    expect((await get(h.app, '/v1/profiles/v1')).json().id).toBe((p as unknown as { id: string }).id);
  });
});

describe.each(['sqlite', 'postgres'] as const)('a batch that merges profiles in a chain longer than 64 (%s)', (kind) => {
  // Each identify links a visitor to the one before it, and the older survives: a70 → a69 → … → a0
  // in one batch. The rows written earlier in the batch follow their profile into the last merge;
  // that walk stopped after 64 hops, and the events of the first visitors stayed on profiles merged away.
  it('writes every event on the surviving profile', async () => {
    h = await harness(kind);
    const n = 70;
    const batch: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) batch.push({ type: 'track', anonymousId: `a${i}`, event: 'Viewed', messageId: `t${i}` });
    for (let i = n - 1; i > 0; i--) batch.push({ type: 'identify', anonymousId: `a${i}`, context: { externalIds: [{ id: `a${i - 1}`, type: 'anonymousId', collection: 'users' }] }, messageId: `m${i}` });
    expect((await send(h.app, '/v1/batch', { batch })).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/anonymousId:a69')).json() as { id: string; eventCount: number; merges: unknown[] };
    expect([p.eventCount, p.merges.length]).toEqual([2 * n - 1, n - 1]);
    const rows = await h.store.profiles.scanEvents(0, await h.store.profiles.maxEventSeq(), 1000);
    expect(rows).toHaveLength(2 * n - 1);
    expect(rows.filter((r) => r.profileId !== p.id).map((r) => JSON.parse(r.json).messageId)).toEqual([]);
  });
});
