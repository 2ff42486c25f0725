import { describe, expect, it } from 'vitest';
import { DEFAULT_MERGE_RULES } from '../identity/merge-rules.js';
import { findProfile, identityCandidates, profileNotFound } from './lookup.js';
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

/** A profile store holding these identities (kind, value, profile), told apart whatever colons they hold. */
function storeOf(ids: [string, string, string][]): ProfileStore {
  return { findProfileId: async (kind: string, value: string) => ids.find(([k, v]) => k === kind && v === value)?.[2], getProfile: async () => undefined } as unknown as ProfileStore;
}

describe('findProfile with a kind holding a colon', () => {
  // Segment's externalIds take any `type`; a type such as `ios:idfa` is stored as that kind, and
  // `kind:value` split at the first colon asked for kind `ios`, value `idfa:ABC`: never found.
  it('finds an identity whose kind holds a colon, trying the longer kinds after the first', async () => {
    const store = storeOf([['ios:idfa', 'ABC-1', 'p1']]);
    expect(await findProfile(store, 'ios:idfa:ABC-1')).toEqual({ profileId: 'p1', matched: { kind: 'ios:idfa', value: 'ABC-1' } });
    expect(await findProfile(storeOf([['a:b:c', 'd', 'p1']]), 'a:b:c:d')).toEqual({ profileId: 'p1', matched: { kind: 'a:b:c', value: 'd' } });
    // The first colon is still tried first (an experiment's unit for a subject with no profile reads it).
    expect(identityCandidates('ios:idfa:ABC-1')[0]).toEqual({ kind: 'ios', value: 'idfa:ABC-1' });
    expect(await findProfile(storeOf([['ios:idfa', 'ABC-1', 'p1'], ['ios', 'idfa:ABC-1', 'p2']]), 'ios:idfa:ABC-1')).toEqual({ profileId: 'p2', matched: { kind: 'ios', value: 'idfa:ABC-1' } });
  });

  it('reads a value with colons after one of Tact\'s own kinds as that kind\'s value only, and bounds the kinds tried', () => {
    const kinds = (id: string) => identityCandidates(id).map((c) => c.kind);
    expect(kinds('userId:tenant:42')).toEqual(['userId', 'userId', 'anonymousId', 'email']);
    expect(kinds('email:a:b@x.io')).toEqual(['email', 'userId', 'anonymousId', 'email']);
    // 40 colons: at most 4 kinds read from the identifier, then the bare value's 3.
    expect(identityCandidates(Array.from({ length: 41 }, (_, i) => `k${i}`).join(':'))).toHaveLength(7);
  });
});

describe('profileNotFound', () => {
  const rules = { ...DEFAULT_MERGE_RULES, priority: ['userId', 'email', 'ios.idfa', 'anonymousId'] };

  it('says a misspelt kind is none Tact knows, suggests the closest and lists the kinds', () => {
    const e = profileNotFound('userid:u1', DEFAULT_MERGE_RULES);
    expect([e.code, e.statusCode]).toEqual(['unknown_identifier_kind', 404]);
    expect(e.message).toBe('No profile matches `userid:u1`, and `userid` is not an identifier kind Tact or the merge rules name: did you mean `userId:u1`? The kinds are userId, anonymousId, email and profile (Tact\'s own id); any other is an external id\'s `type`, as messages send it.');
    expect(profileNotFound('user:42', DEFAULT_MERGE_RULES).message).toContain('did you mean `userId:42`?');
    expect(profileNotFound('mail:ana@example.com', DEFAULT_MERGE_RULES).message).toContain('did you mean `email:ana@example.com`?');
    expect(profileNotFound('profil:p_1', DEFAULT_MERGE_RULES).message).toContain('did you mean `profile:p_1`?');
    // The kinds the operator's merge rules name are known too.
    const m = profileNotFound('ios.idfq:A', rules).message;
    expect(m).toContain('did you mean `ios.idfa:A`?');
    expect(m).toContain('The kinds are userId, anonymousId, email, ios.idfa and profile (Tact\'s own id)');
  });

  it('is the plain not_found for a known kind, a bare value, or a kind near none (an external id\'s type)', () => {
    for (const id of ['userId:u9', 'user_id:u9', 'email:no@example.com', 'profile:p_9', 'u9', 'phone:+15550100', 'ios.idfa:A', 'ios:idfa:A']) {
      const e = profileNotFound(id, rules);
      expect([e.code, e.message], id).toEqual(['not_found', `No profile matches \`${id}\`.`]);
    }
  });
});
