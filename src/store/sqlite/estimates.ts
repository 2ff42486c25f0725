import type { AnomalyRecord, CalibrationPoint, EstimateKey, EstimateStore, EstimateWrites, StoredEstimate } from '../../models/estimates/estimate-store.js';
import { decodeEstimate, encodeEstimate } from '../../models/estimates/estimate-json.js';
import { timeSlicer } from '../../models/train/time-slice.js';
import type { Db } from './database.js';
import type { SqliteWriter, WriteOp } from './writer.js';

type Row = { subjectId: string; model: string; key: string; estimate: string | null; state: string; modelVersion: string; seq: number; updatedAt: number };
const COLS = 'subject_id AS subjectId, model, key, estimate, state, model_version AS modelVersion, seq, updated_at AS updatedAt';
const A_COLS = 'subject_id AS subjectId, metric, seq, at, value, low, high, level, model_version AS modelVersion, recorded_at AS recordedAt';
const P_COLS = 'model, key, subject_id AS subjectId, seq, at, alpha, beta, deadline, outcome, model_version AS modelVersion, recorded_at AS recordedAt, inputs';
type PointRow = CalibrationPoint & { inputs: string | null };
const toPoint = (r: PointRow): CalibrationPoint => ({ ...r, inputs: r.inputs ? (JSON.parse(r.inputs) as CalibrationPoint['inputs']) : null });
/**
 * Calibration points read per page by `points` and `heldOutPoints`, with a turn of the event loop
 * between pages (and between rows parsed) once a time slice has run out: a rate's 24,000–50,000
 * points read at once held the server's thread 135–700 ms (QA 2026-12-06); the read of a page is
 * ≈ 3–20 ms.
 */
const POINT_PAGE = 500;
const toEstimate = (r: Row): StoredEstimate => ({ ...r, estimate: decodeEstimate(r.estimate), state: JSON.parse(r.state) });
const toAnomaly = (r: AnomalyRecord & { low: number | null; high: number | null }): AnomalyRecord => ({ ...r, low: r.low ?? -Infinity, high: r.high ?? Infinity });
const num = (x: number) => (Number.isFinite(x) ? x : null);

