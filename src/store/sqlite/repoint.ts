import type { Db } from './database.js';

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  return [
    db.prepare('UPDATE identities SET profile_id = ? WHERE profile_id = ?'),
    db.prepare('UPDATE consent_history SET profile_id = ? WHERE profile_id = ?'),
    db.prepare('UPDATE identity_conflicts SET profile_id = ? WHERE profile_id = ?'),
    db.prepare('UPDATE OR IGNORE memberships SET profile_id = ? WHERE profile_id = ?'),
    db.prepare('DELETE FROM memberships WHERE profile_id = ? AND ? IS NOT NULL'),
    db.prepare('UPDATE profiles SET merged_into = ? WHERE merged_into = ?'),
    db.prepare(`INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, 1, ?, ?, ?, NULL)
      ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into, state = NULL, version = profiles.version + 1`),
  ] as const;
}

/**
 * Moves everything that belongs to profile `from` to profile `into` (an identity merge): its
 * identities, consent history, conflicts and memberships; profiles that had merged into `from`
 * now point at `into`; `from` is marked merged (its row is made if it had none yet). Events stay
 * as logged: their profile id is followed through `merged_into` when read.
 */
export function repointProfile(db: Db, from: string, into: string): void {
  let st = cache.get(db);
  if (!st) {
    st = prepare(db);
    cache.set(db, st);
  }
  const [ids, consent, conflicts, members, dropMembers, chain, mark] = st;
  ids.run(into, from);
  consent.run(into, from);
  conflicts.run(into, from);
  members.run(into, from);
  dropMembers.run(from, into);
  chain.run(into, from);
  const now = Date.now();
  mark.run(from, now, now, into);
}
