import { createHash } from 'node:crypto';
import type { MonitorAlert } from '../measure/monitors/monitor.js';
import type { AlertReopening, StoredAlert } from './monitor-store.js';

/**
 * The alert's id: a short hash of the monitor's own id (key, metric and the time it fired), so
 * the same firing is the same alert on every process.
 * @example alertId('promo|email|all#negative-rate@1767225600000') // 'alert-3f2a…' (16 hex digits)
 */
export function alertId(monitorId: string): string {
  return `alert-${createHash('sha256').update(monitorId).digest('hex').slice(0, 16)}`;
}

/**
 * A firing alert of the monitor, as Tact stores and serves it.
 * @example toStoredAlert(fired, { decisions: ['d1'], outcomes: ['o1'] }, true)
 */
export function toStoredAlert(a: MonitorAlert, examples: StoredAlert['examples'], webhook: boolean): StoredAlert {
  return {
    id: alertId(a.id),
    status: 'open',
    action: a.key.action,
    placement: a.key.placement,
    segment: a.key.segment,
    metric: a.metric,
    direction: a.direction,
    observed: a.observed,
    expected: a.expected,
    pValue: a.pValue,
    evidence: evidenceOf(a),
    message: a.message,
    examples,
    raisedAt: a.at,
    resolvedAt: null,
    resolvedReason: null,
    resolution: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    reopenedAt: null,
    reopenCount: 0,
    delivery: webhook ? { state: 'pending', attempts: 0, nextAttemptAt: a.at, lastError: null, deliveredAt: null } : { state: 'none', attempts: 0, nextAttemptAt: null, lastError: null, deliveredAt: null },
    resolvedDelivery: null,
  };
}

/**
 * A relapse within the cool-down, as the reopening of the alert it follows (same id): what it saw
 * replaces the alert's observation.
 * @example reopeningOf(relapse, { decisions: ['d1'], outcomes: [] }) // { id: alertId(relapse.id), at, seen: { direction, observed, … } }
 */
export function reopeningOf(a: MonitorAlert, examples: StoredAlert['examples']): AlertReopening {
  return { id: alertId(a.id), at: a.at, seen: { direction: a.direction, observed: a.observed, expected: a.expected, pValue: a.pValue, evidence: evidenceOf(a), message: a.message, examples } };
}

function evidenceOf(a: MonitorAlert): StoredAlert['evidence'] {
  const counts = (c: MonitorAlert['evidence']['current']) => ({ exposures: c.exposures, responses: c.responses, negatives: c.negatives, predicted: c.predicted });
  return { current: counts(a.evidence.current), baseline: counts(a.evidence.baseline), window: a.window };
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * An alert as the API and the webhook show it: times as ISO strings, and links to the example
 * decisions (each with the outcomes credited to it) and to the decision log over the window; what
 * the window showed when it recovered (null until then); the deliveries of its opening and of its
 * resolution (null while open).
 *
 * @example
 * alertView(stored).links.decisions // '/v1/decisions?action=promo&placement=email&from=…&to=…'
 */
export function alertView(a: StoredAlert) {
  const q = new URLSearchParams({ action: a.action, placement: a.placement, from: new Date(a.evidence.window.from).toISOString(), to: new Date(a.evidence.window.to + 1).toISOString() });
  return {
    id: a.id,
    status: a.status,
    metric: a.metric,
    direction: a.direction,
    action: a.action,
    placement: a.placement,
    segment: a.segment,
    observed: a.observed,
    expected: a.expected,
    pValue: a.pValue,
    evidence: { current: a.evidence.current, baseline: a.evidence.baseline, window: { from: iso(a.evidence.window.from), to: iso(a.evidence.window.to) } },
    message: a.message,
    examples: a.examples,
    links: {
      self: `/v1/alerts/${a.id}`,
      decisions: `/v1/decisions?${q.toString()}`,
      examples: a.examples.decisions.map((id) => `/v1/decisions/${encodeURIComponent(id)}`),
    },
    raisedAt: iso(a.raisedAt),
    resolvedAt: iso(a.resolvedAt),
    resolvedReason: a.resolvedReason ?? null,
    resolution: a.resolution ? { at: iso(a.resolution.at), observed: a.resolution.observed, message: a.resolution.message } : null,
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    reopenedAt: iso(a.reopenedAt),
    reopenCount: a.reopenCount,
    delivery: deliveryView(a.delivery),
    resolvedDelivery: a.resolvedDelivery ? deliveryView(a.resolvedDelivery) : null,
  };
}

const deliveryView = (d: StoredAlert['delivery']) => ({ state: d.state, attempts: d.attempts, lastError: d.lastError, deliveredAt: iso(d.deliveredAt) });

/** The JSON an alert is served as. */
export type AlertView = ReturnType<typeof alertView>;