const SQL = {
  // A row never goes back to an older seq: a consumer that stalled between reading rows and writing
  // them (past its lease) would otherwise write over the newer rows of the process that took over,
  // and the events between are lost from them for good. The same seq applies (a replayed chunk).
  upsert: `INSERT INTO estimates (subject_id, model, key, estimate, state, model_version, seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (subject_id, model, key) DO UPDATE SET estimate = excluded.estimate, state = excluded.state,
    model_version = excluded.model_version, seq = excluded.seq, updated_at = excluded.updated_at
    WHERE excluded.seq >= estimates.seq`,
  anomaly: `INSERT INTO anomalies (subject_id, metric, seq, at, value, low, high, level, model_version, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`,
  point: `INSERT INTO calibration_points (model, key, subject_id, seq, at, alpha, beta, deadline, outcome, model_version, recorded_at, inputs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`,
  // The compare-and-set of `replace`, refused by a constraint (the writer answers no row counts):
  // a row already there fails the key; one at another seq than `was`, or none, a NULL seq.
  create: 'INSERT INTO estimates (subject_id, model, key, estimate, state, model_version, seq, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  replace: `INSERT INTO estimates (subject_id, model, key, estimate, state, model_version, seq, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, (SELECT ? FROM estimates WHERE subject_id = ? AND model = ? AND key = ? AND seq = ?), ?)
    ON CONFLICT (subject_id, model, key) DO UPDATE SET estimate = excluded.estimate, state = excluded.state,
    model_version = excluded.model_version, seq = excluded.seq, updated_at = excluded.updated_at`,
  outcome: 'UPDATE calibration_points SET outcome = ? WHERE model = ? AND key = ? AND subject_id = ? AND seq = ?',
};

/**
 * Estimates, anomalies and calibration points on SQLite: reads on this connection, writes through the writer thread.
 *
 * @example
 * const s = new SqliteEstimateStore(db, writer); // the store's `estimates`
 */
export class SqliteEstimateStore implements EstimateStore {
  private readonly s;
  constructor(db: Db, private readonly writer: SqliteWriter) {
    this.s = {
      forSubject: db.prepare(`SELECT ${COLS} FROM estimates WHERE subject_id = ? ORDER BY model, key`),
      get: db.prepare(`SELECT ${COLS} FROM estimates WHERE subject_id = ? AND model = ? AND key = ?`),
      scan: db.prepare(`SELECT ${COLS} FROM estimates WHERE model = ? AND subject_id > ? ORDER BY key, subject_id LIMIT ?`),
      scanKey: db.prepare(`SELECT ${COLS} FROM estimates WHERE model = ? AND key = ? AND subject_id > ? ORDER BY subject_id LIMIT ?`),
      anomaliesAll: db.prepare(`SELECT ${A_COLS} FROM anomalies ORDER BY at DESC, seq DESC LIMIT ?`),
      anomaliesSubject: db.prepare(`SELECT ${A_COLS} FROM anomalies WHERE subject_id = ? ORDER BY at DESC, seq DESC LIMIT ?`),
      anomaliesMetric: db.prepare(`SELECT ${A_COLS} FROM anomalies WHERE metric = ? ORDER BY at DESC, seq DESC LIMIT ?`),
      anomaliesBoth: db.prepare(`SELECT ${A_COLS} FROM anomalies WHERE subject_id = ? AND metric = ? ORDER BY at DESC, seq DESC LIMIT ?`),
      // A rate's points newest first, a page at a time on its time index (`paged`): the page before `at`, and the whole of one time.
      pointsKey: db.prepare(`SELECT ${P_COLS} FROM calibration_points WHERE model = ? AND key = ? AND deadline <= ? AND at < ? ORDER BY at DESC, seq DESC LIMIT ?`),
      // (`+deadline`: not its index — one time's points are found by the time index.)
      pointsKeyAt: db.prepare(`SELECT ${P_COLS} FROM calibration_points WHERE model = ? AND key = ? AND +deadline <= ? AND at = ? ORDER BY seq DESC`),
      // Across rates (no index in that order): the rowids in order, then the rows a page at a time.
      pointIds: db.prepare('SELECT rowid FROM calibration_points WHERE model = ? AND deadline <= ? ORDER BY at DESC, seq DESC LIMIT ?').pluck(),
      pointsOf: db.prepare(`SELECT rowid AS rid, ${P_COLS} FROM calibration_points WHERE rowid IN (SELECT value FROM json_each(?))`),
      openPoints: db.prepare('SELECT count(*) AS n FROM calibration_points WHERE model = ? AND deadline > ?'),
      openPointsKey: db.prepare('SELECT count(*) AS n FROM calibration_points WHERE model = ? AND key = ? AND deadline > ?'),
      // Oldest first, a page at a time (`paged`): the page after `recorded_at`, and the whole of one time.
      heldOut: db.prepare(`SELECT ${P_COLS} FROM calibration_points WHERE model = ? AND key = ? AND recorded_at > ? AND inputs IS NOT NULL ORDER BY recorded_at, seq LIMIT ?`),
      heldOutAt: db.prepare(`SELECT ${P_COLS} FROM calibration_points WHERE model = ? AND key = ? AND recorded_at = ? AND inputs IS NOT NULL ORDER BY seq`),
    };
  }

  async forSubject(subjectId: string): Promise<StoredEstimate[]> {
    return (this.s.forSubject.all(subjectId) as Row[]).map(toEstimate);
  }

  async getMany(keys: EstimateKey[]): Promise<StoredEstimate[]> {
    const out: StoredEstimate[] = [];
    for (const k of keys) {
      const r = this.s.get.get(k.subjectId, k.model, k.key) as Row | undefined;
      if (r) out.push(toEstimate(r));
    }
    return out;
  }

  async write(w: EstimateWrites): Promise<void> {
    const ops: WriteOp[] = [];
    if (w.estimates?.length) ops.push({ sql: SQL.upsert, rows: w.estimates.map((e) => [e.subjectId, e.model, e.key, encodeEstimate(e.estimate), JSON.stringify(e.state), e.modelVersion, e.seq, e.updatedAt]) });
    if (w.anomalies?.length) ops.push({ sql: SQL.anomaly, rows: w.anomalies.map((a) => [a.subjectId, a.metric, a.seq, a.at, a.value, num(a.low), num(a.high), a.level, a.modelVersion, a.recordedAt]) });
    if (w.points?.length) ops.push({ sql: SQL.point, rows: w.points.map((p) => [p.model, p.key, p.subjectId, p.seq, p.at, p.alpha, p.beta, p.deadline, p.outcome, p.modelVersion, p.recordedAt ?? null, p.inputs ? JSON.stringify(p.inputs) : null]) });
    if (w.outcomes?.length) ops.push({ sql: SQL.outcome, rows: w.outcomes.map((o) => [o.outcome, o.model, o.key, o.subjectId, o.seq]) });
    if (ops.length) await this.writer.run(ops);
  }

  async replace(e: StoredEstimate, was: number | null): Promise<boolean> {
    const row = [e.subjectId, e.model, e.key, encodeEstimate(e.estimate), JSON.stringify(e.state), e.modelVersion, e.seq, e.updatedAt];
    const op = was === null ? { sql: SQL.create, rows: [row] } : { sql: SQL.replace, rows: [[...row.slice(0, 6), e.seq, e.subjectId, e.model, e.key, was, e.updatedAt]] };
    try {
      await this.writer.run([op]);
      return true;
    } catch (err) {
      if (/constraint failed: estimates\./.test((err as Error).message)) return false;
      throw err;
    }
  }

  async scan(model: string, key: string | undefined, afterSubject: string, limit: number): Promise<StoredEstimate[]> {
    const rows = key === undefined ? this.s.scan.all(model, afterSubject, limit) : this.s.scanKey.all(model, key, afterSubject, limit);
    return (rows as Row[]).map(toEstimate);
  }

  async anomalies(q: { subjectId?: string; metric?: string; limit: number }): Promise<AnomalyRecord[]> {
    const rows = q.subjectId !== undefined && q.metric !== undefined ? this.s.anomaliesBoth.all(q.subjectId, q.metric, q.limit)
      : q.subjectId !== undefined ? this.s.anomaliesSubject.all(q.subjectId, q.limit)
        : q.metric !== undefined ? this.s.anomaliesMetric.all(q.metric, q.limit)
          : this.s.anomaliesAll.all(q.limit);
    return (rows as (AnomalyRecord & { low: number | null; high: number | null })[]).map(toAnomaly);
  }

  async points(model: string, key: string | undefined, limit: number, o: { closedBy?: number } = {}): Promise<CalibrationPoint[]> {
    const by = o.closedBy ?? Number.MAX_SAFE_INTEGER;
    if (key === undefined) return this.byIds(this.s.pointIds.all(model, by, limit) as number[]);
    return this.paged(limit, (r) => r.at, {
      page: (before, n) => this.s.pointsKey.all(model, key, by, before ?? Number.MAX_SAFE_INTEGER, n) as PointRow[],
      at: (at) => this.s.pointsKeyAt.all(model, key, by, at) as PointRow[],
    });
  }

  /**
   * Up to `limit` points in the order of `time` (then seq), read a page at a time with the event
   * loop given a turn between pages once a time slice has run out — the same points as one read
   * with that LIMIT. `read.page` reads the next `n` past a time (from the first: undefined),
   * `read.at` all of one time. A page goes up to its last time, which is then read whole (a
   * newsletter's points can share one): the next page goes on past it, none read twice.
   */
  private async paged(limit: number, time: (r: PointRow) => number, read: { page: (past: number | undefined, n: number) => PointRow[]; at: (t: number) => PointRow[] }): Promise<CalibrationPoint[]> {
    const out: CalibrationPoint[] = [];
    const slice = timeSlicer();
    let past: number | undefined;
    // Each row's inputs are parsed (JSON) a slice at a time too: a page and its last time's rows are 1,000 or more.
    const add = async (rows: PointRow[]) => {
      for (const r of rows) {
        if (slice.due()) await slice.pause();
        if (out.length < limit) out.push(toPoint(r));
      }
    };
    while (out.length < limit) {
      if (slice.due()) await slice.pause();
      const n = Math.min(POINT_PAGE, limit - out.length);
      const rows = read.page(past, n);
      if (rows.length < n || out.length + n >= limit) {
        await add(rows);
        break;
      }
      const last = time(rows[rows.length - 1]);
      const whole = read.at(last);
      past = last;
      await add([...rows.filter((r) => time(r) !== last), ...whole]);
    }
    return out;
  }

  /** The points of these rowids in their order, read a page at a time (one deleted meanwhile is left out). */
  private async byIds(ids: number[]): Promise<CalibrationPoint[]> {
    const out: CalibrationPoint[] = [];
    const slice = timeSlicer();
    for (let i = 0; i < ids.length; i += POINT_PAGE) {
      const part = ids.slice(i, i + POINT_PAGE);
      const rows = new Map((this.s.pointsOf.all(JSON.stringify(part)) as (PointRow & { rid: number })[]).map(({ rid, ...r }) => [rid, r]));
      for (const id of part) {
        if (slice.due()) await slice.pause();
        const r = rows.get(id);
        if (r) out.push(toPoint(r));
      }
    }
    return out;
  }

  async openPoints(model: string, key: string | undefined, now: number): Promise<number> {
    return ((key === undefined ? this.s.openPoints.get(model, now) : this.s.openPointsKey.get(model, key, now)) as { n: number }).n;
  }

  async heldOutPoints(model: string, key: string, recordedAfter: number, limit: number): Promise<CalibrationPoint[]> {
    return this.paged(limit, (r) => r.recordedAt as number, {
      page: (past, n) => this.s.heldOut.all(model, key, past ?? recordedAfter, n) as PointRow[],
      at: (t) => this.s.heldOutAt.all(model, key, t) as PointRow[],
    });
  }

  async eraseSubject(subjectId: string): Promise<void> {
    await this.writer.run([
      { sql: 'DELETE FROM estimates WHERE subject_id = ?', rows: [[subjectId]] },
      { sql: 'DELETE FROM anomalies WHERE subject_id = ?', rows: [[subjectId]] },
      { sql: 'DELETE FROM calibration_points WHERE subject_id = ?', rows: [[subjectId]] },
    ]);
  }
}
