import type { Store } from '../store.js';
import { SqliteCollectStore } from './collect.js';
import { migrate, openDatabase, type Db } from './database.js';
import { SqliteDocumentStore } from './documents.js';
import { SqliteKeyStore } from './keys.js';
import { ProfileMemory } from './profile-memory.js';
import { SqliteProfileStore } from './profiles.js';

export interface SqliteStoreOptions {
  /** Database file, or ":memory:" for tests. */
  path: string;
  /** Profile states kept in memory beyond the changed ones (default 200,000). */
  cacheProfiles?: number;
  /** Message ids remembered for deduplication (default 4,000,000; about 16 bytes each). */
  dedupeWindow?: number;
  /** How often changed profile states are written to their rows (default 5 s). */
  checkpointMs?: number;
  /** Checkpoint early when this many profiles are changed (default 50,000). */
  checkpointDirty?: number;
}

/**
 * The embedded store: one SQLite file in WAL mode, log-structured (docs/adr/0003). Construct it
 * through `openSqliteStore`, which migrates first.
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
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly db: Db, private readonly options: SqliteStoreOptions) {
    const memory = new ProfileMemory(db, options.cacheProfiles ?? 200_000);
    this.documents = new SqliteDocumentStore(db);
    this.collect = new SqliteCollectStore(db, memory, options.dedupeWindow ?? 4_000_000);
    this.profiles = new SqliteProfileStore(db, memory, this.documents, () => this.collect.afterFailure());
    this.keys = new SqliteKeyStore(db);
    let scheduled = false;
    this.collect.afterIngest = () => {
      if (scheduled || this.collect.dirtyProfiles < (options.checkpointDirty ?? 50_000)) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        this.maybeCheckpoint();
      });
    };
    this.timer = setInterval(() => this.maybeCheckpoint(true), options.checkpointMs ?? 5000);
    this.timer.unref();
  }

  /** Writes changed profile states when the interval passed or too many are waiting. */
  maybeCheckpoint(due = false): void {
    if (!this.db.open) return;
    if (due ? this.collect.dirtyProfiles > 0 : this.collect.dirtyProfiles >= (this.options.checkpointDirty ?? 50_000)) {
      try {
        this.collect.checkpointNow();
      } catch {
        // The states stay in memory and the log holds every event: the next checkpoint retries.
      }
    }
  }

  async migrate(): Promise<{ applied: string[] }> {
    return { applied: migrate(this.db) };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.db.open) return;
    if (!this.collect.needsRecovery) this.collect.checkpointNow();
    this.db.close();
  }
}

/** Opens (creating and migrating when needed) the SQLite store. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const db = openDatabase(options.path);
  migrate(db);
  return new SqliteStore(db, options);
}
