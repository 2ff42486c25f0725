import { TactError } from '../errors/tact-error.js';

/**
 * Versioned documents: operator-owned configuration (features, merge rules, tracking plan,
 * lifecycle stages …, later catalog and policies). Every change is a new version with its author
 * and reason; nothing is overwritten.
 */
export interface StoredDocument<T = unknown> {
  kind: string;
  version: number;
  body: T;
  author: string;
  reason: string;
  createdAt: number;
}

/** A stored version without its document (DocumentStore.versions), and the document's size. */
export type VersionInfo = Omit<StoredDocument, 'body'> & {
  /** UTF-8 bytes of the document as stored (its JSON): what reading it back costs. */
  bytes: number;
};

/** What a committed document change also reports. */
export interface PutResult<T> extends StoredDocument<T> {
  /** The configuration epoch after this change: every process reloads when it sees a newer one. */
  epoch: number;
  /**
   * The highest event sequence number at the moment of the change. No ingestion ran during the
   * change, so events up to it were processed under the old configuration and later ones under
   * the new — the exact cut a feature backfill needs.
   */
  eventSeq: number;
}

/** A long-running background job (feature backfill), resumable from its progress. */
export interface Job {
  id: string;
  kind: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /**
   * Not stored: the lease owner ({@link DocumentStore.leaseJob}) a save is made for. Given, the save
   * applies only while the job's lease names it — a process that stalled past its lease, which
   * another took meanwhile, must not write its older progress (or its state) over the newer one.
   */
  holder?: string;
}

/**
 * A save made for a lease holder that no longer holds the job's lease: nothing of it was written
 * (a profile mutation saving the job with it is rolled back). The process holding the lease goes on.
 */
export class JobLeaseLost extends TactError {
  constructor(readonly jobId: string, holder: string) {
    super('conflict', { detail: `The lease of job ${jobId} is no longer held by ${holder}: another process took it, and the progress it stored stands.` });
  }
}

/** The jobs a document change brings, given the version it got and its cut (PutResult.eventSeq); called inside the change's transaction. */
export type PlannedJobs = (change: { version: number; eventSeq: number }) => Job[];

/**
 * The conflict of a change made against a version no longer in force: the message both stores give.
 *
 * @example
 * staleVersion('lifecycle', 4, 3).message; // 'The lifecycle document is at version 4, not 3; reload it and apply your change again.'
 */
export function staleVersion(kind: string, current: number, expected: number): TactError {
  return new TactError('conflict', { detail: `The ${kind} document is at version ${current}, not ${expected}; reload it and apply your change again.` });
}

/**
 * A change checked against a configuration that another change replaced before it was written
 * (DocumentWrite's checks read the other kinds: a lifecycle rule checked against the features in
 * force, which a change committed meanwhile removed). Nothing of it was written; checked again
 * against the configuration now in force, it may pass or be refused.
 */
export class ConfigurationMoved extends TactError {
  constructor(readonly epoch: number, readonly expected: number) {
    super('conflict', { detail: `The configuration changed while this change was checked against it (epoch ${epoch}, not ${expected}); nothing of it was written: send it again to have it checked against the configuration now in force.` });
  }
}

/** Refuses a change naming one kind twice (a caller's mistake: the API's body cannot). */
export function onceEach(writes: readonly DocumentWrite[]): void {
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.kind)) throw new Error(`A change names the kind ${w.kind} twice.`);
    seen.add(w.kind);
  }
}

/** One kind's new version in a change of several (DocumentStore.putAll). */
export interface DocumentWrite {
  kind: string;
  body: unknown;
  /** The version in force this change was made against: another one refuses the whole change (a conflict). */
  expectedVersion?: number;
  jobs?: PlannedJobs;
}

export interface DocumentStore {
  latest<T = unknown>(kind: string): Promise<StoredDocument<T> | undefined>;
  /**
   * A kind's versions, newest first, at most `limit`; with `before`, only those older than that
   * version (the next page of a history whose last version answered was `before`).
   *
   * @example
   * await docs.history('lifecycle', 50, 51); // versions 50 down to 1
   */
  history(kind: string, limit: number, before?: number): Promise<StoredDocument[]>;
  /**
   * The same versions as `history`, without their documents: each one's number, author, reason and
   * time, none of the bodies read (a recommendations catalog of 20,000 items is ≈ 1.5 MB a version).
   *
   * @example
   * await docs.versions('catalog', 50); // [{ kind: 'catalog', version: 12, author: 'ana', reason: '…', createdAt: … }, …]
   */
  versions(kind: string, limit: number, before?: number): Promise<VersionInfo[]>;
  get<T = unknown>(kind: string, version: number): Promise<StoredDocument<T> | undefined>;
  /**
   * Appends a version and bumps the epoch; `expectedVersion` (when given) must be the current latest,
   * else a conflict is thrown. `jobs` (when given) names jobs the change brings, given its version and
   * cut: each is created (unless one with its id exists) in the same transaction, so a crash never
   * leaves the version stored without them (a feature's backfill).
   */
  put<T>(kind: string, body: T, meta: { author: string; reason: string; expectedVersion?: number; jobs?: PlannedJobs }): Promise<PutResult<T>>;
  /**
   * Appends a version of each kind in one transaction, with one author and reason, and bumps the
   * epoch once: every process reads all of them in force or none (a lifecycle rule moved to a
   * renamed feature, and the old feature removed). Any kind's `expectedVersion` not the version in
   * force is a conflict that writes nothing. The results are in the order of `writes`, each with
   * the same epoch and cut; a kind may appear once. With `expectedEpoch` — the epoch the change
   * was checked at — a change committed since (of any kind) refuses it with ConfigurationMoved,
   * writing nothing: its checks read kinds it does not write.
   *
   * @example
   * await docs.putAll([{ kind: 'features', body: features }, { kind: 'lifecycle', body: lifecycle, expectedVersion: 3 }], { author: 'ana', reason: 'orders renamed purchases' });
   */
  putAll(writes: readonly DocumentWrite[], meta: { author: string; reason: string; expectedEpoch?: number }): Promise<PutResult<unknown>[]>;
  /** The current configuration epoch. */
  epoch(): Promise<number>;
  /**
   * Creates or replaces a job — with `job.holder`, only replaces it, and only while that owner
   * holds its lease: false when it does not (nothing was written), else true.
   */
  saveJob(job: Job): Promise<boolean>;
  getJob(id: string): Promise<Job | undefined>;
  /**
   * Saves `job` unless one with its id exists — of processes creating one job at once, exactly one
   * does — and returns the job stored under that id: `job` itself when this call created it.
   */
  createJob(job: Job): Promise<Job>;
  /** Forgets a job (nothing when there is none). */
  deleteJob(id: string): Promise<void>;
  listJobs(kind: string): Promise<Job[]>;
  /** Takes the job's lease for `ms` unless another process holds it; true when taken. */
  leaseJob(id: string, owner: string, ms: number): Promise<boolean>;
}
