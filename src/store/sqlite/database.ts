import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { type Durability, sqliteSynchronous } from '../durability.js';
import { makeDir } from './make-dir.js';
import { sqliteMigrations } from './migrations/index.js';
import { refuseNewerStore } from '../newer-store.js';

export type Db = Database.Database;

/**
 * Opens the embedded database in WAL mode; with `fsync` durability (the default) every commit is
 * flushed to disk (an acknowledged write survives a crash of the process or of the machine), with
 * `os` it reaches the operating system (it survives a crash of the process; see durability.ts).
 */
export function openDatabase(path: string, durability: Durability = 'fsync'): Db {
  if (path !== ':memory:') makeDir(dirname(path));
  return withPragmas(new Database(path), durability);
}

/**
 * Opens the database at `path` with every migration applied. An in-memory one (tests, a store
 * beside nothing) starts as a copy of one migrated earlier in this process: applying the
 * migrations again took 10 ms of each such store's opening (2026-12-04).
 *
 * @example
 * const db = openMigrated(':memory:'); // the whole schema, at once
 */
export function openMigrated(path: string, durability: Durability = 'fsync'): Db {
  if (path !== ':memory:') {
    const db = openDatabase(path, durability);
    try {
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }
  if (!migratedImage) {
    const first = openDatabase(path, durability);
    migrate(first);
    migratedImage = first.serialize();
    first.close();
  }
  const db = withPragmas(new Database(migratedImage), durability);
  migrate(db); // nothing to apply: the copy records every migration
  return db;
}

/** The serialized in-memory database every migration was applied to, once per process. */
let migratedImage: Buffer | undefined;

function withPragmas(db: Db, durability: Durability): Db {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sqliteSynchronous(durability)}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('cache_size = -131072');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = OFF');
  return db;
}

/**
 * Applies the migrations not yet applied, each in its own transaction. A database with migrations
 * this version does not know (written by a newer Tact) is refused with a NewerStoreError, before
 * anything is applied: `tact migrate` said it was up to date, and `tact serve` served it (until 2026-12-05).
 */
export function migrate(db: Db): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const done = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  refuseNewerStore(done, sqliteMigrations, db.memory ? 'store' : `store in ${dirname(db.name)} (TACT_DATA_DIR)`);
  const applied: string[] = [];
  for (const m of sqliteMigrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, Date.now());
    }).immediate();
    applied.push(`${m.id} ${m.name}`);
  }
  return applied;
}
