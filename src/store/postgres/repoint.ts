import type pg from 'pg';
import { foldConflictsPg } from './conflicts.js';

/**
 * Moves everything of profile `from` to `into` (an identity merge) on PostgreSQL: identities,
 * events, consent history, conflicts (folded into the rows `into` holds for the same key),
 * memberships; merge chains are shortened; `from` is marked.
 */
export async function repointProfilePg(c: pg.PoolClient, from: string, into: string): Promise<void> {
  await c.query('UPDATE identities SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await c.query('UPDATE events SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await c.query('UPDATE consent_history SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await foldConflictsPg(c, from, into);
  await c.query(
    `UPDATE memberships m SET profile_id = $1 WHERE m.profile_id = $2
     AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.account_id = m.account_id AND x.profile_id = $1)`,
    [into, from],
  );
  await c.query('DELETE FROM memberships WHERE profile_id = $1', [from]);
  await c.query('UPDATE profiles SET merged_into = $1 WHERE merged_into = $2', [into, from]);
  const now = Date.now();
  await c.query(
    `INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES ($1, 1, $2, $2, $3, NULL)
     ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into, state = NULL, version = profiles.version + 1`,
    [from, now, into],
  );
}
