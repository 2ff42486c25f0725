import type pg from 'pg';
import type { LiveModel, ModelEvent, ModelStore, ModelVersion, ModelVersionSummary } from '../../models/registry/model-store.js';
import { inTransaction } from './database.js';

type SummaryRow = Omit<ModelVersionSummary, 'metrics'> & { metrics: string };
type EventRow = Omit<ModelEvent, 'comparison'> & { comparison: string | null };
const S_COLS = 'name, version, trained_at AS "trainedAt", data_from AS "dataFrom", data_to AS "dataTo", metrics, trained_by AS "trainedBy"';
const E_COLS = 'name, version, action, reason, actor, at, comparison, previous';
const toSummary = (r: SummaryRow): ModelVersionSummary => ({ ...r, metrics: JSON.parse(r.metrics) });
const EVENT = 'INSERT INTO model_events (name, version, action, reason, actor, at, comparison, previous) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
const eventRow = (e: ModelEvent) => [e.name, e.version, e.action, e.reason, e.actor, e.at, e.comparison === null || e.comparison === undefined ? null : JSON.stringify(e.comparison), e.previous];

/**
 * The model registry on PostgreSQL (version numbers taken under an advisory lock per model).
 *
 * @example
 * const s = new PostgresModelStore(pool); // the store's `models`
 */
export class PostgresModelStore implements ModelStore {
  constructor(private readonly pool: pg.Pool) {}

  async addVersion(v: Omit<ModelVersion, 'version'>): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`model:${v.name}`]);
      const r = await c.query<{ version: number }>(
        `INSERT INTO model_versions (name, version, trained_at, data_from, data_to, metrics, state, trained_by)
         SELECT $1::text, coalesce(max(version), 0) + 1, $2::bigint, $3::bigint, $4::bigint, $5::text, $6::text, $7::text FROM model_versions WHERE name = $1::text RETURNING version`,
        [v.name, v.trainedAt, v.dataFrom, v.dataTo, JSON.stringify(v.metrics), JSON.stringify(v.state), v.trainedBy],
      );
      return r.rows[0].version;
    });
  }

  async getVersion(name: string, version: number): Promise<ModelVersion | undefined> {
    const r = (await this.pool.query<SummaryRow & { state: string }>(`SELECT ${S_COLS}, state FROM model_versions WHERE name = $1 AND version = $2`, [name, version])).rows[0];
    return r ? { ...toSummary(r), state: JSON.parse(r.state) } : undefined;
  }

  async versions(name: string, limit: number): Promise<ModelVersionSummary[]> {
    return (await this.pool.query<SummaryRow>(`SELECT ${S_COLS} FROM model_versions WHERE name = $1 ORDER BY version DESC LIMIT $2`, [name, limit])).rows.map(toSummary);
  }

  async names(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>('SELECT DISTINCT name FROM model_versions ORDER BY name')).rows.map((r) => r.name);
  }

  async live(name: string): Promise<LiveModel | undefined> {
    return (await this.pool.query<LiveModel>('SELECT name, version, since FROM model_live WHERE name = $1', [name])).rows[0];
  }

  async setLive(name: string, version: number, event: ModelEvent): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('INSERT INTO model_live (name, version, since) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET version = excluded.version, since = excluded.since', [name, version, event.at]);
      await c.query(EVENT, eventRow(event));
    });
  }

  async recordEvent(event: ModelEvent): Promise<void> {
    await this.pool.query(EVENT, eventRow(event));
  }

  async events(name: string, limit: number): Promise<ModelEvent[]> {
    const rows = (await this.pool.query<EventRow>(`SELECT ${E_COLS} FROM model_events WHERE name = $1 ORDER BY id DESC LIMIT $2`, [name, limit])).rows;
    return rows.map((r) => ({ ...r, comparison: r.comparison === null ? null : JSON.parse(r.comparison) }));
  }
}
