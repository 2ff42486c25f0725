import type pg from 'pg';
import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { AlertDelivery, AlertQuery, MonitorStepWrite, MonitorStore, StoredAlert } from '../../monitor/monitor-store.js';
import { ALERT_COLS, alertParams, toAlert, type AlertRow } from '../sqlite/monitor-rows.js';
import { inTransaction } from './database.js';

const STATE_ID = 'monitors';
const INSERT_ALERT = `INSERT INTO monitor_alerts (${ALERT_COLS}) VALUES (${ALERT_COLS.split(', ').map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`;

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
    return r ? { state: JSON.parse(r.state) as MonitorState, version: Number(r.version) } : { state: null, version: 0 };
  }

  async commitStep(w: MonitorStepWrite): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const body = JSON.stringify(w.state);
      const r = w.expectedVersion === 0
        ? await c.query('INSERT INTO monitor_state (id, version, state, updated_at) VALUES ($1, 1, $2, $3) ON CONFLICT (id) DO NOTHING', [STATE_ID, body, w.at])
        : await c.query('UPDATE monitor_state SET version = version + 1, state = $1, updated_at = $2 WHERE id = $3 AND version = $4', [body, w.at, STATE_ID, w.expectedVersion]);
      if (r.rowCount !== 1) return false;
      for (const a of w.raised) await c.query(INSERT_ALERT, alertParams(a));
      if (w.resolved.length) await c.query("UPDATE monitor_alerts SET status = 'resolved', resolved_at = $1 WHERE id = ANY($2) AND status <> 'resolved'", [w.at, w.resolved]);
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
    args.push(q.limit);
    const sql = `SELECT * FROM monitor_alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT $${args.length}`;
    return (await this.pool.query<AlertRow>(sql, args)).rows.map(toAlert);
  }

  async acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined> {
    await this.pool.query("UPDATE monitor_alerts SET status = 'acknowledged', acked_at = $1, acked_by = $2 WHERE id = $3 AND status = 'open'", [at, by, id]);
    return this.getAlert(id);
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]> {
    const r = await this.pool.query<AlertRow>(
      `UPDATE monitor_alerts SET next_attempt_at = $1 WHERE id IN (
         SELECT id FROM monitor_alerts WHERE delivery_state = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED
       ) RETURNING *`,
      [now + leaseMs, now, limit],
    );
    return r.rows.map(toAlert);
  }

  async recordDelivery(id: string, d: AlertDelivery): Promise<void> {
    await this.pool.query('UPDATE monitor_alerts SET delivery_state = $1, delivery_attempts = $2, next_attempt_at = $3, last_error = $4, delivered_at = $5 WHERE id = $6', [d.state, d.attempts, d.nextAttemptAt, d.lastError, d.deliveredAt, id]);
  }
}
