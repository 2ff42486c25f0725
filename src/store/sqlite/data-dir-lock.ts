import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { makeDir } from './make-dir.js';

/** Who holds a data directory's lock, as the file beside the lock says. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The port its server listens on, when it said. */
  port?: number;
  /** ISO time it took the lock. */
  startedAt: string;
}

/**
 * A second server refused an embedded store another one serves; the message names the folder
 * and the holder.
 *
 * @example
 * // "The data directory /srv/tact is in use by another Tact server (process 4121 on web-1, port 8787, since 2026-01-05T02:00:00.000Z): stop that one, …"
 * new DataDirInUseError('/srv/tact', { pid: 4121, host: 'web-1', port: 8787, startedAt: '2026-01-05T02:00:00.000Z' }).message;
 */
export class DataDirInUseError extends Error {
  readonly code = 'TACT_DATA_DIR_IN_USE';
  constructor(readonly dir: string, readonly holder: LockHolder | undefined) {
    const who = holder ? `process ${holder.pid} on ${holder.host}${holder.port ? `, port ${holder.port}` : ''}, since ${holder.startedAt}` : 'its holder did not say which one';
    super(`The data directory ${dir} is in use by another Tact server (${who}): stop that one, or give this one another TACT_DATA_DIR (one server serves an embedded store; several share PostgreSQL through TACT_DATABASE_URL).`);
    this.name = 'DataDirInUseError';
  }
}

/**
 * The serving process's hold on an embedded store: an exclusive lock on a small SQLite database
 * beside the store's file (`tact.lock` beside `tact.db`), taken with no wait and kept for the
 * process's life. The store keeps its sequence numbers, profile states, identity graph and
 * deduplication window in memory and runs the leased jobs unchallenged, so two servers on one
 * file would hand out the same sequence numbers and overwrite each other's states. The lock is
 * SQLite's (a POSIX advisory lock on the file), so the operating system drops it when the
 * process ends however it ends — a `kill -9` leaves nothing that blocks the next start, where a
 * pid file alone would. Who holds it is written beside it (`tact.lock.json`) for the refusal to
 * name. Other openers of the store (`tact train`, `tact keys`, …) take no lock and run beside it.
 *
 * @example
 * const lock = DataDirLock.take('./data/tact.db', { port: 8787 }); // throws DataDirInUseError when held
 * lock.release();
 */
export class DataDirLock {
  private constructor(private readonly db: Database.Database, private readonly holderFile: string) {}

  /** Takes the lock of the store at `dbPath` at once, or throws DataDirInUseError naming its holder. */
  static take(dbPath: string, about: { port?: number } = {}): DataDirLock {
    const dir = dirname(dbPath);
    makeDir(dir);
    const file = join(dir, `${basename(dbPath, extname(dbPath))}.lock`);
    const holderFile = `${file}.json`;
    const db = new Database(file, { timeout: 0 });
    try {
      // Never written: the open transaction holds the exclusive lock; its journal stays in memory, so no file is left after a kill.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(dir, readHolder(holderFile));
      throw err;
    }
    const holder: LockHolder = { pid: process.pid, host: hostname(), ...(about.port ? { port: about.port } : {}), startedAt: new Date().toISOString() };
    writeFileSync(holderFile, `${JSON.stringify(holder)}\n`);
    return new DataDirLock(db, holderFile);
  }

  /** Gives the lock up (the holder file goes first, while it is still ours to remove). */
  release(): void {
    if (!this.db.open) return;
    rmSync(this.holderFile, { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
  }
}

/** The holder as its file says; undefined when the file is missing or unreadable (its holder is starting, or removed it). */
function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}
