import { ConfigurationMoved, type DocumentStore, type DocumentWrite, type Job, onceEach, type PlannedJobs, type PutResult, staleVersion, type StoredDocument, type VersionInfo } from '../../config/document-store.js';
import type { Db } from './database.js';
import { jobOp } from './write-ops.js';
import type { SqliteWriter } from './writer.js';

type Row = { kind: string; version: number; body: string; author: string; reason: string; createdAt: number };
type JobRow = Omit<Job, 'progress'> & { progress: string };
const toDoc = <T>(r: Row): StoredDocument<T> => ({ ...r, body: JSON.parse(r.body) as T });
const toJob = (r: JobRow): Job => ({ ...r, progress: JSON.parse(r.progress) });
const COLS = 'kind, version, body, author, reason, created_at AS createdAt';
const META_COLS = 'kind, version, author, reason, created_at AS createdAt, octet_length(body) AS bytes';
const JOB_COLS = 'id, kind, state, progress, created_at AS createdAt, updated_at AS updatedAt';
const LEASE = 'UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id = ? AND (lease_owner = ? OR lease_until < ?)';
const CREATE_JOB = 'INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING';
const DELETE_JOB = 'DELETE FROM jobs WHERE id = ?';
const SAVE_HELD_JOB = 'UPDATE jobs SET state = ?, progress = ?, updated_at = ? WHERE id = ? AND lease_owner = ?';

