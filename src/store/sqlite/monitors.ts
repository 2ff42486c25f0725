import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { AlertDelivery, AlertQuery, DeliveryTarget, MonitorStepWrite, MonitorStore, StoredAlert } from '../../monitor/monitor-store.js';
import { stateFromRows } from '../../monitor/state-diff.js';
import type { Db } from './database.js';
import type { SqliteWriter, WriteOp } from './writer.js';
import { ALERT_COLS, BUCKET_COLS, alertParams, bucketParams, queued, relapseJson, resolutionsOf, toAlert, toBucketRow, tracksOf, type AlertRow, type BucketDbRow } from './monitor-rows.js';

const STATE_ID = 'monitors';
const PAGE = 5000;

const UPSERT_BUCKET = `INSERT OR REPLACE INTO monitor_buckets (${BUCKET_COLS}) VALUES (${BUCKET_COLS.split(', ').map(() => '?').join(', ')})`;
const INSERT_ALERT = `INSERT INTO monitor_alerts (${ALERT_COLS}) VALUES (${ALERT_COLS.split(', ').map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`;
/** Resolves (reason NULL) or closes an alert, queuing its resolution notice unless the receiver was never to hear of its opening. */
const RESOLVE = `UPDATE monitor_alerts SET status = 'resolved', resolved_at = ?, resolved_reason = ?, resolution = ?,
  resolved_delivery_state = CASE WHEN delivery_state = 'none' THEN 'none' ELSE ? END, resolved_delivery_attempts = 0,
  resolved_next_attempt_at = CASE WHEN delivery_state = 'none' THEN NULL ELSE ? END, resolved_last_error = NULL, resolved_delivered_at = NULL
  WHERE id = ? AND status <> 'resolved'`;
/** Opens a resolved alert again: unacknowledged, showing the relapse, its opening notice queued anew and no resolution. */
const REOPEN = `UPDATE monitor_alerts SET status = 'open', resolved_at = NULL, resolved_reason = NULL, acked_at = NULL, acked_by = NULL,
  reopened_at = ?, reopen_count = reopen_count + 1, relapse = ?, resolution = NULL,
  delivery_state = ?, delivery_attempts = 0, next_attempt_at = ?, last_error = NULL, delivered_at = NULL,
  resolved_delivery_state = NULL, resolved_delivery_attempts = 0, resolved_next_attempt_at = NULL, resolved_last_error = NULL, resolved_delivered_at = NULL
  WHERE id = ? AND status = 'resolved'`;
/**
 * The compare-and-set guard, run right after the step's conditional update: when that update
 * changed no row (another step moved the version), this inserts a NULL version, which the NOT
 * NULL constraint refuses — the writer rolls the step back and says why.
 */
const GUARD = "INSERT INTO monitor_state (id, version, state, updated_at) SELECT ?, NULL, '', 0 WHERE changes() = 0";
const LOST_RACE = /NOT NULL constraint failed: monitor_state\.version|UNIQUE constraint failed: monitor_state\.id/;

/**
 * Monitors on SQLite: reads on this connection, writes through the writer thread (so a step's
 * commit never blocks the event loop on the write lock or an fsync while decisions are being
 * logged). The step's compare-and-set runs inside the writer's transaction (see GUARD).
 *
 * @example
 * const m = new SqliteMonitorStore(db, writer); // the store's `monitors`
 */
export class SqliteMonitorStore implements MonitorStore {
  private readonly s;
  constructor(private readonly db: Db, private readonly writer: SqliteWriter) {
    this.s = {
      state: db.prepare('SELECT version, state FROM monitor_state WHERE id = ?'),
      // Keyset pages, so a large state loads without holding the event loop for long.
      buckets: db.prepare(`SELECT ${BUCKET_COLS} FROM monitor_buckets WHERE (key_id, start) > (?, ?) ORDER BY key_id, start LIMIT ${PAGE}`),
      version: db.prepare('SELECT version FROM monitor_state WHERE id = ?').pluck(),
      get: db.prepare('SELECT * FROM monitor_alerts WHERE id = ?'),
      due: db.prepare("SELECT id FROM monitor_alerts WHERE delivery_state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").pluck(),
      // A resolution is due only once its opening is settled: a receiver never hears "resolved" first.
      resolutionDue: db.prepare("SELECT id FROM monitor_alerts WHERE resolved_delivery_state = 'pending' AND resolved_next_attempt_at <= ? AND delivery_state <> 'pending' ORDER BY resolved_next_attempt_at LIMIT ?").pluck(),
    };
  }

