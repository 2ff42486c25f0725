import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonErrorDetail } from '../config/text-position.js';
import { schemaProblem } from '../errors/schema-problems.js';
import { TactError, validationError } from '../errors/tact-error.js';
import { fullDiskPlace, isDiskFull } from '../store/sqlite/disk-full.js';
import { queryNamed } from './query-fields.js';

/**
 * Turns every error into the catalogue's shape: TactErrors as they are; Fastify's own
 * (validation, body size, media type, an empty body, a body not of its `Content-Length`, a body cut
 * short, bad JSON) into their catalogue codes naming the field, header or body; a plugin's 416 and
 * 412 (the docs' static files: a range past the end, a condition not met) into theirs; another 4xx
 * into `bad_request` with its reason and status;
 * anything else into a generic 500 with an error id — the details go to the log only. A 5xx is
 * logged at error with its stack, but for the 503s refusing requests while the app closes (info),
 * for a full write queue and for a database that did not answer (a warning each, without a stack,
 * and `Retry-After: 1`), and for the store's full disk — the embedded store's, or the PostgreSQL
 * server's (a 507 `store_full`, an error without a stack: the operator must free space).
 */
export function installErrorHandler(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    // A QUERY without a `Content-Type` is refused by Fastify before any route is looked for; no
    // route takes QUERY, so it is answered as a method no route takes.
    const unrouted = err.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE' && req.is404 ? noRoute(req) : undefined;
    const e = unrouted?.error ?? toTactError(err, req);
    if (unrouted?.allow) void reply.header('allow', unrouted.allow);
    // The route's pattern (/v1/profiles/:identifier), not the path or query asked: those hold
    // identifiers (an e-mail). Nor the answer's sentence, which may quote what was sent; the error
    // id finds the line an answer speaks of, `fields` which fields were refused.
    const about = { code: e.code, status: e.statusCode, errorId: e.id, method: req.method, route: req.routeOptions.url ?? 'no route' };
    // A 503 `overloaded` while the server shuts down is a refusal by design (the client is told to
    // retry elsewhere), not a fault: at info, without a stack, as a 4xx. A full write queue's is a
    // warning without a stack: the server is sound and tells the client when to retry; at the rate
    // that fills the queue a stack a request would bury the log.
    if (e.code === 'overloaded' && closing) req.log.info({ ...about, shuttingDown: true }, 'request refused');
    else if (e.code === 'overloaded') req.log.warn({ ...about, queueFull: true }, 'request refused: the write queue is full');
    // The database gone a moment (a restart, a failover): one line each, without a stack — at a
    // hundred requests a second a stack each would bury the log.
    else if (e.code === 'store_unavailable') req.log.warn({ ...about, error: err.message }, 'request failed: the database did not answer');
    // Every write fails until space is freed: one line each, the cause in it, without a stack.
    else if (e.code === 'store_full') req.log.error({ ...about, error: err.message }, `request failed: the disk of ${fullDiskPlace(err)} is full`);
    else if (e.statusCode >= 500) req.log.error({ ...about, err: faultOf(err) }, 'request failed');
    else req.log.info({ ...about, ...(e.problems.length ? { fields: e.problems.map((p) => p.field) } : {}) }, 'request refused');
    // RFC 9110 §11.6.1: a 401 names a scheme the server takes. Bearer only, though collection also
    // takes Basic: a Basic challenge makes a browser open its sign-in dialog over the page.
    if (e.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="tact"');
    if (e.code === 'store_unavailable' || (e.code === 'overloaded' && !closing)) void reply.header('retry-after', '1');
    // RFC 9110 §15.5.17: a 416 to a byte range names the current length, as @fastify/send says it.
    const range = e.code === 'range_not_satisfiable' ? (err as { headers?: Record<string, unknown> }).headers?.['Content-Range'] : undefined;
    if (typeof range === 'string') void reply.header('content-range', range);
    void reply.status(e.statusCode).send(e.toJSON());
  });
  // Each route's path as a pattern, so a path known under other methods answers 405, not 404.
  const routes: { method: string; path: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url === '*') return; // the preflight catch-all (CORS) is no resource of its own
    for (const method of [route.method].flat()) routes.push({ method, path: pathPattern(route.url ?? route.path) });
  });
  /** A 405 with the methods for its `Allow` header where the path is a route's, else a 404. */
  const noRoute = (req: FastifyRequest): { error: TactError; allow?: string } => {
    const url = req.url.split('?')[0] ?? req.url;
    const methods = [...new Set(routes.filter((r) => r.path.test(url)).map((r) => r.method))];
    const allowed = methods.join(', ');
    // A route that takes the method and found nothing to serve (the docs' static files) is a 404.
    if (!allowed || methods.includes(req.method)) return { error: new TactError('route_not_found', { method: req.method, url }) };
    return { error: new TactError('method_not_allowed', { method: req.method, url, allowed }), allow: allowed };
  };
  app.setNotFoundHandler((req, reply) => {
    const { error: e, allow } = noRoute(req);
    if (allow) void reply.header('allow', allow);
    void reply.status(e.statusCode).send(e.toJSON());
  });
}

