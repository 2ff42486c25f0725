import pg from 'pg';
import type { Durability } from '../durability.js';
import type { CommitTiming } from '../store.js';
import { CommitListeners } from '../commit-listeners.js';
import { postgresMigrations } from './migrations/index.js';
import { refuseNewerStore } from '../newer-store.js';
import { DEFAULT_PG_TIMEOUTS, type PostgresTimeouts, watchedClientClass, watchStalls } from './stall-watch.js';
import { DISK_PROBE_SQL, DiskFullWatch } from './disk-full.js';

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
 * opens a new one. A server that does not answer fails the work waiting on it within `timeouts`
 * (stall-watch.ts): a new connection after `connectMs`, a query once the server answers no check.
 * A query that fails for a full disk is remembered ({@link diskFullWatch}) for GET /health.
 */
export function createPool(connectionString: string, max = 10, onIdleError?: (err: Error) => void, durability: Durability = 'fsync', timeouts: PostgresTimeouts = DEFAULT_PG_TIMEOUTS): pg.Pool {
  // `os` durability: commits return before the WAL flush (durability.ts).
  const options = durability === 'os' ? { options: '-c synchronous_commit=off' } : {};
  // A server that accepts and stays silent: connections are bounded, stalled queries checked (stall-watch.ts).
  const disk = new DiskFullWatch();
  const pool = new pg.Pool({ connectionString, max, types: types as pg.CustomTypesConfig, application_name: 'tact', ...options, Client: watchedClientClass(timeouts, (err) => disk.saw(err)) });
  DISK_WATCHES.set(pool, disk);
  watchStalls(pool, { connectionString, application_name: 'tact' }, timeouts);
  let warned = 0;
  pool.on('error', (err) => {
    const heard = IDLE_LISTENERS.get(pool);
    if (onIdleError) onIdleError(err);
    else if (heard?.length) for (const l of heard) l(err);
    // Unheard (a tool, a test): a warning, at most one every 10 s — a restart ends every idle
    // connection at once, and each was a line of its own on stderr (until 2026-12-05).
    else if (Date.now() - warned >= 10_000) {
      warned = Date.now();
      process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`);
    }
  });
  return pool;
}

/** Each pool's memory of a full disk (createPool). */
const DISK_WATCHES = new WeakMap<pg.Pool, DiskFullWatch>();

/**
 * Whether `pool`'s queries met a full disk since a write that needed room last committed: a pool
 * not made by createPool (a tool's) has a watch that hears nothing.
 *
 * @example
 * if (diskFullWatch(pool).full) await probeDisk(pool);
 */
export function diskFullWatch(pool: pg.Pool): DiskFullWatch {
  let w = DISK_WATCHES.get(pool);
  if (!w) DISK_WATCHES.set(pool, (w = new DiskFullWatch()));
  return w;
}

/**
 * Tries a write that needs room on the disk (DISK_PROBE_SQL, rolled back: nothing is left behind)
 * and, once that write succeeds, forgets the full disk {@link diskFullWatch} remembers; rejects
 * with the write's fault (53100) while the disk is still full. For GET /health, which has no
 * request's write to wait for: a load balancer sends none to a server whose check fails.
 *
 * @example
 * await probeDisk(pool);
 */
export async function probeDisk(pool: pg.Pool): Promise<void> {
  const { client, release } = await checkout(pool);
  try {
    await client.query('BEGIN');
    for (const sql of DISK_PROBE_SQL) await client.query(sql);
    diskFullWatch(pool).roomAgain();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    release();
  }
}

/** Who hears of each pool's idle connections the server closed (the store's `onConnectionLost`). */
const IDLE_LISTENERS = new WeakMap<pg.Pool, ((err: Error) => void)[]>();

/** Calls `listener` when the server closes one of `pool`'s idle connections. @example onPoolIdleError(pool, (err) => log.warn(err.message)) */
export function onPoolIdleError(pool: pg.Pool, listener: (err: Error) => void): void {
  const list = IDLE_LISTENERS.get(pool) ?? [];
  list.push(listener);
  IDLE_LISTENERS.set(pool, list);
}

/**
 * A client checked out of the pool, with an error listener of its own until it is released: pg-pool
 * takes its listener off a client it lends, and a connection the server ends while it is lent (an
 * administrator's terminate, a failover, the network) then emitted an 'error' no one heard — an
 * uncaught exception that ended the process (until 2026-12-05). Now the query under way fails
 * (the request gets its error); at release pg-pool destroys a connection that can no longer query.
 *
 * @example
 * const { client, release } = await checkout(pool);
 * try { await client.query('SELECT 1'); } finally { release(); }
 */
export async function checkout(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: () => void }> {
  const client = await pool.connect();
  // Heard, and nothing more: the query under way rejects with the same fault.
  const onError = () => undefined;
  client.on('error', onError);
  return {
    client,
    release: () => {
      client.off('error', onError);
      client.release();
    },
  };
}

/**
 * Applies pending migrations under an advisory lock, so several processes starting at once
 * migrate exactly once. A database with migrations this version does not know (a newer Tact
 * wrote it) is refused with a NewerStoreError.
 */
export async function migratePostgres(pool: pg.Pool): Promise<string[]> {
  const { client, release } = await checkout(pool);
  try {
    await client.query('SELECT pg_advisory_lock(7263512)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
    // A database a newer Tact migrated is refused before anything is applied (sqlite/database.ts's migrate).
    refuseNewerStore(done, postgresMigrations, 'PostgreSQL database of TACT_DATABASE_URL');
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
    release();
  }
}

/** Who hears of each pool's committed transactions (the store's `onCommit`). */
const COMMIT_LISTENERS = new WeakMap<pg.Pool, CommitListeners>();

/** Calls `listener` after each transaction {@link inTransaction} commits on `pool`, with its timing. @example onPoolCommit(pool, (t) => console.log(t.commitMs)) */
export function onPoolCommit(pool: pg.Pool, listener: (t: CommitTiming) => void): void {
  let listeners = COMMIT_LISTENERS.get(pool);
  if (!listeners) COMMIT_LISTENERS.set(pool, (listeners = new CommitListeners()));
  listeners.add(listener);
}

/**
 * Runs `fn` in a transaction on one client; rolls back on any error. A committed transaction is
 * reported to the pool's commit listeners: `writeMs` from BEGIN to COMMIT (its statements and
 * their round trips), `commitMs` the COMMIT's round trip — under `fsync` durability the server's
 * WAL flush.
 *
 * @example
 * await inTransaction(pool, async (c) => { await c.query('…'); });
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkout(pool);
  try {
    await client.query('BEGIN');
    const t0 = performance.now();
    const result = await fn(client);
    const t1 = performance.now();
    await client.query('COMMIT');
    COMMIT_LISTENERS.get(pool)?.emit({ writes: 1, writeMs: t1 - t0, commitMs: performance.now() - t1 });
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    release();
  }
}
