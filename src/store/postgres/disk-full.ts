/**
 * PostgreSQL's SQLSTATE for a full disk (class 53, insufficient resources): "could not extend
 * file …: No space left on device", a WAL or temporary file that cannot be written. Not 53200
 * out_of_memory (freeing disk space does not help it, and it passes with the query that needed
 * the memory), nor 53300 too_many_connections (the server there but taking no new connection: a
 * 503 `store_unavailable`, server/errors.ts), nor 53400 configuration_limit_exceeded.
 */
export const PG_DISK_FULL = '53100';

/**
 * Whether an error is PostgreSQL's full disk (SQLSTATE 53100 disk_full), told by its code only:
 * the message is in the server's language (lc_messages).
 *
 * @example
 * isPostgresDiskFull(Object.assign(new Error('could not extend file "base/16384/16385": No space left on device'), { code: '53100' })); // true
 */
export function isPostgresDiskFull(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === PG_DISK_FULL;
}

/**
 * Whether one pool's queries met a full disk, and no write that needs room succeeded since: the
 * PostgreSQL store's GET /health answers 503 `store full` while it holds (postgres-store.ts ping),
 * as the embedded store's does (sqlite/disk-full.ts). Each Tact process keeps its own, from its
 * own queries. Only the probe's write clears it, not any other write committing: one that fits in
 * pages a table already has (an update, a row where a vacuum freed room) commits on a full disk.
 */
export class DiskFullWatch {
  private isFull = false;

  /** A query met a full disk, and no {@link DiskFullWatch.roomAgain} came since. */
  get full(): boolean {
    return this.isFull;
  }

  /** Hears every failed query of the pool. @example watch.saw(err) */
  saw(err: unknown): void {
    if (isPostgresDiskFull(err)) this.isFull = true;
  }

  /** A write that needed room succeeded (the ping's probe). */
  roomAgain(): void {
    this.isFull = false;
  }
}

/**
 * The probe: a table created in a transaction that is rolled back, with 64 rows of 1,000
 * characters — eight pages or more, stored inline (too short to be compressed), so its new file
 * must grow on the disk, which fails with 53100 "could not extend file" while the disk is full
 * (checked on PostgreSQL 15 with a tablespace on a full 1 MB tmpfs, 2026-12-06); the rollback
 * removes the file, and nothing is left behind. It is made where the store's tables are (the
 * default tablespace); not a temporary table, which temp_tablespaces may put on another disk. The
 * name is fixed: two processes probing at once take turns on it (the second waits for the
 * first's rollback).
 */
export const DISK_PROBE_SQL = [
  'CREATE TABLE tact_disk_probe (pad text)',
  "INSERT INTO tact_disk_probe SELECT repeat('x', 1000) FROM generate_series(1, 64)",
] as const;
