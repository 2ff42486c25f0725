import type { Store } from '../store.js';
import { SqliteCollectStore } from './collect.js';
import { migrate, openDatabase, type Db } from './database.js';
import { SqliteDocumentStore } from './documents.js';
import { SqliteKeyStore } from './keys.js';
import { ProfileCache } from './profile-cache.js';
import { SqliteProfileStore } from './profiles.js';

export interface SqliteStoreOptions {
  /** Database file, or ":memory:" for tests. */
  path: string;
  /** Parsed profile states kept in memory (default 200,000). */
  cacheProfiles?: number;
}

/**
 * The embedded store: one SQLite file in WAL mode. Statements are prepared after migrating,
 * so construct it through `openSqliteStore`.
 *
 * @example
 * const store = await openSqliteStore({ path: './data/tact.db' });
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly collect: SqliteCollectStore;
  readonly profiles: SqliteProfileStore;
  readonly documents: SqliteDocumentStore;
  readonly keys: SqliteKeyStore;
  readonly cache: ProfileCache;

  constructor(readonly db: Db, options: SqliteStoreOptions) {
    this.cache = new ProfileCache(options.cacheProfiles ?? 200_000);
    this.collect = new SqliteCollectStore(db, this.cache);
    this.profiles = new SqliteProfileStore(db, this.cache);
    this.documents = new SqliteDocumentStore(db);
    this.keys = new SqliteKeyStore(db);
  }

  async migrate(): Promise<{ applied: string[] }> {
    return { applied: migrate(this.db) };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating and migrating when needed) the SQLite store. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const db = openDatabase(options.path);
  const applied = migrate(db);
  const store = new SqliteStore(db, options);
  void applied;
  return store;
}
