import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { migratePostgres } from './database.js';

describe('PostgreSQL migration core-003 (one identity conflict row per profile, kind, value and reason)', () => {
  it('folds the rows of each key into the newest, with their count and the earliest time, and makes the key unique', async () => {
    const db = await freshPostgresDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The table as it was before the migration, with the rows a shared device left then.
      await pool.query(`DROP INDEX identity_conflicts_key;
        ALTER TABLE identity_conflicts RENAME COLUMN last_at TO at;
        ALTER TABLE identity_conflicts RENAME COLUMN last_message_id TO message_id;
        ALTER TABLE identity_conflicts DROP COLUMN count, DROP COLUMN first_at;
        CREATE INDEX identity_conflicts_profile ON identity_conflicts (profile_id);
        DELETE FROM schema_migrations WHERE id = 'core-003'`);
      // Out of time order, and two rows at the newest time: the later row (higher id) is the newest.
      for (const [p, m, k, v, at] of [['p1', 'm2', 'anonymousId', 'dev', 2_000], ['p1', 'm3', 'anonymousId', 'dev', 3_000], ['p1', 'm1', 'anonymousId', 'dev', 1_000],
        ['p1', 'm4', 'anonymousId', 'dev', 3_000], ['p1', 'g1', 'groupId', 'undefined', 500], ['p2', 'm5', 'anonymousId', 'dev', 4_000]] as const) {
        await pool.query('INSERT INTO identity_conflicts (profile_id, message_id, kind, value, reason, at) VALUES ($1, $2, $3, $4, $5, $6)', [p, m, k, v, `reason ${k}`, at]);
      }
      expect(await migratePostgres(pool)).toEqual(['core-003 one identity conflict row per profile, kind, value and reason, with a count']);
      const rows = (await pool.query(
        'SELECT id::int, profile_id AS "profileId", kind, count::int, first_at::int AS "firstAt", last_at::int AS "lastAt", last_message_id AS "lastMessageId" FROM identity_conflicts ORDER BY id',
      )).rows;
      expect(rows).toEqual([
        { id: 4, profileId: 'p1', kind: 'anonymousId', count: 4, firstAt: 1_000, lastAt: 3_000, lastMessageId: 'm4' },
        { id: 5, profileId: 'p1', kind: 'groupId', count: 1, firstAt: 500, lastAt: 500, lastMessageId: 'g1' },
        { id: 6, profileId: 'p2', kind: 'anonymousId', count: 1, firstAt: 4_000, lastAt: 4_000, lastMessageId: 'm5' },
      ]);
      await expect(pool.query('INSERT INTO identity_conflicts (profile_id, last_message_id, kind, value, reason, last_at, count, first_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $6)',
        ['p2', 'm6', 'anonymousId', 'dev', 'reason anonymousId', 5_000])).rejects.toThrow(/identity_conflicts_key/);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
