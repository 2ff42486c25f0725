import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';

interface ConflictView {
  messageId: string;
  kind: string;
  value: string;
  reason: string;
  count: number;
  firstAt: string;
  lastAt: string;
  at: string;
}

/** A message context carrying one external id. */
const ext = (type: string, id: string, collection = 'users') => ({ externalIds: [{ type, id, collection }] });

/** Waits for the next millisecond, so two calls never share a receive time (the tests compare them). */
async function nextMs(): Promise<void> {
  const t = Date.now();
  while (Date.now() === t) await new Promise((r) => setTimeout(r, 1));
}

/**
 * Identity conflicts every store must keep alike: one row per (profile, kind, value, reason) with
 * the count of messages that hit it and its first and last time — a shared device must not grow
 * the table with every event — folded again when two profiles holding the same conflict merge.
 */
export function identityConflictsConformance(kind: StoreKind): void {
  describe(`identity conflicts (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind);
    });
    afterEach(async () => h.close());

    const conflicts = async (id: string): Promise<ConflictView[]> => {
      const r = await get(h.app, `/v1/profiles/${encodeURIComponent(id)}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().identityConflicts as ConflictView[]).sort((a, b) => a.value.localeCompare(b.value));
    };

    it('records a conflict once per profile, kind, value and reason, counting the messages of single calls and batches', async () => {
      await send(h.app, '/v1/identify', { userId: 'alice', anonymousId: 'shared-device', messageId: 'a0' });
      for (const id of ['b1', 'b2']) {
        await nextMs();
        expect((await send(h.app, '/v1/track', { userId: 'bob', anonymousId: 'shared-device', event: 'Viewed', messageId: id })).statusCode).toBe(200);
      }
      await nextMs();
      const batch = ['b3', 'b4'].map((id) => ({ type: 'track', userId: 'bob', anonymousId: 'shared-device', event: 'Viewed', messageId: id }));
      expect((await send(h.app, '/v1/batch', { batch })).json()).toEqual({ success: true });
      const p = (await get(h.app, '/v1/profiles/bob?events=5')).json() as { recentEvents: { messageId: string; receivedAt: string }[] };
      const received = Object.fromEntries(p.recentEvents.map((e) => [e.messageId, e.receivedAt]));
      const [c, ...more] = await conflicts('bob');
      expect(more).toEqual([]);
      expect(c).toEqual({
        kind: 'anonymousId', value: 'shared-device', reason: expect.stringContaining('userId'), count: 4,
        firstAt: received.b1, lastAt: received.b4, at: received.b4, messageId: 'b4',
      });
      // The first user holds the device and no conflict.
      expect(await conflicts('alice')).toEqual([]);
    });

    it('folds the conflicts two merging profiles share: counts summed, the earliest first time, the latest last time and its message', async () => {
      // A visitor and a user each send a blocked account id, then identify links them.
      await send(h.app, '/v1/track', { anonymousId: 'v-1', event: 'Viewed', messageId: 'v0' });
      const group = (who: object, groupId: string, messageId: string) => send(h.app, '/v1/group', { ...who, groupId, messageId });
      for (const [who, groupId, id] of [[{ anonymousId: 'v-1' }, 'undefined', 'v-g1'], [{ userId: 'u-1' }, 'undefined', 'u-g1'], [{ userId: 'u-1' }, 'null', 'u-g2'], [{ anonymousId: 'v-1' }, 'undefined', 'v-g2']] as const) {
        await nextMs();
        expect((await group(who, groupId, id)).statusCode).toBe(200);
      }
      const [v] = await conflicts('anonymousId:v-1');
      const [uNull, u] = await conflicts('u-1');
      expect(v).toMatchObject({ value: 'undefined', count: 2, messageId: 'v-g2' });
      expect(u).toMatchObject({ value: 'undefined', count: 1, messageId: 'u-g1' });
      // u-g1 came between the visitor's two: the folded row keeps the visitor's first and last.
      expect(Date.parse(v.firstAt)).toBeLessThan(Date.parse(u.firstAt));
      expect(Date.parse(v.lastAt)).toBeGreaterThan(Date.parse(u.lastAt));

      await nextMs();
      await send(h.app, '/v1/identify', { userId: 'u-1', anonymousId: 'v-1', messageId: 'link' });
      const merged = await conflicts('u-1');
      expect(await conflicts('anonymousId:v-1')).toEqual(merged);
      expect(merged).toEqual([uNull, { ...v, count: 3 }]);
    });

    // A client sending `email: "undefined"` with every identify, or an external id the rules block,
    // still identifies the person by its other ids: the message was kept and nothing said that a
    // value had been set aside, so the operator could not see the client was broken.
    it('records identifiers a kept message set aside, once per kind, value and reason, counting the messages', async () => {
      const long = 'x'.repeat(700);
      const calls: [string, Record<string, unknown>][] = [
        ['identify', { userId: 's-1', traits: { email: 'undefined' }, messageId: 'e1' }],
        // Both e-mail fields carry it: one message, counted once.
        ['identify', { userId: 's-1', traits: { email: 'undefined' }, context: { traits: { email: 'undefined' } }, messageId: 'e2' }],
        ['identify', { userId: 's-1', traits: { email: `${long}@x.io` }, messageId: 'e3' }],
        ['identify', { userId: 's-1', traits: { email: 'no-at-sign' }, messageId: 'e4' }],
        ['track', { userId: 's-1', event: 'E', context: ext('phone', '000-000-0000'), messageId: 'x1' }],
        ['track', { userId: 's-1', event: 'E', context: ext('  ', 'id-of-no-type'), messageId: 'x2' }],
        ['track', { userId: 's-1', event: 'E', context: ext('account_id', 'acme', 'accounts'), messageId: 'x3' }],
        ['track', { userId: 's-1', event: 'E', context: ext('account_id', long, 'accounts'), messageId: 'x4' }],
      ];
      for (const [type, body] of calls) {
        await nextMs();
        expect((await send(h.app, `/v1/${type}`, body)).statusCode).toBe(200);
      }
      await nextMs();
      // A batch hits the blocked e-mail again; a retry of e1 is not counted twice.
      const batch = [{ type: 'identify', userId: 's-1', traits: { email: 'undefined' }, messageId: 'e5' }, { type: 'identify', userId: 's-1', traits: { email: 'undefined' }, messageId: 'e1' }];
      expect((await send(h.app, '/v1/batch', { batch })).json()).toEqual({ success: true });

      const got = await conflicts('s-1');
      const row = (kind: string, value: string) => got.find((c) => c.kind === kind && c.value === value);
      expect(row('email', 'undefined')).toMatchObject({ count: 3, messageId: 'e5', reason: 'the value "undefined" is on the blocked list of the merge rules' });
      expect(row('email', `${'x'.repeat(64)}…`)).toMatchObject({ count: 1, messageId: 'e3', reason: 'it is 705 characters long, and an identifier may be at most 512' });
      expect(row('email', 'no-at-sign')).toMatchObject({ count: 1, messageId: 'e4', reason: 'it is not an e-mail address' });
      expect(row('phone', '000-000-0000')).toMatchObject({ count: 1, messageId: 'x1', reason: expect.stringContaining('zeroes and dashes') });
      expect(row('', 'id-of-no-type')).toMatchObject({ count: 1, messageId: 'x2', reason: expect.stringContaining('`type` is empty') });
      expect(row('account_id', 'acme')).toMatchObject({ count: 1, messageId: 'x3', reason: expect.stringContaining('identifies an account') });
      // What is stored is bounded: the first 64 characters of an over-long value, as for other conflicts.
      expect(row('account_id', `${'x'.repeat(64)}…`)).toMatchObject({ count: 1, messageId: 'x4' });
      expect(got).toHaveLength(7);
      // None of them became an identity.
      const p = (await get(h.app, '/v1/profiles/s-1')).json() as { identities: { kind: string }[] };
      expect(p.identities.map((i) => i.kind)).toEqual(['userId']);
    });

    it('folds the set-aside identifiers of two merging profiles, and records none for a message whose ids are all usable', async () => {
      await send(h.app, '/v1/identify', { anonymousId: 'v-9', traits: { email: 'null' }, messageId: 'v1' });
      await nextMs();
      await send(h.app, '/v1/identify', { userId: 'u-9', traits: { email: 'null' }, messageId: 'u1' });
      await nextMs();
      await send(h.app, '/v1/identify', { userId: 'u-9', anonymousId: 'v-9', traits: { email: 'ana@x.io' }, context: ext('device', 'd-9'), messageId: 'link' });
      expect(await conflicts('u-9')).toEqual([expect.objectContaining({ kind: 'email', value: 'null', count: 2, messageId: 'u1' })]);
    });
  });
}
