import pg from 'pg';
import type { Durability } from '../durability.js';
import { postgresMigrations } from './migrations/index.js';

/** int8 and numeric come back as JS numbers (our values stay well within 2^53). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * A pool for one PostgreSQL database. An idle connection that the server closes (a restart, an
 * administrator's terminate) is dropped from the pool and reported, not thrown: the next query
 * opens a new one.
 */
export function createPool(connectionString: string, max = 10, onIdleError?: (err: Error) => void, durability: Durability = 'fsync'): pg.Pool {
  // `os` durability: commits return before the WAL flush (durability.ts).
  const options = durability === 'os' ? { options: '-c synchronous_commit=off' } : {};
  const pool = new pg.Pool({ connectionString, max, types: types as pg.CustomTypesConfig, application_name: 'tact', ...options });
  pool.on('error', (err) => {
    if (onIdleError) onIdleError(err);
    else process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`);
  });
  return pool;
}

/**
 * Applies pending migrations under an advisory lock, so several processes starting at once
 * migrate exactly once.
 */
export async function migratePostgres(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7263512)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of postgresMigrations) {
      if (done.has(m.id)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, Date.now()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(`${m.id} ${m.name}`);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(7263512)').catch(() => undefined);
    client.release();
  }
}

/**
 * Runs `fn` in a transaction on one client; rolls back on any error.
 *
 * @example
 * await inTransaction(pool, async (c) => { await c.query('…'); });
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
