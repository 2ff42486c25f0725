import type { FastifyInstance } from 'fastify';
import { authorOf } from '../config/routes.js';
import { decisionCursor, readDecisionCursor } from '../decide/decision-cursor.js';
import { TactError } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import { withOptionalBody } from '../server/openapi-optional-body.js';
import type { Tact } from '../server/tact.js';
import { alertView } from './alerts.js';
import type { StoredAlert } from './monitor-store.js';
import { monitorSchemas } from './schemas.js';
import { apiTime } from '../server/api-time.js';

/**
 * The monitors' alerts: GET /v1/alerts (filters: status, action, since), GET /v1/alerts/{id},
 * POST /v1/alerts/{id}/ack (server key), and POST /v1/monitors/step to run a step on demand (admin
 * key: a step sends alerts to the operator's webhook, which a decision client has no business doing).
 *
 * @example
 * await monitorRoutes(app, tact);
 */
export async function monitorRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read or acknowledge alerts');
  const operate = requireKey(tact.keys, 'admin', 'run a monitors step (it sends alerts)');
  const alerts = tact.store.monitors;

  app.get<{ Querystring: { status?: StoredAlert['status']; action?: string; since?: string; limit?: number; after?: string } }>('/v1/alerts', { preHandler: read, schema: monitorSchemas.list }, async (req) => {
    const q = req.query;
    const limit = q.limit ?? 50;
    const after = q.after !== undefined ? readDecisionCursor(q.after, 'the alerts') : undefined;
    const list = await alerts.listAlerts({ status: q.status, action: q.action, since: apiTime(q.since), after, limit });
    // A full page may have more after it: its last alert is where the next one starts.
    const last = list.length === limit ? list[list.length - 1] : undefined;
    return { alerts: list.map(alertView), next: last ? decisionCursor({ at: last.raisedAt, id: last.id }) : null };
  });

  app.get<{ Params: { id: string } }>('/v1/alerts/:id', { preHandler: read, schema: monitorSchemas.get }, async (req) => {
    const a = await alerts.getAlert(req.params.id);
    if (!a) throw new TactError('not_found', { what: 'alert', id: req.params.id });
    return alertView(a);
  });

  app.post<{ Params: { id: string }; Body: { by?: string } | null }>('/v1/alerts/:id/ack', { preHandler: read, schema: withOptionalBody(monitorSchemas.ack) }, async (req) => {
    const a = await alerts.acknowledge(req.params.id, authorOf(req, req.body?.by), tact.monitoring.clock());
    if (!a) throw new TactError('not_found', { what: 'alert', id: req.params.id });
    tact.log.info({ alert: a.id, by: a.acknowledgedBy, status: a.status }, 'alert acknowledged');
    return alertView(a);
  });

  app.post('/v1/monitors/step', { preHandler: operate, schema: withOptionalBody(monitorSchemas.step) }, async () => {
    const r = await tact.monitoring.step();
    const delivered = await tact.monitoring.webhook.deliverDue();
    return { ...r, delivered };
  });
}
