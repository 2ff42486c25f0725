import type { Logger } from 'pino';
import type { MonitorAlert } from '../measure/monitors/monitor.js';
import type { Metrics } from '../ops/metrics.js';
import { alertId } from './alerts.js';
import type { ClosedAlert } from './removed.js';

/**
 * Logs (pino, JSON) and counts the alerts of a committed step: a raised alert — or one a relapse
 * reopened (`event: "reopened"`) — at warn with its key, metric, observed value, band and p-value; a
 * resolved one at info, and one closed because its metric (or the monitors) was removed from the
 * configuration at info with the reason.
 * @example logAlerts(log, metrics, fired, resolved, closed, reopened)
 */
export function logAlerts(log: Logger, metrics: Metrics | undefined, fired: MonitorAlert[], resolved: MonitorAlert[], closed: ClosedAlert[] = [], reopened: MonitorAlert[] = []): void {
  for (const [event, list] of [['raised', fired], ['reopened', reopened]] as const) {
    for (const a of list) {
      metrics?.alerts.inc({ metric: a.metric, event });
      const data = { alert: alertId(a.id), metric: a.metric, direction: a.direction, ...a.key, observed: a.observed, expected: a.expected, pValue: a.pValue, exposures: a.evidence.current.exposures };
      log.warn(event === 'raised' ? data : { ...data, event }, a.message);
    }
  }
  for (const a of resolved) {
    metrics?.alerts.inc({ metric: a.metric, event: 'resolved' });
    log.info({ alert: alertId(a.id), metric: a.metric, ...a.key, observed: a.observed }, a.message);
  }
  for (const c of closed) {
    metrics?.alerts.inc({ metric: c.metric, event: 'resolved' });
    log.info({ alert: c.id, metric: c.metric, track: c.track }, c.reason);
  }
}

/**
 * Logs and times one step: at info when it raised, resolved or reopened alerts, else at debug.
 * @example logStep(log, metrics, started, 'committed', { events: 12, raised: [], resolved: [], reopened: [] })
 */
export function logStep(log: Logger, metrics: Metrics | undefined, started: number, result: string, r: { events: number; raised: string[]; resolved: string[]; reopened: string[] }): void {
  const ms = performance.now() - started;
  metrics?.monitorSteps.observe({ result }, ms / 1000);
  const data = { events: r.events, raised: r.raised.length, resolved: r.resolved.length, reopened: r.reopened.length, ms: Math.round(ms * 10) / 10 };
  if (r.raised.length || r.resolved.length || r.reopened.length) log.info(data, 'monitor step');
  else log.debug(data, 'monitor step');
}