/**
 * The error a client is told of a fault met where the error handler does not answer (a line of a
 * stream already begun): a TactError as it is; anything else the catalogue's `internal_stream` (the
 * stream stops) or `internal_subject` (one subject's line; the run goes on). A 5xx is
 * logged under its error id as the error handler logs it: the fault's own message may name a
 * path, a table or a value, and goes to the log only.
 *
 * @example
 * const e = errorForClient(err, req.log, { route: '/v1/decide/batch' });
 * yield { type: 'error', error: e.code, message: e.message, errorId: e.id };
 */
export function errorForClient(err: unknown, log: { error(obj: object, msg: string): void }, about: Record<string, unknown>, fault: 'internal_subject' | 'internal_stream' = 'internal_stream'): TactError {
  // Not `internal`: its "nothing was changed by this request" is not so once a stream has begun.
  const e = err instanceof TactError ? err : new TactError(fault, {});
  if (e.statusCode >= 500) log.error({ code: e.code, status: e.statusCode, errorId: e.id, ...about, err: faultOf(err instanceof Error ? err : new Error(String(err))) }, 'request failed');
  return e;
}

/**
 * What the log keeps of a fault: its type, message, code and stack, not the other fields an error
 * may carry (PostgreSQL's `detail` quotes the row's values: `Key (id)=(email:…) already exists`).
 */
function faultOf(err: Error & { code?: unknown }): Error {
  // Of the fault's own class, so the logger's serializer names its type.
  const kept = Object.create(Object.getPrototypeOf(err) as object) as Error & { code?: unknown };
  Object.assign(kept, { message: err.message, stack: err.stack, ...(err.code !== undefined ? { code: err.code } : {}) });
  return kept;
}

