import { isPostgresDiskFull } from '../postgres/disk-full.js';
import type { SqliteWriter, WriteOp } from './writer.js';

/**
 * Whether a store error says the store's disk is full: SQLite's SQLITE_FULL ("database or disk is
 * full", the writer thread passes on its message only), the system's ENOSPC, or PostgreSQL's
 * SQLSTATE 53100 disk_full (postgres/disk-full.ts; not mapped until 2026-12-06: a 500 `internal`).
 * A request meeting one is answered 507 `store_full` (server/errors.ts), GET /health 503 `store full`.
 *
 * @example
 * isDiskFull(new Error('database or disk is full')); // true
 */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 'SQLITE_FULL' || e?.code === 'ENOSPC' || isPostgresDiskFull(err) || (typeof e?.message === 'string' && /^database or disk is full$/.test(e.message));
}

/**
 * Where the full disk is, for the sentences that tell of it (the 507's, /health's, the log's): the
 * PostgreSQL server's for its SQLSTATE, else the embedded store's data folder. A PostgreSQL
 * operator was told of TACT_DATA_DIR, which that store does not use, until 2026-12-06.
 *
 * @example
 * fullDiskPlace(new Error('database or disk is full')); // "the store's data folder (TACT_DATA_DIR)"
 */
export function fullDiskPlace(err: unknown): string {
  return isPostgresDiskFull(err) ? "the PostgreSQL server's data directory" : "the store's data folder (TACT_DATA_DIR)";
}

/** A writer that remembers whether a write failed because the disk is full. */
export interface WatchedWriter extends SqliteWriter {
  /** A write failed for a full disk, and no {@link WatchedWriter.probe} committed since. */
  readonly diskFull: boolean;
  /**
   * Tries a write that needs room ({@link DISK_PROBE}); once one commits the disk has room again.
   * Rejects with the write's fault while it is still full.
   */
  probe(): Promise<void>;
}

/**
 * Wraps `writer` so the store knows while writes fail for a full disk: GET /health answers 503
 * until a write that needs room commits again (the store's ping tries one, {@link DISK_PROBE}).
 * Any other write committing does not tell: one that fits in pages the database has already
 * commits on a full disk.
 *
 * @example
 * const writer = watchDiskFull(startWriter(path, db));
 */
export function watchDiskFull(writer: SqliteWriter): WatchedWriter {
  let full = false;
  return {
    get diskFull() {
      return full;
    },
    run(ops: WriteOp[], chain?: string) {
      return writer.run(ops, chain).catch((err: unknown) => {
        if (isDiskFull(err)) full = true;
        throw err;
      });
    },
    async probe() {
      await this.run(DISK_PROBE);
      full = false;
    },
    onCommit: (listener) => writer.onCommit(listener),
    reset: (chain) => writer.reset(chain),
    close: () => writer.close(),
  };
}

/**
 * A write that needs room and leaves nothing behind: 64 KB stored and deleted in one transaction
 * (its pages still reach the WAL). It commits once the disk has room again.
 */
export const DISK_PROBE: WriteOp[] = [
  { sql: "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('disk_probe', zeroblob(65536))", rows: [[]] },
  { sql: "DELETE FROM store_meta WHERE key = 'disk_probe'", rows: [[]] },
];
