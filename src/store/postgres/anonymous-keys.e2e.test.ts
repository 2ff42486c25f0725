import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { openPostgresStore } from './postgres-store.js';

describe('PostgreSQL: the anonymous keys a start names', () => {
  it('are read from the partial index of anon: decisions by time, not by scanning the window', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // 200,000 decisions over a week, one in 10,000 for a subject with no profile yet.
      await pool.query(`INSERT INTO decisions (id, profile_key, placement, at, body)
        SELECT 'd' || i, CASE WHEN i % 10000 = 0 THEN 'anon:v-' || i ELSE 'p' || (i % 5000) END, 'home', i * 3000, '{}' FROM generate_series(1, 200000) i`);
      await pool.query(`INSERT INTO decision_choices (decision_id, rank, kind, action, channel, placement, profile_key, at)
        SELECT 'd' || i, 1, 'action', 'promo', 'web', 'home', CASE WHEN i % 10000 = 0 THEN 'anon:v-' || i ELSE 'p' || (i % 5000) END, i * 3000 FROM generate_series(1, 200000) i`);
      await pool.query('ANALYZE');
      expect((await store.decisions.anonymousKeys(0, 600_000_001)).sort()).toEqual(Array.from({ length: 20 }, (_, k) => `anon:v-${(k + 1) * 10000}`).sort());
      const plan = (await pool.query(`EXPLAIN SELECT DISTINCT d.profile_key FROM decisions d WHERE d.at >= 0 AND d.at < 600000000 AND d.profile_key LIKE 'anon:%'`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('decisions_anon_at');
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
