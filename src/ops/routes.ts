import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { TactError } from '../errors/tact-error.js';
import type { Tact } from '../server/tact.js';
import { unsendable } from '../keys/keys.js';

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
  const token = metricsToken(process.env);
  const expected = token ? digest(token) : undefined;
  app.get('/metrics', {
    schema: {
      tags: ['ops'],
      summary: 'Prometheus metrics (set TACT_METRICS_TOKEN to require `Authorization: Bearer <token>`)',
      security: token ? [{ bearer: [] }] : [],
      response: { 200: { description: 'The Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...(token ? { 401: errorSchema } : {}) },
    },
  }, async (req, reply) => {
    if (expected) {
      // RFC 9110 §11.4: the scheme in any case, then the token; compared in constant time.
      const sent = /^bearer[ \t]+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
      if (sent === undefined) throw new TactError('metrics_token_required', { detail: req.headers.authorization ? 'the `Authorization` header sent is not of that form' : 'none was sent' });
      if (!timingSafeEqual(digest(sent), expected)) throw new TactError('metrics_token_required', { detail: 'the token sent is not that one' });
    }
    void reply.header('content-type', m.registry.contentType);
    return exposition(await m.registry.metrics());
  });
}

/**
 * The registry's text with a value that is not a number written `NaN`, as the exposition format
 * spells it: prom-client writes `Nan` (lib/util.js), which strict parsers refuse. A scrape before
 * the event loop's delay had a sample read `tact_nodejs_eventloop_lag_mean_seconds Nan`.
 * @example exposition('x_seconds Nan\n') // 'x_seconds NaN\n'
 */
export function exposition(text: string): string {
  return text.replace(/ Nan$/gm, ' NaN');
}

/**
 * The token TACT_METRICS_TOKEN sets (none when unset or empty). One that `Authorization: Bearer
 * <token>` cannot carry — a space, or the line feed a secret file often ends with — would refuse
 * every scrape while the server ran as if all were well: it stops the start, naming the variable
 * and the character, never the token.
 *
 * @example
 * metricsToken({ TACT_METRICS_TOKEN: 'scrape-1' }); // 'scrape-1'
 */
export function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.TACT_METRICS_TOKEN;
  if (!token) return undefined;
  const what = unsendable(token);
  if (what) throw new Error(`TACT_METRICS_TOKEN holds ${what}, which no \`Authorization: Bearer <token>\` header can carry (one word of visible ASCII), so every scrape would be refused. Set a value of letters, digits and punctuation (openssl rand -hex 32).`);
  return token;
}

/** Equal-length digests, so comparing them tells nothing of the token's length or content. */
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
