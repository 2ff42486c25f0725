import type { MonitorState } from '../../measure/monitors/monitor.js';
import type { AlertDelivery, AlertObservation, AlertResolution, MonitorStepWrite, StoredAlert } from '../../monitor/monitor-store.js';
import type { BucketRow } from '../../monitor/state-diff.js';

/** The alert row's columns, in insert order (shared by the SQLite and PostgreSQL stores). */
export const ALERT_COLS = 'id, status, action, placement, segment, metric, raised_at, resolved_at, acked_at, acked_by, delivery_state, delivery_attempts, next_attempt_at, last_error, delivered_at, body';

/** An alert row as both drivers return it (PostgreSQL BIGINTs as strings). */
export interface AlertRow {
  status: StoredAlert['status'];
  resolved_at: number | string | null;
  /** Set when the alert was closed without recovering (migration monitor-003). */
  resolved_reason?: string | null;
  acked_at: number | string | null;
  acked_by: string | null;
  delivery_state: AlertDelivery['state'];
  delivery_attempts: number | string;
  next_attempt_at: number | string | null;
  last_error: string | null;
  delivered_at: number | string | null;
  body: string;
  /** The resolution's delivery, NULL state while open; and the reopenings, the latest relapse's observation as JSON (migration monitor-004). */
  resolved_delivery_state?: AlertDelivery['state'] | null;
  resolved_delivery_attempts?: number | string;
  resolved_next_attempt_at?: number | string | null;
  resolved_last_error?: string | null;
  resolved_delivered_at?: number | string | null;
  reopened_at?: number | string | null;
  reopen_count?: number | string;
  relapse?: string | null;
  /** What the window showed when it recovered, JSON (migration monitor-005); NULL otherwise. */
  resolution?: string | null;
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
 * An alert from its row: the JSON body, the latest relapse's observation over it when it reopened,
 * and the columns that change over its life on top.
 * @example toAlert(db.prepare('SELECT * FROM monitor_alerts WHERE id = ?').get(id))
 */
export function toAlert(r: AlertRow): StoredAlert {
  const a = JSON.parse(r.body) as StoredAlert;
  const relapse = r.relapse ? (JSON.parse(r.relapse) as AlertObservation) : {};
  const resolution = r.resolved_delivery_state;
  return {
    ...a,
    ...relapse,
    status: r.status,
    resolvedAt: num(r.resolved_at),
    resolvedReason: r.resolved_reason ?? null,
    resolution: r.resolution ? (JSON.parse(r.resolution) as AlertResolution) : null,
    acknowledgedAt: num(r.acked_at),
    acknowledgedBy: r.acked_by,
    reopenedAt: num(r.reopened_at ?? null),
    reopenCount: Number(r.reopen_count ?? 0),
    delivery: { state: r.delivery_state, attempts: Number(r.delivery_attempts), nextAttemptAt: num(r.next_attempt_at), lastError: r.last_error, deliveredAt: num(r.delivered_at) },
    resolvedDelivery: resolution
      ? { state: resolution, attempts: Number(r.resolved_delivery_attempts ?? 0), nextAttemptAt: num(r.resolved_next_attempt_at ?? null), lastError: r.resolved_last_error ?? null, deliveredAt: num(r.resolved_delivered_at ?? null) }
      : null,
  };
}

/**
 * The state a new notice starts in, due at `at`: pending when a webhook is configured, else none.
 * @example queued(true, now) // ['pending', now]
 */
export function queued(notify: boolean | undefined, at: number): [AlertDelivery['state'], number | null] {
  return notify ? ['pending', at] : ['none', null];
}

/**
 * The `resolution` column of each alert a step resolves or closes, by id: what it showed when it
 * recovered (JSON), NULL for one closed without recovering.
 * @example resolutionsOf(w).get(id) // '{"at":…,"observed":0.01,"message":"… is back within its expected band …"}'
 */
export function resolutionsOf(w: Pick<MonitorStepWrite, 'at' | 'recoveries'>): Map<string, string> {
  return new Map((w.recoveries ?? []).map((x) => [x.id, JSON.stringify({ at: w.at, observed: x.observed, message: x.message } satisfies AlertResolution)]));
}

/**
 * The relapse's observation as stored (over the alert's body while it shows).
 * @example relapseJson(reopening.seen)
 */
export function relapseJson(o: AlertObservation): string {
  const { direction, observed, expected, pValue, evidence, message, examples } = o;
  return JSON.stringify({ direction, observed, expected, pValue, evidence, message, examples });
}

/** The counter bucket row's columns, in insert order. */
export const BUCKET_COLS = 'key_id, start, action, placement, segment, exposures, responses, negatives, predicted, predicted_sq, predicted_exposures';

/** A counter bucket row as both drivers return it (PostgreSQL BIGINTs as strings). */
export interface BucketDbRow {
  start: number | string;
  action: string;
  placement: string;
  segment: string;
  exposures: number | string;
  responses: number | string;
  negatives: number | string;
  predicted: number;
  predicted_sq: number;
  predicted_exposures: number | string;
}

/**
 * The insert parameters of a bucket, in {@link BUCKET_COLS} order.
 * @example stmt.run(...bucketParams(row))
 */
export function bucketParams(r: BucketRow): unknown[] {
  const c = r.counts;
  return [`${r.key.action}|${r.key.placement}|${r.key.segment}`, r.start, r.key.action, r.key.placement, r.key.segment, c.exposures, c.responses, c.negatives, c.predicted, c.predictedSq, c.predictedExposures];
}

/**
 * A bucket from its row.
 * @example rows.map(toBucketRow)
 */
export function toBucketRow(r: BucketDbRow): BucketRow {
  return {
    key: { action: r.action, placement: r.placement, segment: r.segment },
    start: Number(r.start),
    counts: { exposures: Number(r.exposures), responses: Number(r.responses), negatives: Number(r.negatives), predicted: Number(r.predicted), predictedSq: Number(r.predicted_sq), predictedExposures: Number(r.predicted_exposures) },
  };
}

/**
 * The alert tracks stored in monitor_state.state (a document of an older version also held series).
 * @example tracksOf('{"tracks":{}}') // {}
 */
export function tracksOf(json: string): MonitorState['tracks'] {
  return (JSON.parse(json) as { tracks?: MonitorState['tracks'] }).tracks ?? {};
}
