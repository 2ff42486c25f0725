import { findProfile } from '../profiles/lookup.js';
import { mergedInto } from '../profiles/merged-ids.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import { anonymousKeysOf } from './merged-keys.js';

/** At most this many keys go into one query (a profile with thousands of anonymous ids keeps its newest). */
const MAX_KEYS = 500;

/**
 * Every key a subject's decisions may be logged under: its profile, the profiles merged into it,
 * and `anon:<identifier>` for each of its identifiers (decisions made before it had a profile).
 * A subject with no profile has only its `anon:` key.
 *
 * @example
 * await subjectKeys(store.profiles, 'vic'); // ['p_01J…', 'p_visitor', 'anon:v-1', 'anon:anonymousId:v-1', …]
 */
export async function subjectKeys(profiles: ProfileStore, subject: string): Promise<string[]> {
  const found = await findProfile(profiles, subject);
  if (!found) return [`anon:${subject}`];
  const [merged, identities] = await Promise.all([mergedInto(profiles, found.profileId), profiles.identities(found.profileId)]);
  const anonymous = anonymousKeysOf(identities.sort((a, b) => b.createdAt - a.createdAt));
  return [...new Set([found.profileId, ...merged, `anon:${subject}`, ...anonymous])].slice(0, MAX_KEYS);
}