/**
 * Versioned configuration documents and background jobs on SQLite. `sole`: no other process runs
 * jobs on this database — it is in memory, or this process holds the folder's lock as its server
 * (data-dir-lock.ts).
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly s;
  constructor(private readonly db: Db, private readonly writer?: SqliteWriter, private readonly o: { sole?: boolean } = {}) {
    this.s = {
      latest: db.prepare(`SELECT ${COLS} FROM documents WHERE kind = ? ORDER BY version DESC LIMIT 1`),
      get: db.prepare(`SELECT ${COLS} FROM documents WHERE kind = ? AND version = ?`),
      history: db.prepare(`SELECT ${COLS} FROM documents WHERE kind = ? ORDER BY version DESC LIMIT ?`),
      historyBefore: db.prepare(`SELECT ${COLS} FROM documents WHERE kind = ? AND version < ? ORDER BY version DESC LIMIT ?`),
      versions: db.prepare(`SELECT ${META_COLS} FROM documents WHERE kind = ? ORDER BY version DESC LIMIT ?`),
      versionsBefore: db.prepare(`SELECT ${META_COLS} FROM documents WHERE kind = ? AND version < ? ORDER BY version DESC LIMIT ?`),
      insert: db.prepare('INSERT INTO documents (kind, version, body, author, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      bumpEpoch: db.prepare('UPDATE config_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch').pluck(),
      epoch: db.prepare('SELECT epoch FROM config_epoch WHERE id = 1').pluck(),
      maxSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
      saveJob: db.prepare(`INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, progress = excluded.progress, updated_at = excluded.updated_at`),
      getJob: db.prepare(`SELECT ${JOB_COLS} FROM jobs WHERE id = ?`),
      createJob: db.prepare(CREATE_JOB),
      deleteJob: db.prepare(DELETE_JOB),
      saveHeldJob: db.prepare(SAVE_HELD_JOB),
      listJobs: db.prepare(`SELECT ${JOB_COLS} FROM jobs WHERE kind = ? ORDER BY created_at DESC`),
      lease: db.prepare(LEASE),
      leaseOwner: db.prepare('SELECT lease_owner FROM jobs WHERE id = ?').pluck(),
    };
  }

  async latest<T>(kind: string): Promise<StoredDocument<T> | undefined> {
    const r = this.s.latest.get(kind) as Row | undefined;
    return r ? toDoc<T>(r) : undefined;
  }

  async get<T>(kind: string, version: number): Promise<StoredDocument<T> | undefined> {
    const r = this.s.get.get(kind, version) as Row | undefined;
    return r ? toDoc<T>(r) : undefined;
  }

  async history(kind: string, limit: number, before?: number): Promise<StoredDocument[]> {
    const rows = before === undefined ? this.s.history.all(kind, limit) : this.s.historyBefore.all(kind, before, limit);
    return (rows as Row[]).map((r) => toDoc(r));
  }

  async versions(kind: string, limit: number, before?: number): Promise<VersionInfo[]> {
    return (before === undefined ? this.s.versions.all(kind, limit) : this.s.versionsBefore.all(kind, before, limit)) as VersionInfo[];
  }

  async put<T>(kind: string, body: T, meta: { author: string; reason: string; expectedVersion?: number; jobs?: PlannedJobs }): Promise<PutResult<T>> {
    const [r] = await this.putAll([{ kind, body, expectedVersion: meta.expectedVersion, jobs: meta.jobs }], meta);
    return r as PutResult<T>;
  }

  async putAll(writes: readonly DocumentWrite[], meta: { author: string; reason: string; expectedEpoch?: number }): Promise<PutResult<unknown>[]> {
    onceEach(writes);
    const run = this.db.transaction((): PutResult<unknown>[] => {
      if (meta.expectedEpoch !== undefined) {
        const now = this.s.epoch.get() as number;
        if (now !== meta.expectedEpoch) throw new ConfigurationMoved(now, meta.expectedEpoch);
      }
      const createdAt = Date.now();
      const docs = writes.map((w) => {
        const current = (this.s.latest.get(w.kind) as Row | undefined)?.version ?? 0;
        if (w.expectedVersion !== undefined && w.expectedVersion !== current) throw staleVersion(w.kind, current, w.expectedVersion);
        const doc = { kind: w.kind, version: current + 1, body: w.body, author: meta.author, reason: meta.reason, createdAt };
        this.s.insert.run(w.kind, doc.version, JSON.stringify(w.body), meta.author, meta.reason, createdAt);
        return doc;
      });
      const epoch = this.s.bumpEpoch.get() as number;
      const eventSeq = this.s.maxSeq.get() as number;
      writes.forEach((w, i) => {
        for (const j of w.jobs?.({ version: docs[i].version, eventSeq }) ?? []) this.s.createJob.run(j.id, j.kind, j.state, JSON.stringify(j.progress), j.createdAt, j.updatedAt);
      });
      return docs.map((doc) => ({ ...doc, epoch, eventSeq }));
    });
    return run.immediate();
  }

  async epoch(): Promise<number> {
    return this.s.epoch.get() as number;
  }

  /**
   * With `job.holder`: a compare-and-set on the lease's owner, as on PostgreSQL. The writer
   * answers no result, so the owner is read back once committed — the owner named then was the
   * owner at the write (only this process takes a lease for `holder`).
   */
  async saveJob(job: Job): Promise<boolean> {
    const progress = JSON.stringify(job.progress);
    if (job.holder !== undefined) {
      const row = [job.state, progress, job.updatedAt, job.id, job.holder];
      if (!this.writer) return this.s.saveHeldJob.run(...row).changes > 0;
      await this.writer.run([{ sql: SAVE_HELD_JOB, rows: [row] }]);
      return this.s.leaseOwner.get(job.id) === job.holder;
    }
    // Through the writer thread when there is one: never wait here for its write lock.
    if (this.writer) await this.writer.run([jobOp(job)]);
    else this.s.saveJob.run(job.id, job.kind, job.state, progress, job.createdAt, job.updatedAt);
    return true;
  }

  async getJob(id: string): Promise<Job | undefined> {
    const r = this.s.getJob.get(id) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  async listJobs(kind: string): Promise<Job[]> {
    return (this.s.listJobs.all(kind) as JobRow[]).map(toJob);
  }

  async createJob(job: Job): Promise<Job> {
    const row = [job.id, job.kind, job.state, JSON.stringify(job.progress), job.createdAt, job.updatedAt];
    for (;;) {
      if (this.writer) await this.writer.run([{ sql: CREATE_JOB, rows: [row] }]);
      else this.s.createJob.run(...row);
      const held = await this.getJob(job.id);
      // Absent: deleted between the write and this read; try again.
      if (held) return held;
    }
  }

  async deleteJob(id: string): Promise<void> {
    if (this.writer) await this.writer.run([{ sql: DELETE_JOB, rows: [[id]] }]);
    else this.s.deleteJob.run(id);
  }

  /**
   * The server holding the folder's lock is the only process that runs jobs on the file (the
   * other openers — `tact train`, `tact keys` — run none), so its lease is recorded for operators
   * to see and taken whoever the row names: that can only be a server that has stopped, and
   * waiting out its lease would hold consumers and the schedule back after every restart. Any
   * other store (several opened on one file, as tests do) takes it by compare-and-set, as on
   * PostgreSQL: the writer answers no result, so the row is read back once committed.
   */
  async leaseJob(id: string, owner: string, ms: number): Promise<boolean> {
    const now = Date.now();
    const until = now + ms;
    if (!this.writer) return this.s.lease.run(owner, until, id, owner, now).changes > 0;
    if (this.o.sole) {
      await this.writer.run([{ sql: 'UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE id = ?', rows: [[owner, until, id]] }]);
      return true;
    }
    await this.writer.run([{ sql: LEASE, rows: [[owner, until, id, owner, now]] }]);
    return this.s.leaseOwner.get(id) === owner;
  }
}
