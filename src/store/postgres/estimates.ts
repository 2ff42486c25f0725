import type pg from 'pg';
import type { AnomalyRecord, CalibrationPoint, EstimateKey, EstimateStore, EstimateWrites, StoredEstimate } from '../../models/estimates/estimate-store.js';
import { decodeEstimate, encodeEstimate } from '../../models/estimates/estimate-json.js';
import { inTransaction } from './database.js';

type Row = { subjectId: string; model: string; key: string; estimate: string | null; state: string; modelVersion: string; seq: number; updatedAt: number };
const COLS = 'subject_id AS "subjectId", model, key, estimate, state, model_version AS "modelVersion", seq, updated_at AS "updatedAt"';
const A_COLS = 'subject_id AS "subjectId", metric, seq, at, value, low, high, level, model_version AS "modelVersion", recorded_at AS "recordedAt"';
const P_COLS = 'model, key, subject_id AS "subjectId", seq, at, alpha, beta, deadline, outcome, model_version AS "modelVersion", recorded_at AS "recordedAt", inputs';
const toPoint = (r: CalibrationPoint & { inputs: string | null }): CalibrationPoint => ({ ...r, inputs: r.inputs ? (JSON.parse(r.inputs) as CalibrationPoint['inputs']) : null });
const toEstimate = (r: Row): StoredEstimate => ({ ...r, estimate: decodeEstimate(r.estimate), state: JSON.parse(r.state) });
const toAnomaly = (r: AnomalyRecord & { low: number | null; high: number | null }): AnomalyRecord => ({ ...r, low: r.low ?? -Infinity, high: r.high ?? Infinity });
const num = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * Estimates, anomalies and calibration points on PostgreSQL.
 *
 * @example
 * const s = new PostgresEstimateStore(pool); // the store's `estimates`
 */
export class PostgresEstimateStore implements EstimateStore {
  constructor(private readonly pool: pg.Pool) {}

  async forSubject(subjectId: string): Promise<StoredEstimate[]> {
    return (await this.pool.query<Row>(`SELECT ${COLS} FROM estimates WHERE subject_id = $1 ORDER BY model, key`, [subjectId])).rows.map(toEstimate);
  }

  async getMany(keys: EstimateKey[]): Promise<StoredEstimate[]> {
    if (!keys.length) return [];
    const r = await this.pool.query<Row>(
      `SELECT ${COLS} FROM estimates WHERE (subject_id, model, key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`,
      [keys.map((k) => k.subjectId), keys.map((k) => k.model), keys.map((k) => k.key)],
    );
    return r.rows.map(toEstimate);
  }

