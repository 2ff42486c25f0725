import { describe, expect, it } from 'vitest';
import { findProfile, identityCandidates } from './lookup.js';
import type { ProfileStore } from './profile-store.js';

/** A profile store holding one profile with these identities: only what findProfile reads. */
function storeWith(ids: Record<string, string>): ProfileStore {
  return {
    findProfileId: async (kind: string, value: string) => (ids[`${kind}:${value}`] ? 'p1' : undefined),
    getProfile: async () => undefined,
  } as unknown as ProfileStore;
}

describe('findProfile with a kind named the way Segment names it', () => {
  it('reads `user_id:` and `anonymous_id:` as userId and anonymousId, as an externalId of those types is read', async () => {
    // Segment's Identity Resolution settings and externalIds call the kinds user_id and anonymous_id;
    // identifiersOf stores such an externalId as userId / anonymousId, so no identity is of kind user_id.
    const store = storeWith({ 'userId:u1': 'p1', 'anonymousId:a1': 'p1' });
    expect(await findProfile(store, 'user_id:u1')).toEqual({ profileId: 'p1', matched: { kind: 'userId', value: 'u1' } });
    expect(await findProfile(store, 'anonymous_id: a1 ')).toEqual({ profileId: 'p1', matched: { kind: 'anonymousId', value: 'a1' } });
    expect(identityCandidates('user_id:u1')[0]).toEqual({ kind: 'userId', value: 'u1' });
    // Tact's own names are read as before, and a bare value that merely contains a colon still is too.
    expect(await findProfile(store, 'userId:u1')).toEqual({ profileId: 'p1', matched: { kind: 'userId', value: 'u1' } });
    expect(await findProfile(storeWith({ 'userId:user_id:x': 'p1' }), 'user_id:x')).toEqual({ profileId: 'p1', matched: { kind: 'userId', value: 'user_id:x' } });
  });
});
