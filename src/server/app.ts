import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { createGunzip, createInflate } from 'node:zlib';
import { collectRoutes } from '../collect/routes.js';
import { configRoutes } from '../config/routes.js';
import { decisionRoutes } from '../decide/routes/index.js';
import { measureRoutes } from '../measure/routes.js';
import { keyRoutes } from '../keys/routes.js';
import { learnRoutes } from '../models/routes.js';
import { featureRoutes } from '../profiles/features/routes.js';
import { profileRoutes } from '../profiles/routes.js';
import { checkKeysBeforeBody } from './auth.js';
import { emptyBody, installErrorHandler } from './errors.js';
import { bodyText } from './body-text.js';
import { describeSecurity } from './openapi-security.js';
import { documentErrors } from './openapi-errors.js';
import { asOpenApi30 } from './openapi-3-0.js';
import { optionalBodies } from './openapi-optional-body.js';
import { TactError } from '../errors/tact-error.js';
import { jsonErrorDetail } from '../config/text-position.js';
import { refuseNonFinite, refuseUnreadBody, refuseUnreadQuery, refuseUnstorable, wellFormedBody } from './input-guard.js';
import { healthRoutes } from './health.js';
import { sharedSerializers } from './serializers.js';
import { partValidators } from './validators.js';
import { ClientErrors } from './client-errors.js';
import { serverTimeouts, timeoutOptions, type ServerTimeouts } from './timeouts.js';
import { metricsRoutes } from '../ops/routes.js';
import { monitorRoutes } from '../monitor/routes.js';
import { browserModuleRoutes } from '../client/routes.js';
import type { Tact } from './tact.js';

import { VERSION } from './version.js';

/** The longest path parameter the router takes (characters as sent, percent-encoding included). */
const MAX_PARAM_LENGTH = 2048;

/**
 * Builds the HTTP app from a wired Tact, without listening: tests use `app.inject()`, the CLI
 * calls `listen()`. How long it waits on slow clients comes from `timeouts`, else from the
 * environment (timeouts.ts).
 *
 * @example
 * const app = await buildApp(tact); await app.listen({ port: 8787 });
 */
