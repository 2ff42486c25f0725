import type pg from 'pg';
import { ConfigurationMoved, type DocumentStore, type DocumentWrite, type Job, JobLeaseLost, onceEach, type PlannedJobs, type PutResult, staleVersion, type StoredDocument, type VersionInfo } from '../../config/document-store.js';
import { inTransaction } from './database.js';

type Row = { kind: string; version: number; body: string; author: string; reason: string; createdAt: number };
type JobRow = Omit<Job, 'progress'> & { progress: string };
const toDoc = <T>(r: Row): StoredDocument<T> => ({ ...r, body: JSON.parse(r.body) as T });
const toJob = (r: JobRow): Job => ({ ...r, progress: JSON.parse(r.progress) });
const COLS = 'kind, version, body, author, reason, created_at AS "createdAt"';
const META_COLS = 'kind, version, author, reason, created_at AS "createdAt", octet_length(body) AS bytes';
const JOB_COLS = 'id, kind, state, progress, created_at AS "createdAt", updated_at AS "updatedAt"';

/**
 * Saves a job with the given client (inside the caller's transaction). With `job.holder`, only
 * while that owner holds the job's lease, else throws {@link JobLeaseLost} — rolling back the
 * caller's transaction: a backfill's chunk commits with its progress or not at all.
 */
export async function saveJobWith(c: pg.PoolClient | pg.Pool, job: Job): Promise<void> {
  if (job.holder !== undefined) {
    const r = await c.query('UPDATE jobs SET state = $1, progress = $2, updated_at = $3 WHERE id = $4 AND lease_owner = $5', [job.state, JSON.stringify(job.progress), job.updatedAt, job.id, job.holder]);
    if (!r.rowCount) throw new JobLeaseLost(job.id, job.holder);
    return;
  }
  await c.query(
    `INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, progress = excluded.progress, updated_at = excluded.updated_at`,
    [job.id, job.kind, job.state, JSON.stringify(job.progress), job.createdAt, job.updatedAt],
  );
}

/** Versioned configuration documents and background jobs on PostgreSQL. */
export class PostgresDocumentStore implements DocumentStore {
  constructor(private readonly pool: pg.Pool) {}

  async latest<T>(kind: string): Promise<StoredDocument<T> | undefined> {
    const r = (await this.pool.query<Row>(`SELECT ${COLS} FROM documents WHERE kind = $1 ORDER BY version DESC LIMIT 1`, [kind])).rows[0];
    return r ? toDoc<T>(r) : undefined;
  }

  async get<T>(kind: string, version: number): Promise<StoredDocument<T> | undefined> {
    const r = (await this.pool.query<Row>(`SELECT ${COLS} FROM documents WHERE kind = $1 AND version = $2`, [kind, version])).rows[0];
    return r ? toDoc<T>(r) : undefined;
  }

  async history(kind: string, limit: number, before?: number): Promise<StoredDocument[]> {
    const q = before === undefined
      ? { sql: `SELECT ${COLS} FROM documents WHERE kind = $1 ORDER BY version DESC LIMIT $2`, args: [kind, limit] }
      : { sql: `SELECT ${COLS} FROM documents WHERE kind = $1 AND version < $2 ORDER BY version DESC LIMIT $3`, args: [kind, before, limit] };
    return (await this.pool.query<Row>(q.sql, q.args)).rows.map((r) => toDoc(r));
  }

  async versions(kind: string, limit: number, before?: number): Promise<VersionInfo[]> {
    const q = before === undefined
      ? { sql: `SELECT ${META_COLS} FROM documents WHERE kind = $1 ORDER BY version DESC LIMIT $2`, args: [kind, limit] }
      : { sql: `SELECT ${META_COLS} FROM documents WHERE kind = $1 AND version < $2 ORDER BY version DESC LIMIT $3`, args: [kind, before, limit] };
    return (await this.pool.query<VersionInfo>(q.sql, q.args)).rows;
  }

