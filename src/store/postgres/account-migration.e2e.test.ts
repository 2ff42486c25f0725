import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { migratePostgres } from './database.js';

describe('PostgreSQL migration core-002 (a time per account trait)', () => {
  it('gives each trait of an account stored before it the row\'s update time', async () => {
    const db = await freshPostgresDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The table as it was before the migration, with two accounts stored then.
      await pool.query(`ALTER TABLE accounts DROP COLUMN traits_at; DELETE FROM schema_migrations WHERE id = 'core-002'`);
      await pool.query('INSERT INTO accounts (id, traits, created_at, updated_at) VALUES ($1, $2, $3, $4)', ['acme', JSON.stringify({ plan: 'a', address: { city: 'Berlin' }, tier: null }), 1_000, 3_000]);
      await pool.query('INSERT INTO accounts (id, traits, created_at, updated_at) VALUES ($1, $2, $3, $4)', ['empty', '{}', 1_000, 1_000]);
      expect(await migratePostgres(pool)).toEqual(['core-002 a time per account trait']);
      const rows = (await pool.query<{ id: string; traits_at: unknown }>('SELECT id, traits_at FROM accounts ORDER BY id')).rows;
      expect(rows.map((r) => [r.id, r.traits_at])).toEqual([['acme', { plan: 3_000, address: 3_000, tier: 3_000 }], ['empty', {}]]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
