import type pg from 'pg';
import { foldConflictsPg } from './conflicts.js';

/**
 * SQL: a membership row meeting the stored one keeps the earliest since (created_at) and the role
 * set last, a role over none: an incoming role replaces the stored one when none is stored or it
 * was set earlier (`cmp` '>=': on equal times the incoming row). `updated_at` is the time of the
 * call that set the role held (while none is held, of the latest call), so a call without a role
 * leaves it (until 2026-12-05 it moved to that call's time, and a late call or a merge then took a
 * role set before it as the newer one). As memberFold in ../sqlite/write-ops.ts.
 */
export const memberFoldPg = (cmp: '>=' | '>'): string => {
  const roleWins = `excluded.role IS NOT NULL AND (memberships.role IS NULL OR excluded.updated_at ${cmp} memberships.updated_at)`;
  return `ON CONFLICT (account_id, profile_id) DO UPDATE SET created_at = least(memberships.created_at, excluded.created_at),
  role = CASE WHEN ${roleWins} THEN excluded.role ELSE memberships.role END,
  updated_at = CASE WHEN ${roleWins} THEN excluded.updated_at WHEN memberships.role IS NULL THEN greatest(memberships.updated_at, excluded.updated_at) ELSE memberships.updated_at END`;
};

/**
 * Moves everything of profile `from` to `into` (an identity merge) on PostgreSQL: identities,
 * events, consent history, conflicts and memberships (folded into the rows `into` holds for the
 * same key: a membership keeps the earliest since and the role set last); merge chains are
 * shortened; `from` is marked.
 */
export async function repointProfilePg(c: pg.PoolClient, from: string, into: string): Promise<void> {
  await c.query('UPDATE identities SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await c.query('UPDATE events SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await c.query('UPDATE consent_history SET profile_id = $1 WHERE profile_id = $2', [into, from]);
  await foldConflictsPg(c, from, into);
  // Ties keep the survivor's role.
  await c.query(
    `INSERT INTO memberships (account_id, profile_id, role, created_at, updated_at)
     SELECT account_id, $1, role, created_at, updated_at FROM memberships WHERE profile_id = $2
     ${memberFoldPg('>')}`,
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
