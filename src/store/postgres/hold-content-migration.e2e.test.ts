import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import type { Hold } from '../../decide/records.js';
import { migratePostgres } from './database.js';
import { openPostgresStore } from './postgres-store.js';

const hold: Hold = { id: 'r-old', decisionId: 'd1', profileKey: 'p1', subject: 'ana', placement: 'home', action: 'loan', variant: 'std', queue: 'review', status: 'approved', createdAt: 1, decidedAt: 2, reviewer: 'kim', note: null, deliveredIn: null };

describe('PostgreSQL migration decide-010 (the content a review is of)', () => {
  it('reads a review stored before it without a fingerprint, and stores and reads one after it', async () => {
    const db = await freshPostgresDatabase();
    const store = await openPostgresStore({ connectionString: db.url, poolSize: 2 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      // The table as it was before the migration, with a review approved then.
      await pool.query(`ALTER TABLE decision_holds DROP COLUMN content_hash; DELETE FROM schema_migrations WHERE id = 'decide-010'`);
      await pool.query(`INSERT INTO decision_holds (id, decision_id, profile_key, subject, placement, action, variant, queue, status, created_at, decided_at, reviewer) VALUES ('r-old', 'd1', 'p1', 'ana', 'home', 'loan', 'std', 'review', 'approved', 1, 2, 'kim')`);
      expect(await migratePostgres(pool)).toEqual(['decide-010 the content a review is of']);
      const old = await store.decisions.getHold('r-old');
      expect(old).toMatchObject({ ...hold, createdAt: expect.anything(), decidedAt: expect.anything() });
      expect(old).not.toHaveProperty('contentHash');
      const pinned = { ...hold, id: 'r-new', createdAt: 3, contentHash: 'a'.repeat(64) };
      await store.decisions.putHold(pinned);
      expect((await store.decisions.getHold('r-new'))?.contentHash).toBe(pinned.contentHash);
      expect((await store.decisions.liveHolds({ pending: 0, approved: 0, rejected: 0 })).find((h) => h.id === 'r-new')?.contentHash).toBe(pinned.contentHash);
      expect((await store.decisions.listHolds({ limit: 10 })).map((h) => h.contentHash ?? null)).toEqual(['a'.repeat(64), null]);
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
