import type { IdentityRow } from '../../profiles/profile-store.js';
import { oldestIdentity } from '../review-subject.js';

/** How a sending system knows the person: their `userId` and `email`, each absent when the profile has none. */
export interface PersonIds {
  userId?: string;
  email?: string;
}

/**
 * The person's `userId` and `email` among a profile's identities, the oldest of each kind (the
 * one the person was first known by, as a review names them): what an e-mail or SMS system
 * addresses, where the batch's subject is Tact's own profile id.
 *
 * @example
 * personIds([{ kind: 'email', value: 'ana@example.com', createdAt: 2 }, { kind: 'userId', value: 'ana', createdAt: 1 }]);
 * // { userId: 'ana', email: 'ana@example.com' }
 */
export function personIds(identities: readonly IdentityRow[]): PersonIds {
  const out: PersonIds = {};
  for (const kind of ['userId', 'email'] as const) {
    const first = oldestIdentity(identities, kind);
    if (first !== undefined) out[kind] = first;
  }
  return out;
}
