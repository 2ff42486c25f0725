import type pg from 'pg';
import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { AlertDelivery, AlertQuery, DeliveryTarget, MonitorStepWrite, MonitorStore, StoredAlert } from '../../monitor/monitor-store.js';
import type { BucketRow } from '../../monitor/state-diff.js';
import { stateFromRows } from '../../monitor/state-diff.js';
import { ALERT_COLS, BUCKET_COLS, alertParams, bucketParams, queued, relapseJson, resolutionsOf, toAlert, toBucketRow, tracksOf, type AlertRow, type BucketDbRow } from '../sqlite/monitor-rows.js';
import { inTransaction } from './database.js';

const STATE_ID = 'monitors';
const PAGE = 5000;
/** Buckets per INSERT statement (11 parameters each, under PostgreSQL's 65,535). */
const UPSERT_ROWS = 2000;
const BUCKET_N = BUCKET_COLS.split(', ').length;

async function upsertBuckets(c: pg.PoolClient, rows: BucketRow[]): Promise<void> {
  const values = rows.map((_, i) => `(${Array.from({ length: BUCKET_N }, (_, j) => `$${i * BUCKET_N + j + 1}`).join(', ')})`).join(', ');
  const set = BUCKET_COLS.split(', ').slice(2).map((col) => `${col} = excluded.${col}`).join(', ');
  await c.query(`INSERT INTO monitor_buckets (${BUCKET_COLS}) VALUES ${values} ON CONFLICT (key_id, start) DO UPDATE SET ${set}`, rows.flatMap(bucketParams));
}
const INSERT_ALERT = `INSERT INTO monitor_alerts (${ALERT_COLS}) VALUES (${ALERT_COLS.split(', ').map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`;
/** Resolves (reason NULL) or closes an alert, queuing its resolution notice unless the receiver was never to hear of its opening. */
const RESOLVE = `UPDATE monitor_alerts SET status = 'resolved', resolved_at = $1, resolved_reason = $2, resolution = $3,
  resolved_delivery_state = CASE WHEN delivery_state = 'none' THEN 'none' ELSE $4::text END, resolved_delivery_attempts = 0,
  resolved_next_attempt_at = CASE WHEN delivery_state = 'none' THEN NULL ELSE $5::bigint END, resolved_last_error = NULL, resolved_delivered_at = NULL
  WHERE id = $6 AND status <> 'resolved'`;
/** Opens a resolved alert again: unacknowledged, showing the relapse, its opening notice queued anew and no resolution. */
const REOPEN = `UPDATE monitor_alerts SET status = 'open', resolved_at = NULL, resolved_reason = NULL, acked_at = NULL, acked_by = NULL,
  reopened_at = $1, reopen_count = reopen_count + 1, relapse = $2, resolution = NULL,
  delivery_state = $3, delivery_attempts = 0, next_attempt_at = $4, last_error = NULL, delivered_at = NULL,
  resolved_delivery_state = NULL, resolved_delivery_attempts = 0, resolved_next_attempt_at = NULL, resolved_last_error = NULL, resolved_delivered_at = NULL
  WHERE id = $5 AND status = 'resolved'`;
/**
 * Leases the due notices: an alert's opening when pending, else its resolution — due only once the
 * opening is settled, so a receiver never hears "resolved" first.
 */
const CLAIM = `UPDATE monitor_alerts SET
  next_attempt_at = CASE WHEN delivery_state = 'pending' THEN $1 ELSE next_attempt_at END,
  resolved_next_attempt_at = CASE WHEN delivery_state = 'pending' THEN resolved_next_attempt_at ELSE $1 END
  WHERE id IN (
    SELECT id FROM monitor_alerts
    WHERE (delivery_state = 'pending' AND next_attempt_at <= $2) OR (delivery_state <> 'pending' AND resolved_delivery_state = 'pending' AND resolved_next_attempt_at <= $2)
    ORDER BY CASE WHEN delivery_state = 'pending' THEN next_attempt_at ELSE resolved_next_attempt_at END LIMIT $3 FOR UPDATE SKIP LOCKED
  ) RETURNING *`;

/**
 * Monitors on PostgreSQL, shared by every Tact process: a step commits only if no other process
 * committed one since it read the state (compare-and-set on the version), and each delivery is
 * leased to one process with `FOR UPDATE SKIP LOCKED`.
 *
 * @example
 * const m = new PostgresMonitorStore(pool); // the store's `monitors`
 */
export class PostgresMonitorStore implements MonitorStore {
  constructor(private readonly pool: pg.Pool) {}

  async loadState(): Promise<{ state: MonitorState | null; version: number }> {
    const r = (await this.pool.query<{ version: string; state: string }>('SELECT version, state FROM monitor_state WHERE id = $1', [STATE_ID])).rows[0];
    if (!r) return { state: null, version: 0 };
    // Keyset pages, so a large state loads without holding the event loop for long.
    const rows: BucketDbRow[] = [];
    for (let after: [string, number] = ['', -1]; ;) {
      const page = (await this.pool.query<BucketDbRow & { key_id: string }>(`SELECT ${BUCKET_COLS} FROM monitor_buckets WHERE (key_id, start) > ($1, $2) ORDER BY key_id, start LIMIT ${PAGE}`, after)).rows;
      rows.push(...page);
      if (page.length < PAGE) break;
      const last = page[page.length - 1];
      after = [last.key_id, Number(last.start)];
    }
    return { state: stateFromRows(rows.map(toBucketRow), tracksOf(r.state)), version: Number(r.version) };
  }

