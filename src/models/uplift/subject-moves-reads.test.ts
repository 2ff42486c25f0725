import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import type { ProfileStore } from '../../profiles/profile-store.js';
import { subjectMoves } from './subjects.js';
import { countedCalls } from '../../../test/counted-calls.js';

const USERS = 600; // past the 500 keys one batched read checks


/** The reads as they were before the batched read: no key is known live, so every key walks its merge records. */
const walkEveryKey = (profiles: ProfileStore): ProfileStore => Object.create(profiles, { getProfiles: { value: async () => new Map() } }) as ProfileStore;

const device = (k: number) => ({ externalIds: [{ type: 'device', id: `sm-dev-${k}`, collection: 'users', encoding: 'none' }] });

describe.each<StoreKind>(['sqlite', 'postgres'])('subjectMoves reads the profiles in batches (%s)', (kind) => {
  let h: Harness;
  const keys: string[] = [];
  const visitors: { visitor: string; user: string }[] = [];
  const chain: string[] = [];
  beforeAll(async () => {
    h = await harness(kind);
    const batch = Array.from({ length: USERS }, (_, k) => ({ type: 'track', userId: `sm-${k}`, event: 'Seen' }));
    for (let i = 0; i < USERS; i += 100) expect((await send(h.app, '/v1/batch', { batch: batch.slice(i, i + 100) })).statusCode).toBe(200);
    for (let k = 0; k < USERS; k++) keys.push((await h.store.profiles.findProfileId('userId', `sm-${k}`))!);
    // Twenty visitors who log in: each visitor's profile merges into the (older) user's.
    for (let k = 0; k < 20; k++) {
      await send(h.app, '/v1/track', { anonymousId: `sm-v-${k}`, event: 'Seen' });
      visitors.push({ visitor: (await h.store.profiles.findProfileId('anonymousId', `sm-v-${k}`))!, user: keys[k * 29] });
      await send(h.app, '/v1/identify', { anonymousId: `sm-v-${k}`, userId: `sm-${k * 29}` });
    }
    // A chain of two merges: c0 into c1, then c1 into c2 (the oldest survives each).
    for (const k of [2, 1, 0]) {
      await send(h.app, '/v1/track', { anonymousId: `sm-c-${k}`, event: 'Seen', context: device(k) });
      chain[k] = (await h.store.profiles.findProfileId('anonymousId', `sm-c-${k}`))!;
      await new Promise((r) => setTimeout(r, 2));
    }
    await send(h.app, '/v1/identify', { anonymousId: 'sm-c-0', context: device(1) });
    await send(h.app, '/v1/identify', { anonymousId: 'sm-c-1', context: device(2) });
    // Keys of the decision log: live profiles, merged-away ones, `anon:` keys (one a profile holds), an unknown profile key, a repeat.
    keys.push(...visitors.map((v) => v.visitor), ...chain, 'anon:sm-5', 'anon:sm-nobody', 'p_sm_unknown', keys[0]);
  }, 120_000);
  afterAll(async () => h.close());

  it('gives every key the moves one walk of its merge records gives, and reads the merges of no live profile', async () => {
    const before = Object.fromEntries(await subjectMoves(walkEveryKey(h.store.profiles), keys));
    const { profiles, calls } = countedCalls(h.store.profiles);
    const now = Object.fromEntries(await subjectMoves(profiles, keys));
    expect(now).toEqual(before);

    // What the walk found, so that the comparison above compares something.
    for (const v of visitors) expect(now[v.visitor].map((m) => m.into)).toEqual([v.user]);
    expect(now[chain[0]].map((m) => [m.from, m.into])).toEqual([[chain[0], chain[1]], [chain[1], chain[2]]]);
    expect(now[chain[1]].map((m) => m.into)).toEqual([chain[2]]);
    expect(now[chain[2]]).toEqual([]);
    expect(now['anon:sm-5']).toEqual([{ at: -Infinity, from: 'anon:sm-5', into: keys[5] }]);
    expect(now['anon:sm-nobody']).toEqual([]);
    expect(now.p_sm_unknown).toEqual([]);
    expect(now[keys[1]]).toEqual([]);

    // 626 distinct keys, 624 of profiles: two batched reads. Merge records are read only for keys
    // not live: each visitor 2 (its move, then none from the user), c0 3, c1 2, the unknown key 1
    // — 46, where one walk per key read them 647 times (until 2026-12-06).
    expect(calls.getProfiles).toBe(2);
    expect(calls.merges).toBe(46);
    expect(calls.getProfile ?? 0).toBe(0);
  });
});