  async write(w: EstimateWrites): Promise<void> {
    if (!w.estimates?.length && !w.anomalies?.length && !w.points?.length && !w.outcomes?.length) return;
    await inTransaction(this.pool, async (c) => {
      // A row never goes back to an older seq (a stalled consumer's rows over newer ones; see sqlite/estimates.ts).
      for (const e of w.estimates ?? []) {
        await c.query(
          `INSERT INTO estimates (subject_id, model, key, estimate, state, model_version, seq, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (subject_id, model, key) DO UPDATE SET estimate = excluded.estimate, state = excluded.state,
           model_version = excluded.model_version, seq = excluded.seq, updated_at = excluded.updated_at
           WHERE excluded.seq >= estimates.seq`,
          [e.subjectId, e.model, e.key, encodeEstimate(e.estimate), JSON.stringify(e.state), e.modelVersion, e.seq, e.updatedAt],
        );
      }
      for (const a of w.anomalies ?? []) {
        await c.query(
          `INSERT INTO anomalies (subject_id, metric, seq, at, value, low, high, level, model_version, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [a.subjectId, a.metric, a.seq, a.at, a.value, num(a.low), num(a.high), a.level, a.modelVersion, a.recordedAt],
        );
      }
      for (const p of w.points ?? []) {
        await c.query(
          `INSERT INTO calibration_points (model, key, subject_id, seq, at, alpha, beta, deadline, outcome, model_version, recorded_at, inputs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
          [p.model, p.key, p.subjectId, p.seq, p.at, p.alpha, p.beta, p.deadline, p.outcome, p.modelVersion, p.recordedAt ?? null, p.inputs ? JSON.stringify(p.inputs) : null],
        );
      }
      for (const o of w.outcomes ?? []) {
        await c.query('UPDATE calibration_points SET outcome = $1 WHERE model = $2 AND key = $3 AND subject_id = $4 AND seq = $5', [o.outcome, o.model, o.key, o.subjectId, o.seq]);
      }
    });
  }

  async replace(e: StoredEstimate, was: number | null): Promise<boolean> {
    const row = [e.subjectId, e.model, e.key, encodeEstimate(e.estimate), JSON.stringify(e.state), e.modelVersion, e.seq, e.updatedAt];
    const r = was === null
      ? await this.pool.query(`INSERT INTO estimates (subject_id, model, key, estimate, state, model_version, seq, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
          ON CONFLICT (subject_id, model, key) DO NOTHING`, row)
      : await this.pool.query(`UPDATE estimates SET estimate = $4, state = $5, model_version = $6, seq = $7, updated_at = $8
          WHERE subject_id = $1 AND model = $2 AND key = $3 AND seq = $9`, [...row, was]);
    return (r.rowCount ?? 0) > 0;
  }

  async scan(model: string, key: string | undefined, afterSubject: string, limit: number): Promise<StoredEstimate[]> {
    const r = key === undefined
      ? await this.pool.query<Row>(`SELECT ${COLS} FROM estimates WHERE model = $1 AND subject_id > $2 ORDER BY key, subject_id LIMIT $3`, [model, afterSubject, limit])
      : await this.pool.query<Row>(`SELECT ${COLS} FROM estimates WHERE model = $1 AND key = $2 AND subject_id > $3 ORDER BY subject_id LIMIT $4`, [model, key, afterSubject, limit]);
    return r.rows.map(toEstimate);
  }

  async anomalies(q: { subjectId?: string; metric?: string; limit: number }): Promise<AnomalyRecord[]> {
    const r = await this.pool.query<AnomalyRecord & { low: number | null; high: number | null }>(
      `SELECT ${A_COLS} FROM anomalies WHERE ($1::text IS NULL OR subject_id = $1) AND ($2::text IS NULL OR metric = $2) ORDER BY at DESC, seq DESC LIMIT $3`,
      [q.subjectId ?? null, q.metric ?? null, q.limit],
    );
    return r.rows.map(toAnomaly);
  }

  async points(model: string, key: string | undefined, limit: number, o: { closedBy?: number } = {}): Promise<CalibrationPoint[]> {
    return (await this.pool.query<CalibrationPoint & { inputs: string | null }>(
      `SELECT ${P_COLS} FROM calibration_points WHERE model = $1 AND ($2::text IS NULL OR key = $2) AND deadline <= $3 ORDER BY at DESC, seq DESC LIMIT $4`,
      [model, key ?? null, o.closedBy ?? Number.MAX_SAFE_INTEGER, limit],
    )).rows.map(toPoint);
  }

  async openPoints(model: string, key: string | undefined, now: number): Promise<number> {
    const r = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM calibration_points WHERE model = $1 AND ($2::text IS NULL OR key = $2) AND deadline > $3', [model, key ?? null, now]);
    return Number(r.rows[0].n);
  }

  async heldOutPoints(model: string, key: string, recordedAfter: number, limit: number): Promise<CalibrationPoint[]> {
    return (await this.pool.query<CalibrationPoint & { inputs: string | null }>(
      `SELECT ${P_COLS} FROM calibration_points WHERE model = $1 AND key = $2 AND recorded_at > $3 AND inputs IS NOT NULL ORDER BY recorded_at, seq LIMIT $4`,
      [model, key, recordedAfter, limit],
    )).rows.map(toPoint);
  }

  async eraseSubject(subjectId: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM estimates WHERE subject_id = $1', [subjectId]);
      await c.query('DELETE FROM anomalies WHERE subject_id = $1', [subjectId]);
      await c.query('DELETE FROM calibration_points WHERE subject_id = $1', [subjectId]);
    });
  }
}