  async stateVersion(): Promise<number> {
    const r = (await this.pool.query<{ version: string }>('SELECT version FROM monitor_state WHERE id = $1', [STATE_ID])).rows[0];
    return r ? Number(r.version) : 0;
  }

  async commitStep(w: MonitorStepWrite): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const body = JSON.stringify({ tracks: w.tracks });
      const r = w.expectedVersion === 0
        ? await c.query('INSERT INTO monitor_state (id, version, state, updated_at) VALUES ($1, 1, $2, $3) ON CONFLICT (id) DO NOTHING', [STATE_ID, body, w.at])
        : await c.query('UPDATE monitor_state SET version = version + 1, state = $1, updated_at = $2 WHERE id = $3 AND version = $4', [body, w.at, STATE_ID, w.expectedVersion]);
      if (r.rowCount !== 1) return false;
      if (w.remove.length) {
        await c.query('DELETE FROM monitor_buckets b USING unnest($1::text[], $2::bigint[]) AS x(key_id, start) WHERE b.key_id = x.key_id AND b.start = x.start', [w.remove.map((x) => x.keyId), w.remove.map((x) => x.start)]);
      }
      for (let i = 0; i < w.upsert.length; i += UPSERT_ROWS) await upsertBuckets(c, w.upsert.slice(i, i + UPSERT_ROWS));
      for (const a of w.raised) await c.query(INSERT_ALERT, alertParams(a));
      const notice = queued(w.notify, w.at);
      const resolution = resolutionsOf(w);
      for (const id of w.resolved) await c.query(RESOLVE, [w.at, null, resolution.get(id) ?? null, ...notice, id]);
      for (const x of w.closed ?? []) await c.query(RESOLVE, [w.at, x.reason, null, ...notice, x.id]);
      for (const r of w.reopened ?? []) await c.query(REOPEN, [r.at, relapseJson(r.seen), ...queued(w.notify, r.at), r.id]);
      return true;
    });
  }

  async getAlert(id: string): Promise<StoredAlert | undefined> {
    const r = (await this.pool.query<AlertRow>('SELECT * FROM monitor_alerts WHERE id = $1', [id])).rows[0];
    return r ? toAlert(r) : undefined;
  }

  async listAlerts(q: AlertQuery): Promise<StoredAlert[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(`${sql} $${args.length}`);
    };
    if (q.status !== undefined) add('status =', q.status);
    if (q.action !== undefined) add('action =', q.action);
    if (q.since !== undefined) add('raised_at >=', q.since);
    if (q.after) {
      args.push(q.after.at, q.after.id);
      where.push(`(raised_at < $${args.length - 1} OR (raised_at = $${args.length - 1} AND id > $${args.length}))`);
    }
    args.push(q.limit);
    const sql = `SELECT * FROM monitor_alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT $${args.length}`;
    return (await this.pool.query<AlertRow>(sql, args)).rows.map(toAlert);
  }

  async acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined> {
    await this.pool.query("UPDATE monitor_alerts SET status = 'acknowledged', acked_at = $1, acked_by = $2 WHERE id = $3 AND status = 'open'", [at, by, id]);
    return this.getAlert(id);
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]> {
    const r = await this.pool.query<AlertRow>(CLAIM, [now + leaseMs, now, limit]);
    // Openings first, then resolutions, each by due time (as the SQLite store answers).
    const due = (a: AlertRow) => [a.delivery_state === 'pending' ? 0 : 1, Number(a.delivery_state === 'pending' ? a.next_attempt_at : a.resolved_next_attempt_at)];
    return r.rows.sort((a, b) => due(a)[0] - due(b)[0] || due(a)[1] - due(b)[1]).map(toAlert);
  }

  async recordDelivery(id: string, d: AlertDelivery, target?: DeliveryTarget): Promise<void> {
    const values = [d.state, d.attempts, d.nextAttemptAt, d.lastError, d.deliveredAt, id];
    if (target?.notice === 'resolution') {
      await this.pool.query("UPDATE monitor_alerts SET resolved_delivery_state = $1, resolved_delivery_attempts = $2, resolved_next_attempt_at = $3, resolved_last_error = $4, resolved_delivered_at = $5 WHERE id = $6 AND reopen_count = $7 AND status = 'resolved'", [...values, target.reopenCount]);
    } else if (target) {
      await this.pool.query('UPDATE monitor_alerts SET delivery_state = $1, delivery_attempts = $2, next_attempt_at = $3, last_error = $4, delivered_at = $5 WHERE id = $6 AND reopen_count = $7', [...values, target.reopenCount]);
    } else {
      await this.pool.query('UPDATE monitor_alerts SET delivery_state = $1, delivery_attempts = $2, next_attempt_at = $3, last_error = $4, delivered_at = $5 WHERE id = $6', values);
    }
  }
}
