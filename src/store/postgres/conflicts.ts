import type pg from 'pg';
import type { IdentityConflict } from '../../collect/collect-store.js';

/**
 * SQL: a conflict row meeting the stored one of its key, (profile, kind, value, reason), adds its
 * count, keeps the earliest first time and the latest last time with its message (on equal times
 * the row arriving now) — one row per key however often a shared device hits it (core-003).
 */
const FOLD = `ON CONFLICT (profile_id, kind, value, reason) DO UPDATE SET count = identity_conflicts.count + excluded.count,
  first_at = least(identity_conflicts.first_at, excluded.first_at), last_at = greatest(identity_conflicts.last_at, excluded.last_at),
  last_message_id = CASE WHEN excluded.last_at >= identity_conflicts.last_at THEN excluded.last_message_id ELSE identity_conflicts.last_message_id END`;

/**
 * Counts each conflict of a batch into its row on PostgreSQL. One statement per conflict: one
 * multi-row upsert may not touch a row twice, and a batch may hit one key many times. Conflicts
 * are rare, so a batch without any sends nothing.
 * @example await recordConflictsPg(c, w.conflicts)
 */
export async function recordConflictsPg(c: pg.PoolClient, conflicts: readonly IdentityConflict[]): Promise<void> {
  for (const x of conflicts) {
    await c.query(
      `INSERT INTO identity_conflicts (profile_id, kind, value, reason, count, first_at, last_at, last_message_id) VALUES ($1, $2, $3, $4, $7, $8, $5, $6) ${FOLD}`,
      [x.profileId, x.kind, x.value, x.reason, x.at, x.messageId, x.count ?? 1, x.firstAt ?? x.at],
    );
  }
}

/**
 * Moves the conflicts of profile `from` to `into` (an identity merge), folding each into the row
 * `into` holds for the same key.
 * @example await foldConflictsPg(c, 'merged-away-id', 'surviving-id')
 */
export async function foldConflictsPg(c: pg.PoolClient, from: string, into: string): Promise<void> {
  await c.query(
    `INSERT INTO identity_conflicts (profile_id, kind, value, reason, count, first_at, last_at, last_message_id)
     SELECT $1, kind, value, reason, count, first_at, last_at, last_message_id FROM identity_conflicts WHERE profile_id = $2 ${FOLD}`,
    [into, from],
  );
  await c.query('DELETE FROM identity_conflicts WHERE profile_id = $1', [from]);
}
