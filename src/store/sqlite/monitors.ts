import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { AlertDelivery, AlertQuery, MonitorStepWrite, MonitorStore, StoredAlert } from '../../monitor/monitor-store.js';
import { stateFromRows } from '../../monitor/state-diff.js';
import type { Db } from './database.js';
import { ALERT_COLS, BUCKET_COLS, alertParams, bucketParams, toAlert, toBucketRow, tracksOf, type AlertRow, type BucketDbRow } from './monitor-rows.js';

const STATE_ID = 'monitors';
const PAGE = 5000;

/**
 * Monitors on SQLite. Written on this thread's connection, not through the writer thread: a step
 * commits at most every few seconds and needs its compare-and-set answer at once.
 *
 * @example
 * const m = new SqliteMonitorStore(db); // the store's `monitors`
 */
export class SqliteMonitorStore implements MonitorStore {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      state: db.prepare('SELECT version, state FROM monitor_state WHERE id = ?'),
      // Keyset pages, so a large state loads without holding the event loop for long.
      buckets: db.prepare(`SELECT ${BUCKET_COLS} FROM monitor_buckets WHERE (key_id, start) > (?, ?) ORDER BY key_id, start LIMIT ${PAGE}`),
      upsertBucket: db.prepare(`INSERT OR REPLACE INTO monitor_buckets (${BUCKET_COLS}) VALUES (${BUCKET_COLS.split(', ').map(() => '?').join(', ')})`),
      removeBucket: db.prepare('DELETE FROM monitor_buckets WHERE key_id = ? AND start = ?'),
      version: db.prepare('SELECT version FROM monitor_state WHERE id = ?').pluck(),
      insertState: db.prepare('INSERT INTO monitor_state (id, version, state, updated_at) VALUES (?, 1, ?, ?) ON CONFLICT (id) DO NOTHING'),
      updateState: db.prepare('UPDATE monitor_state SET version = version + 1, state = ?, updated_at = ? WHERE id = ? AND version = ?'),
      insertAlert: db.prepare(`INSERT INTO monitor_alerts (${ALERT_COLS}) VALUES (${ALERT_COLS.split(', ').map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`),
      resolve: db.prepare("UPDATE monitor_alerts SET status = 'resolved', resolved_at = ? WHERE id = ? AND status <> 'resolved'"),
      get: db.prepare('SELECT * FROM monitor_alerts WHERE id = ?'),
      ack: db.prepare("UPDATE monitor_alerts SET status = 'acknowledged', acked_at = ?, acked_by = ? WHERE id = ? AND status = 'open'"),
      due: db.prepare("SELECT id FROM monitor_alerts WHERE delivery_state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").pluck(),
      lease: db.prepare("UPDATE monitor_alerts SET next_attempt_at = ? WHERE id = ? AND delivery_state = 'pending' AND next_attempt_at <= ?"),
      delivery: db.prepare('UPDATE monitor_alerts SET delivery_state = ?, delivery_attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? WHERE id = ?'),
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
    return this.db.transaction(() => {
      const body = JSON.stringify({ tracks: w.tracks });
      const changed = w.expectedVersion === 0 ? this.s.insertState.run(STATE_ID, body, w.at).changes : this.s.updateState.run(body, w.at, STATE_ID, w.expectedVersion).changes;
      if (changed !== 1) return false;
      for (const r of w.remove) this.s.removeBucket.run(r.keyId, r.start);
      for (const r of w.upsert) this.s.upsertBucket.run(...bucketParams(r));
      for (const a of w.raised) this.s.insertAlert.run(...alertParams(a));
      for (const id of w.resolved) this.s.resolve.run(w.at, id);
      return true;
    }).immediate();
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
    const sql = `SELECT * FROM monitor_alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as AlertRow[]).map(toAlert);
  }

  async acknowledge(id: string, by: string, at: number): Promise<StoredAlert | undefined> {
    this.s.ack.run(at, by, id);
    return this.getAlert(id);
  }

  async claimDeliveries(now: number, leaseMs: number, limit: number): Promise<StoredAlert[]> {
    return this.db.transaction(() => {
      const out: StoredAlert[] = [];
      for (const id of this.s.due.all(now, limit) as string[]) {
        if (this.s.lease.run(now + leaseMs, id, now).changes !== 1) continue;
        out.push(toAlert(this.s.get.get(id) as AlertRow));
      }
      return out;
    }).immediate();
  }

  async recordDelivery(id: string, d: AlertDelivery): Promise<void> {
    this.s.delivery.run(d.state, d.attempts, d.nextAttemptAt, d.lastError, d.deliveredAt, id);
  }
}