/** A route's path (`/v1/keys/:id`, `/docs/*`) as a regular expression over request paths. */
function pathPattern(path: string): RegExp {
  const parts = path.split('/').map((p) => (p === '*' ? '.*' : p.startsWith(':') ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join("/")}$`);
}

function toTactError(err: FastifyError, req: FastifyRequest): TactError {
  // A core's problem with a query parameter, named as the schemas name one (query-fields.ts).
  if (err instanceof TactError) return queryNamed(err, req);
  if (err.validation) {
    const part = err.validationContext;
    const data = part === 'querystring' ? req.query : part === 'params' ? req.params : part === 'headers' ? req.headers : req.body;
    return validationError(err.validation.map((v) => schemaProblem(v, part, data)));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge(req);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TactError('unsupported_media_type', { contentType: String(req.headers['content-type'] ?? 'not given') });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return emptyBody(req);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new TactError('invalid_json', { detail: err.message });
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return new TactError('unsupported_media_type', { contentType: 'not given' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TactError('content_length_mismatch', { length: String(req.headers['content-length'] ?? '').slice(0, 20) });
  }
  // zlib's faults (Z_DATA_ERROR …): the body is not what its Content-Encoding says.
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
    const enc = req.headers['content-encoding']?.trim().toLowerCase() === 'deflate' ? 'deflate' : 'gzip';
    return new TactError('invalid_content_encoding', { encoding: enc, detail: err.message.replace(/\.$/, '') });
  }
  // Fastify marks a fault met reading the body 400 (content-type-parser.js); a SyntaxError without
  // that mark came after the body was read (a corrupt row JSON.parse'd from the store): the server's.
  if (err instanceof SyntaxError) return err.statusCode === 400 ? new TactError('invalid_json', { detail: syntaxDetail(err, req.body) }) : new TactError('internal', {});
  // Fastify marks 400 any fault of the body's stream (content-type-parser.js, rawBody's onEnd); of
  // those, a stream cut short is `body_incomplete`: Node's `aborted` request (ECONNRESET), a
  // pipeline's premature close. Any other 400 (another stream fault, a plugin's) is told as it is.
  if (err.statusCode === 400) return STREAM_CUT.has(String(err.code)) || err.message === 'aborted' ? new TactError('body_incomplete') : new TactError('bad_request', { detail: reasonOf(err) });
  if (err.statusCode === 415) return new TactError('unsupported_media_type', { contentType: String(req.headers['content-type'] ?? 'not given') });
  // A plugin's answer to what the client asked (@fastify/static: a range past a file's end, a
  // condition the file does not meet): the client's doing, never a fault of the server.
  if (err.statusCode === 416) return new TactError('range_not_satisfiable', { range: headerOf(req, 'range'), url: pathOf(req), length: lengthSaid(err) });
  if (err.statusCode === 412) return new TactError('precondition_failed', { header: CONDITIONS.find((h) => req.headers[h.toLowerCase()] !== undefined) ?? 'If-Match', url: pathOf(req) });
  if (typeof err.statusCode === 'number' && err.statusCode > 400 && err.statusCode < 500) return new TactError('bad_request', { detail: `${reasonOf(err)} (HTTP ${err.statusCode})` });
  // The store's disk full: a 500 `internal` until 2026-12-05 (SQLite) and 2026-12-06 (PostgreSQL's 53100), the cause in the log only.
  if (isDiskFull(err)) return new TactError('store_full', { where: fullDiskPlace(err) });
  const unreachable = storeUnreachable(err);
  if (unreachable) return new TactError('store_unavailable', { detail: unreachable });
  return new TactError('internal', {});
}

/** Segment's batch routes (collect/routes.ts), whose limit is a batch's (500 KB). */
const COLLECTION_BATCHES = new Set(['/v1/batch', '/v1/b', '/v1/import']);

/**
 * A body over its route's limit: on Segment's batch routes a batch too large, on its single calls
 * a message too large (both quoting the body's size), on every other route `payload_too_large`
 * naming that route's own limit. Until 2026-12-06 any route ending in `/batch` (POST
 * /v1/decide/batch, whose limit is 1 MB) was told the collection batch's 500 KB sentence.
 */
function tooLarge(req: FastifyRequest): TactError {
  const limit = req.routeOptions.bodyLimit ?? 0;
  const collect = (req.routeOptions.config as { collect?: boolean } | undefined)?.collect === true;
  if (!collect) return new TactError('payload_too_large', { limit: limit.toLocaleString('en') });
  // A body sent compressed or in chunks has no length to quote: it is more than the route's limit.
  const size = Number(req.headers['content-length'] ?? 0) || `more than ${limit}`;
  return COLLECTION_BATCHES.has(req.routeOptions.url ?? '') ? new TactError('batch_too_large', { size }) : new TactError('message_too_large', { size });
}

/** Network faults of a database connection (PostgreSQL's SQLSTATEs of classes 08 and 57P are told by their prefix). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Why the database could not be reached, when that is what this fault is (a connection refused or
 * ended — a restart, a failover, an administrator's terminate; pg's own "Connection terminated"),
 * as a clause for the answer; undefined for any other fault. Never the host or the URL.
 */
function storeUnreachable(err: Error & { code?: unknown }): string | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  if (code.startsWith('57P') || code.startsWith('08')) return 'the connection was ended';
  // ETIMEDOUT: the network's, or the PostgreSQL store's own for a server that accepts and stays silent (stall-watch.ts).
  if (UNREACHABLE.has(code)) return code === 'ECONNREFUSED' ? 'connection refused' : code === 'ETIMEDOUT' ? 'it did not answer in time' : 'the connection failed';
  // The server there but taking no new connection: too many (53300), the database closed to them
  // (55000 "is not currently accepting connections", ALTER DATABASE … ALLOW_CONNECTIONS false) or
  // gone (3D000). /health called it an outage while requests answered a 500 (until 2026-12-05).
  if (code === '53300') return 'it takes no more connections';
  if (code === '3D000') return 'the database is not there';
  if (code === '55000' && /not currently accepting connections/.test(err.message)) return 'the database takes no connections';
  if (/^Connection terminated/.test(err.message) || /timeout exceeded when trying to connect/.test(err.message)) return 'the connection was ended';
  return undefined;
}

/** The request headers a 412 answers, in the order RFC 9110 §13.2.2 evaluates them. */
const CONDITIONS = ['If-Match', 'If-Unmodified-Since', 'If-None-Match', 'If-Modified-Since', 'If-Range'];

/** A request header as it is quoted in an answer: at most 100 characters. */
function headerOf(req: FastifyRequest, name: string): string {
  const v = String(req.headers[name] ?? '');
  return v.length > 100 ? `${v.slice(0, 100)}…` : v;
}

/** The path asked, without its query. */
function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0] ?? req.url;
}

/**
 * The length of the file a 416 is about, from the `Content-Range: bytes *\/<length>` its error
 * carries (@fastify/send, as RFC 9110 §15.5.17 asks), as a clause; the header is answered too.
 */
function lengthSaid(err: FastifyError & { headers?: Record<string, unknown> }): string {
  const m = /^bytes \*\/(\d+)$/.exec(String(err.headers?.['Content-Range'] ?? err.headers?.['content-range'] ?? ''));
  return m ? `it is ${m[1]} bytes long` : 'the range starts past its end';
}

/** The codes of a body's stream cut short before its end. */
const STREAM_CUT = new Set(['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** A 400's own reason, quoted in a sentence: without its final stop, at most 200 characters. */
function reasonOf(err: Error): string {
  const reason = err.message.trim().replace(/\.$/, '') || 'no reason was given';
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

/**
 * The refusal of an empty body sent with a `Content-Type` (JSON, or analytics.js's text/plain):
 * an empty body is no JSON, but `invalid_json` would send its reader looking for a fault in text
 * that is not there. For the routes' body parsers (app.ts, and collection's batch routes).
 *
 * @example
 * if (body === '') return done(emptyBody(req), undefined);
 */
export function emptyBody(req: FastifyRequest): TactError {
  return new TactError('empty_body', { contentType: String(req.headers['content-type'] ?? 'not given').slice(0, 100) });
}

/**
 * Node's reason for a SyntaxError without the piece of text its message may quote (a body can
 * hold a write key or personal data): with the position in the body where the body is text, else
 * the reason alone.
 *
 * @example
 * syntaxDetail(new SyntaxError('Unexpected token \'a\', "{"k": a}" is not valid JSON'), undefined); // "Unexpected token 'a'"
 */
export function syntaxDetail(err: SyntaxError, body: unknown): string {
  if (typeof body === 'string') return jsonErrorDetail(err, body);
  return err.message.replace(/\.$/, '').replace(/ \(line \d+ column \d+\)$/, '').replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
}