  async put<T>(kind: string, body: T, meta: { author: string; reason: string; expectedVersion?: number; jobs?: PlannedJobs }): Promise<PutResult<T>> {
    const [r] = await this.putAll([{ kind, body, expectedVersion: meta.expectedVersion, jobs: meta.jobs }], meta);
    return r as PutResult<T>;
  }

  async putAll(writes: readonly DocumentWrite[], meta: { author: string; reason: string; expectedEpoch?: number }): Promise<PutResult<unknown>[]> {
    onceEach(writes);
    return inTransaction(this.pool, async (c) => {
      // Taking the epoch row first waits for every batch in flight (they hold it FOR SHARE), and
      // for every other change: the kinds' locks below are taken one change at a time.
      const epoch = (await c.query<{ epoch: number }>('UPDATE config_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch')).rows[0].epoch;
      // The row is held from here: the epoch before this change is the one every change before it left.
      if (meta.expectedEpoch !== undefined && epoch - 1 !== meta.expectedEpoch) throw new ConfigurationMoved(epoch - 1, meta.expectedEpoch);
      const createdAt = Date.now();
      const docs = [];
      for (const w of writes) {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`doc:${w.kind}`]);
        const cur = (await c.query<{ version: number }>('SELECT version FROM documents WHERE kind = $1 ORDER BY version DESC LIMIT 1', [w.kind])).rows[0]?.version ?? 0;
        if (w.expectedVersion !== undefined && w.expectedVersion !== cur) throw staleVersion(w.kind, cur, w.expectedVersion);
        const doc = { kind: w.kind, version: cur + 1, body: w.body, author: meta.author, reason: meta.reason, createdAt };
        await c.query('INSERT INTO documents (kind, version, body, author, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [w.kind, doc.version, JSON.stringify(w.body), meta.author, meta.reason, createdAt]);
        docs.push(doc);
      }
      const eventSeq = (await c.query<{ n: number }>('SELECT coalesce(max(seq), 0)::bigint AS n FROM events')).rows[0].n;
      for (const [i, w] of writes.entries()) {
        for (const j of w.jobs?.({ version: docs[i].version, eventSeq }) ?? []) {
          await c.query('INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING', [j.id, j.kind, j.state, JSON.stringify(j.progress), j.createdAt, j.updatedAt]);
        }
      }
      return docs.map((doc) => ({ ...doc, epoch, eventSeq }));
    });
  }

  async epoch(): Promise<number> {
    return (await this.pool.query<{ epoch: number }>('SELECT epoch FROM config_epoch WHERE id = 1')).rows[0].epoch;
  }

  async saveJob(job: Job): Promise<boolean> {
    try {
      await saveJobWith(this.pool, job);
      return true;
    } catch (err) {
      if (err instanceof JobLeaseLost) return false;
      throw err;
    }
  }

  async getJob(id: string): Promise<Job | undefined> {
    const r = (await this.pool.query<JobRow>(`SELECT ${JOB_COLS} FROM jobs WHERE id = $1`, [id])).rows[0];
    return r ? toJob(r) : undefined;
  }

  async listJobs(kind: string): Promise<Job[]> {
    return (await this.pool.query<JobRow>(`SELECT ${JOB_COLS} FROM jobs WHERE kind = $1 ORDER BY created_at DESC`, [kind])).rows.map(toJob);
  }

  async createJob(job: Job): Promise<Job> {
    for (;;) {
      const created = await this.pool.query(
        'INSERT INTO jobs (id, kind, state, progress, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
        [job.id, job.kind, job.state, JSON.stringify(job.progress), job.createdAt, job.updatedAt],
      );
      if (created.rowCount === 1) return job;
      const held = await this.getJob(job.id);
      // Absent: deleted between the insert and this read; try again.
      if (held) return held;
    }
  }

  async deleteJob(id: string): Promise<void> {
    await this.pool.query('DELETE FROM jobs WHERE id = $1', [id]);
  }

  async leaseJob(id: string, owner: string, ms: number): Promise<boolean> {
    const now = Date.now();
    const r = await this.pool.query('UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND (lease_owner = $1 OR lease_until < $4)', [owner, now + ms, id, now]);
    return (r.rowCount ?? 0) > 0;
  }
}
