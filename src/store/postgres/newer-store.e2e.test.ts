import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { NewerStoreError } from '../newer-store.js';
import { openStore } from '../open.js';

describe('a PostgreSQL database written by a newer Tact', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    db = await freshPostgresDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('is refused, naming the migrations this version does not know, before anything is applied (`tact migrate` said "up to date" and `tact serve` served it until 2026-12-05)', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query("INSERT INTO schema_migrations (id, name, applied_at) VALUES ('core-900', 'from a newer Tact', 1), ('decide-901', 'from a newer Tact', 1)");
      await c.query("DELETE FROM schema_migrations WHERE id = 'decide-010'"); // one of ours left to apply
      const err = (await openStore({ databaseUrl: db.url }).then(async (s) => { await s.close(); }, (e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(NewerStoreError);
      expect(err.message).toBe('The PostgreSQL database of TACT_DATABASE_URL was written by a newer version of Tact: its migrations core-900, decide-901 are unknown to this version, which would misread it. Upgrade Tact to the version that wrote it (or a later one), or restore a backup of the store made by this version.');
      expect((await c.query("SELECT count(*)::int AS n FROM schema_migrations WHERE id = 'decide-010'")).rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
