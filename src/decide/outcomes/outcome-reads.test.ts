import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { advertising, decideReq, picked } from '../test-http.js';

const order = (userId: string, revenue: number) => ({ type: 'track', userId, event: 'Order Completed', properties: { revenue } });

/**
 * The outcome consumer reads a chunk's subjects together: their profiles, their choices in the log
 * and their decisions' successes — not once an event (on PostgreSQL a round trip each was most of
 * its time: about 1,000 events a second).
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('outcomes of a chunk of track events (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('are credited as one at a time, from reads made for the whole chunk at once', async () => {
    const t = (h = await harness(kind, { config: shopConfig() }));
    const users = Array.from({ length: 12 }, (_, i) => `u-${i}`);
    for (const u of users) await send(t.app, '/v1/identify', { userId: u, context: advertising });
    const decided = new Map<string, { id: string; action: string }>();
    for (const u of users.slice(0, 4)) {
      const d = (await decideReq(t.app, { subject: u, placement: 'home' })).json();
      decided.set(u, { id: d.decisionId, action: picked(d)[0] });
    }
    const calls: Record<string, number> = {};
    const decisions = t.store.decisions;
    const profiles = t.store.profiles;
    for (const [store, names] of [[decisions, ['contactsOf', 'contactsOfMany', 'outcomesOf']], [profiles, ['getProfile', 'getProfiles']]] as const) {
      for (const name of names) {
        const s = store as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>;
        const real = s[name]?.bind(store);
        if (!real) continue;
        s[name] = (...args: unknown[]) => ((calls[name] = (calls[name] ?? 0) + 1), real(...args));
      }
    }
    // Two orders each, in one chunk: the first of a decided subject's is its decision's success.
    const batch = [...users.map((u, i) => order(u, 10 + i)), ...users.map((u, i) => order(u, 100 + i))];
    expect((await send(t.app, '/v1/batch', { batch })).json()).toEqual({ success: true });
    await t.tact.consumers.runAll();
    const outcomes = await t.store.decisions.outcomesSince(0);
    expect(outcomes).toHaveLength(24);
    for (const [i, u] of users.entries()) {
      const d = decided.get(u);
      const mine = outcomes.filter((o) => o.value === 10 + i || o.value === 100 + i).sort((a, b) => (a.value as number) - (b.value as number));
      expect(mine.map((o) => [o.decisionId, o.action, o.success]), u).toEqual(d && d.action !== 'none' ? [[d.id, d.action, true], [d.id, d.action, false]] : [[null, null, false], [null, null, false]]);
    }
    // One read of the profiles for the chunk and one for the recorder's keys; the subjects' choices in one read.
    expect(calls.getProfile).toBeUndefined();
    expect(calls.getProfiles).toBeLessThanOrEqual(2);
    expect(calls.contactsOf).toBeUndefined();
    expect(calls.contactsOfMany).toBe(1);
    expect(calls.outcomesOf ?? 0).toBeLessThanOrEqual(decided.size);
  });
});
