import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from './postgres.js';

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

const holds = (url: string) => query<{ n: number; migrations: number; epochs: number }>(url, 'SELECT (SELECT count(*)::int FROM profiles) AS n, (SELECT count(*)::int FROM schema_migrations) AS migrations, (SELECT count(*)::int FROM config_epoch) AS epochs');

describe('test databases (test/postgres.ts)', () => {
  it('gives a test what a fresh copy of the template holds, whether new or given back by an earlier test', async () => {
    const first = await freshPostgresDatabase();
    const pristine = (await holds(first.url))[0];
    expect(pristine.n).toBe(0);
    expect(pristine.migrations).toBeGreaterThan(0);
    await query(first.url, `INSERT INTO profiles (id, version, created_at, updated_at, state) VALUES ('p1', 1, 0, 0, '{}'); DELETE FROM config_epoch; DELETE FROM schema_migrations`);
    await first.drop();
    const second = await freshPostgresDatabase();
    // Within a test run (TACT_TEST_RUN) the same database comes back, restored; outside it a new one.
    if (process.env.TACT_TEST_RUN) expect(second.url).toBe(first.url);
    expect((await holds(second.url))[0]).toEqual(pristine);
    await second.drop();
  });

  it('drops a database whose schema or settings a test changed instead of giving it to the next', async () => {
    for (const change of ['ALTER TABLE profiles ADD COLUMN extra int', 'CREATE INDEX extra ON profiles (updated_at)', "ALTER DATABASE current_database() SET work_mem = '8MB'"]) {
      const db = await freshPostgresDatabase();
      const name = new URL(db.url).pathname.slice(1);
      await query(db.url, change.replace('current_database()', name));
      await db.drop();
      const next = await freshPostgresDatabase();
      expect(next.url, change).not.toBe(db.url);
      expect((await query<{ n: number }>(next.url, "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'profiles' AND column_name = 'extra'"))[0].n).toBe(0);
      await next.drop();
      expect((await query<{ n: number }>(next.url.replace(/\/[^/]*$/, '/postgres'), `SELECT count(*)::int AS n FROM pg_database WHERE datname = '${name}'`))[0].n, change).toBe(0);
    }
  });
});