  async loadState(): Promise<{ state: MonitorState | null; version: number }> {
    const r = this.s.state.get(STATE_ID) as { version: number; state: string } | undefined;
    if (!r) return { state: null, version: 0 };
    const rows: BucketDbRow[] = [];
    for (let after: [string, number] = ['', -1]; ;) {
      const page = this.s.buckets.all(...after) as (BucketDbRow & { key_id: string })[];
      rows.push(...page);
      if (page.length < PAGE) break;
      const last = page[page.length - 1];
      after = [last.key_id, Number(last.start)];
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { state: stateFromRows(rows.map(toBucketRow), tracksOf(r.state)), version: r.version };
  }

  async stateVersion(): Promise<number> {
    return (this.s.version.get(STATE_ID) as number | undefined) ?? 0;
  }

  async commitStep(w: MonitorStepWrite): Promise<boolean> {
    const body = JSON.stringify({ tracks: w.tracks });
    const ops: WriteOp[] = w.expectedVersion === 0
      ? [{ sql: 'INSERT INTO monitor_state (id, version, state, updated_at) VALUES (?, 1, ?, ?)', rows: [[STATE_ID, body, w.at]] }]
      : [
          { sql: 'UPDATE monitor_state SET version = version + 1, state = ?, updated_at = ? WHERE id = ? AND version = ?', rows: [[body, w.at, STATE_ID, w.expectedVersion]] },
          { sql: GUARD, rows: [[STATE_ID]] },
        ];
    if (w.remove.length) ops.push({ sql: 'DELETE FROM monitor_buckets WHERE key_id = ? AND start = ?', rows: w.remove.map((r) => [r.keyId, r.start]) });
    if (w.upsert.length) ops.push({ sql: UPSERT_BUCKET, rows: w.upsert.map(bucketParams) });
    if (w.raised.length) ops.push({ sql: INSERT_ALERT, rows: w.raised.map(alertParams) });
    const notice = queued(w.notify, w.at);
    const resolution = resolutionsOf(w);
    const resolved = [...w.resolved.map((id) => [w.at, null, resolution.get(id) ?? null, ...notice, id]), ...(w.closed ?? []).map((c) => [w.at, c.reason, null, ...notice, c.id])];
    if (resolved.length) ops.push({ sql: RESOLVE, rows: resolved });
    if (w.reopened?.length) ops.push({ sql: REOPEN, rows: w.reopened.map((r) => [r.at, relapseJson(r.seen), ...queued(w.notify, r.at), r.id]) });
    try {
      await this.writer.run(ops);
      return true;
    } catch (err) {
      if (LOST_RACE.test((err as Error).message)) return false;
      throw err;
    }
  }

  async getAlert(id: string): Promise<StoredAlert | undefined> {
    const r = this.s.get.get(id) as AlertRow | undefined;
    return r ? toAlert(r) : undefined;
  }

  async listAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status !== undefined) where.push('status = ?') && args.push(q.status);
    if (q.action !== undefined) where.push('action = ?') && args.push(q.action);
    if (q.since !== undefined) where.push('raised_at >= ?') && args.push(q.since);
    if (q.after) where.push('(raised_at < ? OR (raised_at = ? AND id > ?))') && args.push(q.after.at, q.after.at, q.after.id);
    const sql = `SELECT * FROM monitor_alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as AlertRow[]).map(toAlert);
  }

  async acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined> {
    await this.writer.run([{ sql: "UPDATE monitor_alerts SET status = 'acknowledged', acked_at = ?, acked_by = ? WHERE id = ? AND status = 'open'", rows: [[at, by, id]] }]);
    return this.getAlert(id);
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]> {
    // Nothing due (the usual case): a read, no write lock.
    const openings = this.s.due.all(now, limit) as string[];
    const resolutions = (this.s.resolutionDue.all(now, limit) as string[]).slice(0, limit - openings.length);
    if (!openings.length && !resolutions.length) return [];
    const until = now + leaseMs;
    const ops: WriteOp[] = [];
    if (openings.length) ops.push({ sql: "UPDATE monitor_alerts SET next_attempt_at = ? WHERE id = ? AND delivery_state = 'pending' AND next_attempt_at <= ?", rows: openings.map((id) => [until, id, now]) });
    if (resolutions.length) {
      ops.push({ sql: "UPDATE monitor_alerts SET resolved_next_attempt_at = ? WHERE id = ? AND resolved_delivery_state = 'pending' AND resolved_next_attempt_at <= ? AND delivery_state <> 'pending'", rows: resolutions.map((id) => [until, id, now]) });
    }
    await this.writer.run(ops);
    // The lease is ours where the row now carries our lease time.
    const ours = (r: AlertRow | undefined) => !!r && (r.delivery_state === 'pending'
      ? Number(r.next_attempt_at) === until
      : r.resolved_delivery_state === 'pending' && Number(r.resolved_next_attempt_at) === until);
    return [...openings, ...resolutions].map((id) => this.s.get.get(id) as AlertRow | undefined).filter(ours).map((r) => toAlert(r as AlertRow));
  }

  async recordDelivery(id: string, d: AlertDelivery, target?: DeliveryTarget): Promise<void> {
    const values = [d.state, d.attempts, d.nextAttemptAt, d.lastError, d.deliveredAt, id];
    const op: WriteOp = target?.notice === 'resolution'
      ? { sql: "UPDATE monitor_alerts SET resolved_delivery_state = ?, resolved_delivery_attempts = ?, resolved_next_attempt_at = ?, resolved_last_error = ?, resolved_delivered_at = ? WHERE id = ? AND reopen_count = ? AND status = 'resolved'", rows: [[...values, target.reopenCount]] }
      : target
        ? { sql: 'UPDATE monitor_alerts SET delivery_state = ?, delivery_attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? WHERE id = ? AND reopen_count = ?', rows: [[...values, target.reopenCount]] }
        : { sql: 'UPDATE monitor_alerts SET delivery_state = ?, delivery_attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? WHERE id = ?', rows: [values] };
    await this.writer.run([op]);
  }
}
