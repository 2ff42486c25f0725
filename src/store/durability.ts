/**
 * What an acknowledgement (`{"success":true}`, a decision's answer) waits for.
 *
 * - `fsync` (the default): the commit reached the disk (SQLite: the writer thread flushes the WAL
 *   with `fdatasync` after the COMMIT and answers after the flush — writer.ts; PostgreSQL
 *   `synchronous_commit=on`). Nothing acknowledged is lost, not even when the machine loses power.
 * - `os`: the commit reached the operating system (SQLite `synchronous=NORMAL` in WAL mode: the WAL
 *   is synced by the background copier about every 0.1 s; PostgreSQL `synchronous_commit=off`:
 *   its WAL writer flushes within about 0.6 s). Nothing acknowledged is lost when Tact's process
 *   dies (`kill -9`, a crash, an out-of-memory kill); a power loss or kernel crash can lose the
 *   last fraction of a second. An answer no longer waits for the disk's flush, whose tail on a
 *   virtual disk reaches hundreds of milliseconds (docs/benchmarks.md).
 */
export type Durability = 'fsync' | 'os';

/**
 * Reads TACT_DURABILITY. Throws a clear error naming the variable for anything else.
 *
 * @example
 * durabilityFromEnv('os'); // 'os'
 * durabilityFromEnv(undefined); // 'fsync'
 */
export function durabilityFromEnv(value: string | undefined): Durability {
  if (value === undefined || value === '' || value === 'fsync') return 'fsync';
  if (value === 'os') return 'os';
  throw new Error(`TACT_DURABILITY must be \`fsync\` (acknowledge after the disk flush; the default) or \`os\` (after the write reached the operating system); it was \`${value}\`.`);
}

/** SQLite's `synchronous` setting for a durability. @example sqliteSynchronous('os') // 'NORMAL' */
export const sqliteSynchronous = (d: Durability | undefined): 'FULL' | 'NORMAL' => (d === 'os' ? 'NORMAL' : 'FULL');
