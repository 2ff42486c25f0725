import type pg from 'pg';
import type { CommitTiming, Store } from '../store.js';
import { PostgresCollectStore } from './collect.js';
import type { Durability } from '../durability.js';
import { createPool, diskFullWatch, migratePostgres, onPoolCommit, onPoolIdleError, probeDisk } from './database.js';
import { PostgresDecisionStore } from './decisions.js';
import { PostgresDocumentStore } from './documents.js';
import { PostgresEstimateStore } from './estimates.js';
import { PostgresKeyStore } from './keys.js';
import { PostgresModelStore } from './models.js';
import { PostgresMonitorStore } from './monitors.js';
import { PostgresMeasureStore } from './measure.js';
import { PostgresProfileStore } from './profiles.js';
import { PostgresSegmentStore } from './segments.js';
import { type PostgresTimeouts, postgresTimeouts } from './stall-watch.js';

/**
 * The shared store: several stateless Tact processes on one PostgreSQL database.
 *
 * @example
 * const store = await openPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:5432/tact' });
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly collect: PostgresCollectStore;
  readonly profiles: PostgresProfileStore;
  readonly documents: PostgresDocumentStore;
  readonly keys: PostgresKeyStore;
  readonly estimates: PostgresEstimateStore;
  readonly segments: PostgresSegmentStore;
  readonly models: PostgresModelStore;
  readonly decisions: PostgresDecisionStore;
  readonly monitors: PostgresMonitorStore;
  readonly measure: PostgresMeasureStore;

  constructor(readonly pool: pg.Pool, readonly durability: Durability = 'fsync', blockedWindow?: number) {
    this.collect = new PostgresCollectStore(pool, blockedWindow);
    this.profiles = new PostgresProfileStore(pool);
    this.documents = new PostgresDocumentStore(pool);
    this.keys = new PostgresKeyStore(pool);
    this.estimates = new PostgresEstimateStore(pool);
    this.segments = new PostgresSegmentStore(pool);
    this.models = new PostgresModelStore(pool);
    this.decisions = new PostgresDecisionStore(pool);
    this.monitors = new PostgresMonitorStore(pool);
    this.measure = new PostgresMeasureStore(pool);
  }

  onCommit(listener: (t: CommitTiming) => void): void {
    onPoolCommit(this.pool, listener);
  }

  onConnectionLost(listener: (err: Error) => void): void {
    onPoolIdleError(this.pool, listener);
  }

  async migrate(): Promise<{ applied: string[] }> {
    return { applied: await migratePostgres(this.pool) };
  }

  /**
   * The server answers and takes writes: a standby in recovery (the URL still naming a primary
   * after a failover) or a read-only database answers `SELECT 1` while every write fails, and
   * GET /health, which orchestrators read, must then fail too. So must it while writes fail for a
   * full disk (SQLSTATE 53100; it said `ok` until 2026-12-06, as reads still work): then the ping
   * tries a write that needs room (probeDisk), and passes once one succeeds — as the embedded
   * store's does.
   */
  async ping(): Promise<void> {
    const r = await this.pool.query<{ ro: string; recovery: boolean }>("SELECT current_setting('transaction_read_only') AS ro, pg_is_in_recovery() AS recovery");
    const { ro, recovery } = r.rows[0];
    if (recovery || ro === 'on') {
      throw new Error(`the PostgreSQL server takes no writes (${recovery ? 'it is a standby in recovery' : 'transactions are read-only'}): point TACT_DATABASE_URL at the primary`);
    }
    if (diskFullWatch(this.pool).full) await probeDisk(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Connects, migrates and returns the PostgreSQL store (`blockedWindow`: blocked messages remembered,
 * default BLOCKED_WINDOW; `timeouts`: how long a silent server is waited for, default from
 * TACT_DATABASE_CONNECT_TIMEOUT_MS and TACT_DATABASE_STALL_MS). A server that does not answer the
 * first connection fails the opening within `connectMs` (ETIMEDOUT).
 */
export async function openPostgresStore(o: { connectionString: string; poolSize?: number; durability?: Durability; blockedWindow?: number; timeouts?: PostgresTimeouts }): Promise<PostgresStore> {
  const pool = createPool(o.connectionString, o.poolSize ?? 10, undefined, o.durability, o.timeouts ?? postgresTimeouts(process.env));
  try {
    await migratePostgres(pool);
  } catch (err) {
    // Refused (a newer store, a server that did not answer): no connection is left behind.
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresStore(pool, o.durability, o.blockedWindow);
}
