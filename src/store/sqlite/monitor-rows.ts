import type { AlertDelivery, StoredAlert } from '../../monitor/monitor-store.js';

/** The alert row's columns, in insert order (shared by the SQLite and PostgreSQL stores). */
export const ALERT_COLS = 'id, status, action, placement, segment, metric, raised_at, resolved_at, acked_at, acked_by, delivery_state, delivery_attempts, next_attempt_at, last_error, delivered_at, body';

/** An alert row as both drivers return it (PostgreSQL BIGINTs as strings). */
export interface AlertRow {
  status: StoredAlert['status'];
  resolved_at: number | string | null;
  acked_at: number | string | null;
  acked_by: string | null;
  delivery_state: AlertDelivery['state'];
  delivery_attempts: number | string;
  next_attempt_at: number | string | null;
  last_error: string | null;
  delivered_at: number | string | null;
  body: string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * The insert parameters of an alert, in {@link ALERT_COLS} order.
 * @example db.prepare(`INSERT INTO monitor_alerts (${ALERT_COLS}) VALUES (…)`).run(...alertParams(a))
 */
export function alertParams(a: StoredAlert): unknown[] {
  const d = a.delivery;
  return [a.id, a.status, a.action, a.placement, a.segment, a.metric, a.raisedAt, a.resolvedAt, a.acknowledgedAt, a.acknowledgedBy, d.state, d.attempts, d.nextAttemptAt, d.lastError, d.deliveredAt, JSON.stringify(a)];
}

/**
 * An alert from its row: the JSON body, with the columns that change over its life on top.
 * @example toAlert(db.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(id))
 */
export function toAlert(r: AlertRow): StoredAlert {
  const a = JSON.parse(r.body) as StoredAlert;
  return {
    ...a,
    status: r.status,
    resolvedAt: num(r.resolved_at),
    acknowledgedAt: num(r.acked_at),
    acknowledgedBy: r.acked_by,
    delivery: { state: r.delivery_state, attempts: Number(r.delivery_attempts), nextAttemptAt: num(r.next_attempt_at), lastError: r.last_error, deliveredAt: num(r.delivered_at) },
  };
}
