import type { LiveModel, ModelEvent, ModelStore, ModelVersion, ModelVersionSummary, TrainingLease } from '../../models/registry/model-store.js';
import type { Db } from './database.js';
import type { SqliteWriter } from './writer.js';

type SummaryRow = Omit<ModelVersionSummary, 'metrics'> & { metrics: string };
type EventRow = Omit<ModelEvent, 'comparison'> & { comparison: string | null };
const S_COLS = 'name, version, trained_at AS trainedAt, data_from AS dataFrom, data_to AS dataTo, metrics, trained_by AS trainedBy';
const E_COLS = 'name, version, action, reason, actor, at, comparison, previous';
const toSummary = (r: SummaryRow): ModelVersionSummary => ({ ...r, metrics: JSON.parse(r.metrics) });
const EVENT = 'INSERT INTO model_events (name, version, action, reason, actor, at, comparison, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const L_COLS = 'name, token, holder, actor, since, lease_until AS until';
const EVENT_IF_SET = `INSERT INTO model_events (name, version, action, reason, actor, at, comparison, previous) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1`;
const eventRow = (e: ModelEvent) => [e.name, e.version, e.action, e.reason, e.actor, e.at, e.comparison === null || e.comparison === undefined ? null : JSON.stringify(e.comparison), e.previous];

/**
 * The model registry on SQLite. Writes go through the writer, which answers no result: a
 * conditional write (the live version's compare-and-set, a training lease) is read back on this
 * connection once committed, which also sees what `tact train` wrote from another process. A
 * version number read here and taken meanwhile by another writer (a process whose training
 * lease lapsed) fails on the key and is read again.
 *
 * @example
 * const s = new SqliteModelStore(db, writer); // the store's `models`
 */
export class SqliteModelStore implements ModelStore {
  private readonly s;
  constructor(db: Db, private readonly writer: SqliteWriter) {
    this.s = {
      max: db.prepare('SELECT coalesce(max(version), 0) FROM model_versions WHERE name = ?').pluck(),
      get: db.prepare(`SELECT ${S_COLS}, state FROM model_versions WHERE name = ? AND version = ?`),
      versions: db.prepare(`SELECT ${S_COLS} FROM model_versions WHERE name = ? ORDER BY version DESC LIMIT ?`),
      names: db.prepare('SELECT DISTINCT name FROM model_versions ORDER BY name').pluck(),
      live: db.prepare('SELECT name, version, since FROM model_live WHERE name = ?'),
      events: db.prepare(`SELECT ${E_COLS} FROM model_events WHERE name = ? ORDER BY id DESC LIMIT ?`),
      recorded: db.prepare('SELECT 1 FROM model_events WHERE name = ? AND version IS ? AND action = ? AND reason = ? AND actor = ? AND at = ? AND previous IS ?').pluck(),
      lease: db.prepare(`SELECT ${L_COLS} FROM model_training WHERE name = ?`),
    };
  }

  async addVersion(v: Omit<ModelVersion, 'version'>): Promise<number> {
    // The number read here may be taken meanwhile (another process, or another call, wrote it):
    // the insert then fails on the key, and the next number read is tried; each round stores one.
    for (;;) {
      const version = (this.s.max.get(v.name) as number) + 1;
      try {
        await this.writer.run([{
          sql: 'INSERT INTO model_versions (name, version, trained_at, data_from, data_to, metrics, state, trained_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          rows: [[v.name, version, v.trainedAt, v.dataFrom, v.dataTo, JSON.stringify(v.metrics), JSON.stringify(v.state), v.trainedBy]],
        }]);
        return version;
      } catch (err) {
        if (!/UNIQUE constraint failed: model_versions\./.test((err as Error).message)) throw err;
      }
    }
  }

  async getVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    const r = this.s.get.get(name, version) as (SummaryRow & { state: string }) | undefined;
    return r ? { ...toSummary(r), state: JSON.parse(r.state) } : undefined;
  }

  async versions(name: string, limit: number): Promise<ModelVersionSummary[]> {
    return (this.s.versions.all(name, limit) as SummaryRow[]).map(toSummary);
  }

  async names(): Promise<string[]> {
    return this.s.names.all() as string[];
  }

  async live(name: string): Promise<LiveModel | undefined> {
    return this.s.live.get(name) as LiveModel | undefined;
  }

  async setLive(name: string, version: number, event: ModelEvent): Promise<boolean> {
    // The event is written only when the compare-and-set changed the row (changes() = 1); finding it is the answer.
    const set = event.previous === null
      ? { sql: 'INSERT INTO model_live (name, version, since) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', rows: [[name, version, event.at]] }
      : { sql: 'UPDATE model_live SET version = ?, since = ? WHERE name = ? AND version = ?', rows: [[version, event.at, name, event.previous]] };
    await this.writer.run([set, { sql: EVENT_IF_SET, rows: [eventRow(event)] }]);
    return this.s.recorded.get(event.name, event.version, event.action, event.reason, event.actor, event.at, event.previous) !== undefined;
  }

  async recordEvent(event: ModelEvent): Promise<void> {
    await this.writer.run([{ sql: EVENT, rows: [eventRow(event)] }]);
  }

  async events(name: string, limit: number): Promise<ModelEvent[]> {
    return (this.s.events.all(name, limit) as EventRow[]).map((r) => ({ ...r, comparison: r.comparison === null ? null : JSON.parse(r.comparison) }));
  }

  async takeTraining(lease: TrainingLease): Promise<TrainingLease> {
    for (;;) {
      await this.writer.run([{
        sql: `INSERT INTO model_training (name, token, holder, actor, since, lease_until) VALUES (?, ?, ?, ?, ?, ?)
              ON CONFLICT (name) DO UPDATE SET token = excluded.token, holder = excluded.holder, actor = excluded.actor, since = excluded.since, lease_until = excluded.lease_until
              WHERE model_training.lease_until < excluded.since`,
        rows: [[lease.name, lease.token, lease.holder, lease.actor, lease.since, lease.until]],
      }]);
      const held = this.s.lease.get(lease.name) as TrainingLease | undefined;
      // Absent: its holder released it between the write and this read; try again.
      if (held) return held;
    }
  }

  async renewTraining(name: string, token: string, until: number): Promise<boolean> {
    await this.writer.run([{ sql: 'UPDATE model_training SET lease_until = ? WHERE name = ? AND token = ?', rows: [[until, name, token]] }]);
    return (this.s.lease.get(name) as TrainingLease | undefined)?.token === token;
  }

  async releaseTraining(name: string, token: string): Promise<void> {
    await this.writer.run([{ sql: 'DELETE FROM model_training WHERE name = ? AND token = ?', rows: [[name, token]] }]);
  }
}
