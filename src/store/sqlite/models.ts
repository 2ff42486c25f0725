import type { LiveModel, ModelEvent, ModelStore, ModelVersion, ModelVersionSummary } from '../../models/registry/model-store.js';
import type { Db } from './database.js';
import type { SqliteWriter } from './writer.js';

type SummaryRow = Omit<ModelVersionSummary, 'metrics'> & { metrics: string };
type EventRow = Omit<ModelEvent, 'comparison'> & { comparison: string | null };
const S_COLS = 'name, version, trained_at AS trainedAt, data_from AS dataFrom, data_to AS dataTo, metrics, trained_by AS trainedBy';
const E_COLS = 'name, version, action, reason, actor, at, comparison, previous';
const toSummary = (r: SummaryRow): ModelVersionSummary => ({ ...r, metrics: JSON.parse(r.metrics) });
const EVENT = 'INSERT INTO model_events (name, version, action, reason, actor, at, comparison, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const eventRow = (e: ModelEvent) => [e.name, e.version, e.action, e.reason, e.actor, e.at, e.comparison === null || e.comparison === undefined ? null : JSON.stringify(e.comparison), e.previous];

/**
 * The model registry on SQLite. One process writes an embedded store, so a version number read
 * here and written through the writer is not taken by anyone else (the registry serialises its
 * own calls per model).
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
    };
  }

  async addVersion(v: Omit<ModelVersion, 'version'>): Promise<number> {
    const version = (this.s.max.get(v.name) as number) + 1;
    await this.writer.run([{
      sql: 'INSERT INTO model_versions (name, version, trained_at, data_from, data_to, metrics, state, trained_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      rows: [[v.name, version, v.trainedAt, v.dataFrom, v.dataTo, JSON.stringify(v.metrics), JSON.stringify(v.state), v.trainedBy]],
    }]);
    return version;
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

  async setLive(name: string, version: number, event: ModelEvent): Promise<void> {
    await this.writer.run([
      { sql: 'INSERT INTO model_live (name, version, since) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version, since = excluded.since', rows: [[name, version, event.at]] },
      { sql: EVENT, rows: [eventRow(event)] },
    ]);
  }

  async recordEvent(event: ModelEvent): Promise<void> {
    await this.writer.run([{ sql: EVENT, rows: [eventRow(event)] }]);
  }

  async events(name: string, limit: number): Promise<ModelEvent[]> {
    return (this.s.events.all(name, limit) as EventRow[]).map((r) => ({ ...r, comparison: r.comparison === null ? null : JSON.parse(r.comparison) }));
  }
}
