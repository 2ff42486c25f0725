import type { Durability } from '../durability.js';
import type { CommitTiming, Store } from '../store.js';
import { SqliteCollectStore } from './collect.js';
import { DataDirLock } from './data-dir-lock.js';
import { migrate, openMigrated, type Db } from './database.js';
import { SqliteDecisionStore } from './decisions.js';
import { SqliteDocumentStore } from './documents.js';
import { SqliteEstimateStore } from './estimates.js';
import { SqliteKeyStore } from './keys.js';
import { SqliteModelStore } from './models.js';
import { SqliteMonitorStore } from './monitors.js';
import { SqliteMeasureStore } from './measure.js';
import { ProfileMemory } from './profile-memory.js';
import { SqliteProfileStore } from './profiles.js';
import { SqliteSegmentStore } from './segments.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { startWriter } from './writer.js';
import { watchDiskFull, type WatchedWriter } from './disk-full.js';

export interface SqliteStoreOptions {
  /** Database file, or ":memory:" for tests. */
  path: string;
  /** Profile states kept in memory beyond the changed ones (default 200,000). */
  cacheProfiles?: number;
  /** Identifiers the in-memory identity graph holds before the oldest profiles' lists go (default 2,000,000). */
  identityCache?: number;
  /** Message ids remembered for deduplication (default 4,000,000; about 16 bytes each). */
  dedupeWindow?: number;
  /** Blocked messages whose violations were counted, remembered (default BLOCKED_WINDOW, src/collect/blocked-ids.ts). */
  blockedWindow?: number;
  /** How often changed profile states are written to their rows (default 10 s). */
  checkpointMs?: number;
  /** Checkpoint early when this many profiles are changed (default 100,000). */
  checkpointDirty?: number;
  /** What a commit waits for (durability.ts; default `fsync`). */
  durability?: Durability;
  /**
   * Open as the store's one serving process (`tact serve`): holds the folder's lock for the
   * store's life (data-dir-lock.ts), so a second serving open fails with a DataDirInUseError
   * naming this one (`port` says where it listens). Without it the store opens beside the server
   * (`tact train`, `tact keys`, tests), leaving the WAL's copy to the server. An in-memory
   * database takes no lock.
   */
  owner?: { port?: number };
}

