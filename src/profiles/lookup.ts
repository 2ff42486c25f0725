import { normalizeIdentifier, tactKind } from '../identity/identifiers.js';
import type { ProfileStore } from './profile-store.js';

/**
 * Finds the profile an identifier names. `kind:value` names the kind (`email:ana@example.com`,
 * `anonymousId:a-1`, `profile:<id>` for Tact's own id; Segment's `user_id:` and `anonymous_id:`
 * are read as `userId:` and `anonymousId:`); a bare value is tried as userId, then
 * anonymousId, then email. Returns the live profile id and how it was found.
 *
 * @example
 * await findProfile(store.profiles, 'email:Ana@Example.com'); // { profileId: '…', matched: { kind: 'email', value: 'ana@example.com' } }
 */
export async function findProfile(profiles: ProfileStore, identifier: string): Promise<{ profileId: string; matched: { kind: string; value: string } } | undefined> {
  if (identifier.startsWith('profile:')) {
    const s = await profiles.getProfile(identifier.slice('profile:'.length));
    if (s) return { profileId: s.id, matched: { kind: 'profile', value: s.id } };
  }
  for (const c of identityCandidates(identifier)) {
    const id = await profiles.findProfileId(c.kind, c.value);
    if (id) return { profileId: id, matched: c };
  }
  return undefined;
}

const BARE_KINDS = ['userId', 'anonymousId', 'email'];

/**
 * Every identity `findProfile` may find an identifier as (Tact's own `profile:<id>` aside): the
 * kind it names, then the bare value as userId, anonymousId and email — for a check in one query
 * of whether a subject that had no profile has one now.
 *
 * @example
 * identityCandidates('Ana@Example.com'); // [{ kind: 'userId', value: 'Ana@Example.com' }, …, { kind: 'email', value: 'ana@example.com' }]
 */
export function identityCandidates(identifier: string): { kind: string; value: string }[] {
  const out: { kind: string; value: string }[] = [];
  const colon = identifier.indexOf(':');
  if (colon > 0) {
    // Segment's `user_id:` / `anonymous_id:` name the kinds an externalId of those types is stored as.
    const kind = tactKind(identifier.slice(0, colon));
    if (kind !== 'profile') out.push({ kind, value: normalizeIdentifier(kind, identifier.slice(colon + 1)) });
  }
  for (const kind of BARE_KINDS) out.push({ kind, value: normalizeIdentifier(kind, identifier) });
  return out;
}
