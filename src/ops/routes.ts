import type { FastifyInstance } from 'fastify';
import { TactError } from '../errors/tact-error.js';
import type { Tact } from '../server/tact.js';

/**
 * GET /metrics in the Prometheus text format, and the request counters behind it. Open by
 * default (scrape it from inside your network); set TACT_METRICS_TOKEN to require
 * `Authorization: Bearer <token>`.
 */
export async function metricsRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const m = tact.metrics;
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    m.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    m.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  const token = process.env.TACT_METRICS_TOKEN;
  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (set TACT_METRICS_TOKEN to require a bearer token)' } }, async (req, reply) => {
    if (token && req.headers.authorization !== `Bearer ${token}`) throw new TactError('invalid_credentials');
    void reply.header('content-type', m.registry.contentType);
    return m.registry.metrics();
  });
}