/**
 * The embedded store: one SQLite file in WAL mode, log-structured (docs/adr/0003). Reads use this
 * thread's connection; every write of collection goes through the writer thread; in the serving
 * store (`owner`), a second worker copies the WAL into the database file. Construct it through
 * `openSqliteStore`.
 *
 * @example
 * const store = await openSqliteStore({ path: './data/tact.db' });
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  get durability(): Durability {
    return this.options.durability ?? 'fsync';
  }
  readonly collect: SqliteCollectStore;
  readonly profiles: SqliteProfileStore;
  readonly documents: SqliteDocumentStore;
  readonly keys: SqliteKeyStore;
  readonly estimates: SqliteEstimateStore;
  readonly segments: SqliteSegmentStore;
  readonly models: SqliteModelStore;
  readonly decisions: SqliteDecisionStore;
  readonly monitors: SqliteMonitorStore;
  readonly measure: SqliteMeasureStore;
  readonly writer: WatchedWriter;
  private timer: NodeJS.Timeout | undefined;
  /** The thread copying the WAL into the database file: the serving store's (`owner`) only. */
  readonly walCheckpointer: WalCheckpointer | undefined;

  constructor(readonly db: Db, private readonly options: SqliteStoreOptions, private readonly lock?: DataDirLock) {
    if (options.path !== ':memory:') {
      // WAL frames are copied to the database file by a worker thread, not inside commits.
      db.pragma('wal_autocheckpoint = 0');
      // By the serving store's only: a store opened beside it (`tact keys`, `tact train`) leaves
      // the copy to it — a second copier would contend with the server's for the WAL (its RESTART
      // copies wait for a gap in the server's commits). With no server running, SQLite copies the
      // WAL into the database file when the last connection to it closes.
      if (lock) this.walCheckpointer = new WalCheckpointer(options.path);
    }
    this.writer = watchDiskFull(startWriter(options.path, db, options.durability, { autoCheckpoint: !this.walCheckpointer }));
    const memory = new ProfileMemory(db, options.cacheProfiles ?? 200_000);
    // Nothing else runs jobs on an in-memory database, nor on a file whose lock this process holds.
    this.documents = new SqliteDocumentStore(db, this.writer, { sole: options.path === ':memory:' || lock !== undefined });
    this.collect = new SqliteCollectStore(db, memory, this.writer, options.dedupeWindow ?? 4_000_000, options.identityCache, options.blockedWindow);
    this.profiles = new SqliteProfileStore(db, memory, this.writer, () => this.collect.afterFailure(), { cachedOwner: (kind, value) => this.collect.cachedOwner(kind, value), uncommitted: (id) => this.collect.uncommitted(id) });
    this.keys = new SqliteKeyStore(db);
    this.estimates = new SqliteEstimateStore(db, this.writer);
    this.segments = new SqliteSegmentStore(db, this.writer);
    this.models = new SqliteModelStore(db, this.writer);
    this.decisions = new SqliteDecisionStore(db, this.writer);
    this.monitors = new SqliteMonitorStore(db, this.writer);
    this.measure = new SqliteMeasureStore(db);
    const limit = options.checkpointDirty ?? 100_000;
    this.collect.afterIngest = () => {
      if (this.collect.dirtyProfiles >= limit) this.checkpointSoon();
    };
    this.timer = setInterval(() => {
      // First the states the last checkpoint wrote and no event changed since go cold, then the next checkpoint.
      if (this.db.open) this.collect.cool();
      if (this.collect.needsRecovery) this.recoverSoon();
      else this.checkpointSoon();
    }, options.checkpointMs ?? 10_000);
    this.timer.unref();
  }

  private checkpointSoon(): void {
    if (!this.db.open || this.collect.needsRecovery || this.collect.dirtyProfiles === 0) return;
    // A failed checkpoint leaves the states dirty and the log complete: the next one retries.
    this.collect.checkpoint().catch(() => undefined);
  }

  /** The timer's recovery under way (recoverSoon), awaited by `close`. */
  private recovering: Promise<void> | undefined;

  /**
   * A failed write — a checkpoint that met a full disk — leaves the store needing recovery, and
   * until 2026-12-06 only the next write recovered it: a store that got none after the space was
   * freed kept every changed state unwritten and the ingest chain refusing. The timer recovers it
   * (the log after the last checkpoint replayed, then a checkpoint, SqliteCollectStore.recover):
   * the log stays the truth, so no state is lost or folded twice. While writes failed for a full
   * disk, a write that needs room is tried first (the writer's probe, 64 KB), so a disk still
   * full costs that each period, not a replay of the log.
   */
  private recoverSoon(): void {
    if (!this.db.open || this.recovering) return;
    this.recovering = (async () => {
      if (this.writer.diskFull) await this.writer.probe();
      await this.collect.recover();
    })().catch(() => undefined).finally(() => {
      this.recovering = undefined;
    });
  }

  onCommit(listener: (t: CommitTiming) => void): void {
    this.writer.onCommit(listener);
  }

  async migrate(): Promise<{ applied: string[] }> {
    return { applied: migrate(this.db) };
  }

  /**
   * The read connection answers, and so does the writer: an empty transaction through it. After a
   * failed flush the writer refuses every write until a restart while reads still work, and
   * GET /health, which orchestrators read, must then fail too. So must it while writes fail for a
   * full disk (it said `ok` until 2026-12-05): then the ping tries a write that needs room, and
   * passes once one commits.
   */
  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    await (this.writer.diskFull ? this.writer.probe() : this.writer.run([]));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.db.open) return this.lock?.release();
    await this.recovering;
    await this.collect.settled();
    // Only a store that changed states has a checkpoint to record: one opened beside the server
    // (`tact keys`) would record its opening's last event as checkpointed, past the states the
    // server holds only in memory, and a crash of the server would then skip replaying them.
    if (!this.collect.needsRecovery && this.collect.dirtyProfiles > 0) await this.collect.checkpoint().catch(() => undefined);
    await this.writer.close();
    await this.walCheckpointer?.close();
    // The server leaves an empty WAL behind. A store beside it does not force that copy: a
    // TRUNCATE waits (up to the busy timeout, 10 s) for a gap in the server's writes, and the
    // server's copier copies the frames anyway.
    if (this.lock) this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
    this.lock?.release();
  }
}

/**
 * Opens (creating and migrating when needed) the SQLite store; with `owner`, first takes the
 * folder's lock (refused with a DataDirInUseError while another server holds it).
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const lock = options.owner && options.path !== ':memory:' ? DataDirLock.take(options.path, options.owner) : undefined;
  try {
    const db = openMigrated(options.path, options.durability);
    return new SqliteStore(db, options, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}
