import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from '../../../test/postgres.js';
import { checkout, createPool, inTransaction } from './database.js';

/**
 * A connection the server ends while the pool has lent it (an administrator's terminate, a
 * failover) must fail the work on it, not the process: pg-pool takes its own error listener off a
 * lent client, and an 'error' no one hears is an uncaught exception (until 2026-12-05 the first
 * pg_terminate_backend under load ended `tact serve`, exit 1).
 */
describe('a PostgreSQL connection ended while lent', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let pool: pg.Pool;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await freshPostgresDatabase();
    pool = createPool(db.url, 4, () => undefined);
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await pool.end();
    await db.drop();
  });
  const terminateOthers = () => admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');

  it('fails the transaction on it, keeps the process, and the pool serves the next one on a new connection', async () => {
    const uncaught: unknown[] = [];
    const hear = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', hear);
    try {
      // A transaction that holds its connection, ended from outside while it waits.
      const held = inTransaction(pool, async (c) => c.query('SELECT pg_sleep(5)'));
      // Its failure is awaited from now: it may come before the terminate's own answer, and a
      // rejection no one yet listened for is an unhandled one (Node 22, 2026-12-05).
      const failed = expect(held).rejects.toThrow(/terminat/);
      await new Promise((r) => setTimeout(r, 300));
      await terminateOthers();
      await failed;
      // A lent client ended between queries: its error is heard, and it is not lent again.
      const { release } = await checkout(pool);
      await terminateOthers();
      await new Promise((r) => setTimeout(r, 200));
      release();
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      expect((await inTransaction(pool, async (c) => c.query<{ one: number }>('SELECT 1 AS one'))).rows[0].one).toBe(1);
      // The ended one is not lent again (pg-pool destroys a client that can no longer query): the pool holds only live ones.
      expect(pool.totalCount).toBeLessThanOrEqual(1);
    } finally {
      process.off('uncaughtException', hear);
    }
  });
});
