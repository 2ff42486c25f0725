import type pg from 'pg';
import type { LiveModel, ModelEvent, ModelStore, ModelVersion, ModelVersionSummary, TrainingLease } from '../../models/registry/model-store.js';
import { inTransaction } from './database.js';

type SummaryRow = Omit<ModelVersionSummary, 'metrics'> & { metrics: string };
type EventRow = Omit<ModelEvent, 'comparison'> & { comparison: string | null };
const S_COLS = 'name, version, trained_at AS "trainedAt", data_from AS "dataFrom", data_to AS "dataTo", metrics, trained_by AS "trainedBy"';
const E_COLS = 'name, version, action, reason, actor, at, comparison, previous';
const toSummary = (r: SummaryRow): ModelVersionSummary => ({ ...r, metrics: JSON.parse(r.metrics) });
const EVENT = 'INSERT INTO model_events (name, version, action, reason, actor, at, comparison, previous) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
const L_COLS = 'name, token, holder, actor, since, lease_until AS until';
const eventRow = (e: ModelEvent) => [e.name, e.version, e.action, e.reason, e.actor, e.at, e.comparison === null || e.comparison === undefined ? null : JSON.stringify(e.comparison), e.previous];

/**
 * The model registry on PostgreSQL (version numbers taken under an advisory lock per model; the
 * live version changed by compare-and-set; training leased per model in `model_training`).
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

  async setLive(name: string, version: number, event: ModelEvent): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      // A concurrent change of the row makes this wait for it, then find the version no longer `previous`.
      const set = event.previous === null
        ? await c.query('INSERT INTO model_live (name, version, since) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, version, event.at])
        : await c.query('UPDATE model_live SET version = $2, since = $3 WHERE name = $1 AND version = $4', [name, version, event.at, event.previous]);
      if (set.rowCount !== 1) return false;
      await c.query(EVENT, eventRow(event));
      return true;
    });
  }

  async recordEvent(event: ModelEvent): Promise<void> {
    await this.pool.query(EVENT, eventRow(event));
  }

  async events(name: string, limit: number): Promise<ModelEvent[]> {
    const rows = (await this.pool.query<EventRow>(`SELECT ${E_COLS} FROM model_events WHERE name = $1 ORDER BY id DESC LIMIT $2`, [name, limit])).rows;
    return rows.map((r) => ({ ...r, comparison: r.comparison === null ? null : JSON.parse(r.comparison) }));
  }

  async takeTraining(lease: TrainingLease): Promise<TrainingLease> {
    for (;;) {
      const taken = await this.pool.query(
        `INSERT INTO model_training (name, token, holder, actor, since, lease_until) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET token = excluded.token, holder = excluded.holder, actor = excluded.actor, since = excluded.since, lease_until = excluded.lease_until
         WHERE model_training.lease_until < excluded.since`,
        [lease.name, lease.token, lease.holder, lease.actor, lease.since, lease.until],
      );
      if (taken.rowCount === 1) return lease;
      const held = (await this.pool.query<TrainingLease>(`SELECT ${L_COLS} FROM model_training WHERE name = $1`, [lease.name])).rows[0];
      // Absent: its holder released it between the two statements; try again.
      if (held) return held;
    }
  }

  async renewTraining(name: string, token: string, until: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE model_training SET lease_until = $3 WHERE name = $1 AND token = $2', [name, token, until])).rowCount ?? 0) === 1;
  }

  async releaseTraining(name: string, token: string): Promise<void> {
    await this.pool.query('DELETE FROM model_training WHERE name = $1 AND token = $2', [name, token]);
  }
}