export async function buildApp(tact: Tact, options: { timeouts?: ServerTimeouts } = {}): Promise<FastifyInstance> {
  const timeouts = options.timeouts ?? serverTimeouts(process.env);
  // The logger is pino; Fastify's own type for it is narrower.
  const log = tact.log as FastifyBaseLogger;
  const clientErrors = new ClientErrors(timeouts, log);
  const app = Fastify({
    loggerInstance: log,
    // Slow clients (slowloris) are cut off; what the parser refuses is answered in the error shape.
    ...timeoutOptions(timeouts),
    clientErrorHandler: clientErrors.handler,
    // Request logs at hundreds of batches a second say nothing; errors and slow commits are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Identifiers are up to 512 characters (normalize.ts), and `kind:value` percent-encoded takes
    // up to three times that in a path: GET /v1/profiles/{identifier} must reach every one.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals in the one error shape (errors/catalogue.ts), not Fastify's.
    frameworkErrors: (err, req, reply) => {
      const path = req.url.split('?')[0] ?? req.url;
      const shown = path.length > 120 ? `${path.slice(0, 120)}…` : path;
      const e = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new TactError('url_too_long', { limit: MAX_PARAM_LENGTH.toLocaleString('en'), path: shown }) : err.code === 'FST_ERR_BAD_URL' ? new TactError('bad_url', { path: shown }) : new TactError('internal');
      // The reply's type here is the generic route's; the answer is the catalogue's JSON.
      void (reply as unknown as FastifyReply).status(e.statusCode).send(e.toJSON());
    },
    // Requests that arrive while the server closes are refused below, in the catalogue's shape.
    return503OnClosing: false,
    trustProxy: true,
    // Plain JSON.parse: messages are data, never merged into prototypes (profile folding skips
    // __proto__/constructor keys), so the slower prototype-poisoning scan is not needed.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  clientErrors.watch(app.server);
  // A JSON body is checked as it was sent; the query string, path and headers, which are text,
  // are read as the types their schemas declare (validators.ts).
  app.setValidatorCompiler(partValidators());
  // Response schemas are compiled once per process, not again for each app (serializers.ts).
  app.setSerializerCompiler(sharedSerializers());
  installErrorHandler(app);
  // Once closing, requests in flight finish; new ones on open connections are told to retry.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onRequest', (_req, reply, done) => {
    if (!closing) return done();
    void reply.header('connection', 'close');
    done(new TactError('overloaded'));
  });
  refuseUnstorable(app);
  refuseUnreadQuery(app);
  refuseUnreadBody(app);
  refuseNonFinite(app);
  await app.register(cors, { origin: true, credentials: false, methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'], exposedHeaders: ['Retry-After'] });

  // analytics.js posts JSON as text/plain (to avoid a CORS preflight); some SDKs gzip their batches.
  // Both parse here so a body that is not JSON is told where it stops being JSON. Bytes, read in
  // the charset the Content-Type names (body-text.ts): Fastify's strings are UTF-8 whatever was sent.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, (req, bytes, done) => {
    let body: string;
    try {
      body = bodyText(bytes as Buffer, req.headers['content-type']);
    } catch (err) {
      return done(err as TactError, undefined);
    }
    if (body === '') return done(emptyBody(req), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      return done(new TactError('invalid_json', { detail: jsonErrorDetail(err, body) }), undefined);
    }
    // Half a character (`\ud800`) as U+FFFD, as both stores keep it, so the answer shows what is kept (input-guard.ts).
    done(null, wellFormedBody(req, body, parsed));
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    // Content codings are case-insensitive (RFC 9110 §8.4.1).
    const enc = req.headers['content-encoding']?.trim().toLowerCase();
    if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
      delete req.headers['content-length'];
      const decoder = enc === 'deflate' ? createInflate() : createGunzip();
      // pipe() does not pass on the request's fault: a connection closed inside a compressed body
      // would leave the parser waiting, not answered `body_incomplete` (errors.ts).
      payload.once('error', (err) => decoder.destroy(err));
      return payload.pipe(decoder);
    }
    if (enc && enc !== 'identity') throw new TactError('unsupported_content_encoding', { encoding: enc.slice(0, 40) });
    return payload;
  });

  // Keys sent in a header are checked on request, before any body is read (auth.ts).
  checkKeysBeforeBody(app);
  describeSecurity(app);
  await app.register(swagger, {
    // Every operation's error answers, in the error shape (openapi-errors.ts).
    transform: documentErrors,
    // Bodies a route takes optionally are documented so (openapi-optional-body.ts), and the
    // schemas are written in OpenAPI 3.0's dialect of JSON Schema (openapi-3-0.ts).
    transformObject: (doc) => asOpenApi30(optionalBodies(doc)),
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tact API',
        version: VERSION,
        description: 'Collect what customers do (Segment-compatible), remember them, decide what to show or send, explain every decision. Keys: write key as HTTP Basic user name for collection; server and admin keys as `Authorization: Bearer <key>`.',
      },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic', description: 'Write key as the user name, empty password (Segment style).' },
          bearer: { type: 'http', scheme: 'bearer', description: 'Server or admin key (on `/metrics`, the token set in TACT_METRICS_TOKEN).' },
        },
      },
      tags: [
        { name: 'collect', description: "Segment's HTTP Tracking API" },
        { name: 'profiles', description: 'Customer memory: profiles, accounts, features' },
        { name: 'config', description: 'Versioned operator configuration' },
        { name: 'keys', description: 'API keys' },
        { name: 'decide', description: 'Decisions, the decision log, outcomes, flags, reviews' },
        { name: 'learn', description: 'Estimates, segments, recommendations, the model registry and calibration' },
        { name: 'measure', description: 'Experiment results and off-policy evaluation on the decision log; monitors and their alerts' },
        { name: 'ops', description: 'Health and docs' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await metricsRoutes(app, tact);
  await healthRoutes(app, tact);
  await collectRoutes(app, tact);
  await profileRoutes(app, tact);
  await featureRoutes(app, tact);
  await configRoutes(app, tact);
  await keyRoutes(app, tact);
  await decisionRoutes(app, tact);
  await measureRoutes(app, tact);
  await learnRoutes(app, tact);
  await monitorRoutes(app, tact);
  await browserModuleRoutes(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
