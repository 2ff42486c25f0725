import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_DEPTH, nonFinitePath, nulPath, nulProblem, tooDeepPath, wellFormed } from '../errors/input-values.js';
import { describeValue } from '../errors/schema-problems.js';
import { validationError } from '../errors/tact-error.js';

/**
 * Refuses, with a 400 naming the field, what no store keeps as sent: path and query parameters and
 * request bodies holding a NUL character, and bodies nested deeper than {@link MAX_DEPTH} levels.
 * Collection routes (config `collect`) are checked message by message instead (normalize.ts), so
 * that a batch keeps its valid messages.
 *
 * @example
 * refuseUnstorable(app);
 */
export function refuseUnstorable(app: FastifyInstance): void {
  app.addHook('preValidation', (req, _reply, done) => {
    const collect = isCollect(req);
    const deep = collect ? undefined : tooDeepPath(req.body);
    if (deep) return done(validationError([{ field: deep, message: `The body nests deeper than ${MAX_DEPTH} levels at \`${deep}\`; no field Tact takes is that deep.` }]));
    const where = nulPath(req.params) ?? prefixed('querystring', nulPath(req.query)) ?? (collect ? undefined : nulPath(req.body));
    done(where ? validationError([nulProblem(where)]) : undefined);
  });
}

/**
 * Refuses, with a 400 naming the field, numbers that are not finite in parameters and bodies once
 * validated (the validator turns "Infinity" into a number that passes `integer` and `maximum`).
 * The field is named as Tact's 400s name one inside a list — `items[0].relevance`, as a collected
 * message's `properties.products[1].price` or a configuration's `placements[0].safeDefault` — so a
 * re-ranked list's `1e400` and its `null` name the same field (src/models/recommend/rerank-list.ts).
 * Collection routes check their messages one by one instead (normalize.ts), so that a batch keeps
 * its valid messages and lists the one holding `1e400` in `rejected`, naming the field.
 *
 * @example
 * refuseNonFinite(app);
 */
export function refuseNonFinite(app: FastifyInstance): void {
  app.addHook('preHandler', (req, _reply, done) => {
    const where =
      prefixed('querystring', nonFinitePath(req.query)) ??
      (isCollect(req) ? undefined : nonFinitePath(req.body));
    done(where ? validationError([{ field: where, message: `The \`${where}\` must be a finite number.` }]) : undefined);
  });
}

/**
 * A JSON body as it will be stored: every unpaired UTF-16 surrogate (half a character, which JSON
 * text can write as `\ud800`) in its strings and keys replaced by U+FFFD, so that the answer shows
 * what is kept and both stores keep the same (until 2026-12-06 a key's `label`, a flag's `note` or
 * a change's `author` was echoed raw, then stored as three U+FFFD on SQLite and one on
 * PostgreSQL). UTF-8 and the other charsets read refuse an encoded surrogate (body-text.ts), so
 * only an escape can carry one: a body without `\uD8`–`\uDF` is not walked. Collection routes
 * are left as sent: normalize.ts refuses half a character in an identifier and replaces it
 * elsewhere, message by message.
 *
 * @example
 * wellFormedBody(req, '{"label":"lab\\ud800el"}', { label: 'lab\ud800el' }); // { label: 'lab\ufffdel' }
 */
export function wellFormedBody(req: FastifyRequest, text: string, body: unknown): unknown {
  return SURROGATE_ESCAPE.test(text) && !isCollect(req) ? wellFormedValue(body, 0) : body;
}

/**
 * `value` with its strings and keys made well-formed (input-values.ts `wellFormed`), keeping an own
 * `__proto__` key an own property as JSON.parse made it, not the new object's prototype. Deeper
 * than {@link MAX_DEPTH} it is left as it is: {@link refuseUnstorable} refuses such a body.
 */
function wellFormedValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => wellFormedValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, wellFormed(k), { value: wellFormedValue(v, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/** A JSON escape of a UTF-16 surrogate (U+D800–U+DFFF), in either case. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** A collection route (Segment's API): its messages are checked one by one, in normalize.ts. */
const isCollect = (req: FastifyRequest) => (req.routeOptions.config as { collect?: boolean } | undefined)?.collect === true;

const prefixed = (prefix: string, path: string | undefined) => (path ? `${prefix}.${path}` : undefined);

/** What a route that takes no query parameter declares: any parameter is refused by name (schema-problems.ts). */
const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * Gives every API route (under /v1/) that declares no query parameters a query schema that takes
 * none, and one that declares some a schema that takes those only, so that `?dryRun=true` on POST /v1/decide is a 400 naming `querystring.dryRun` — not a real,
 * logged decision — as on the routes that declared it one by one (until 2026-12-05 POST
 * /v1/decide, /v1/outcomes, GET /v1/decisions/{id}, its replay, a profile's estimates and
 * /v1/segments answered 200 and ignored what they did not read). Collection routes (Segment's
 * API) are left as they are: Segment's clients and proxies may add parameters it ignores.
 *
 * @example
 * refuseUnreadQuery(app); // before the routes are registered
 */
export function refuseUnreadQuery(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url?.startsWith('/v1/') || (route.config as { collect?: boolean } | undefined)?.collect === true) return;
    const schema = (route.schema ??= {}) as { querystring?: Record<string, unknown> };
    // A route that declares its parameters takes those only, unless it says otherwise (POST
    // /v1/models/{name}/train?dryRun=true trained for real: its schema named `wait` and `sync`).
    if (schema.querystring && schema.querystring.type === 'object' && !('additionalProperties' in schema.querystring)) schema.querystring = { ...schema.querystring, additionalProperties: false };
    schema.querystring ??= NO_QUERY;
  });
}

/**
 * Refuses, with a 400 naming what was sent, a request body on an API route (under /v1/) that
 * declares none, so that `{"dryRun":true}` on POST /v1/models/{name}/train is not a real training
 * and `{"reason":"…"}` on DELETE /v1/flags/{id} is not dropped unseen (until 2026-12-05 both
 * answered as if no body was sent). An object's properties are named each, as a route's body
 * schema names one it does not take; any other value names `body`. A body that says nothing —
 * none, `null` or `{}` — is taken, as clients that send one with every POST do. (An empty body
 * with a `Content-Type` is `empty_body`, as on every route.) Collection routes are left as they
 * are, as for the query ({@link refuseUnreadQuery}). A GET's body is never read.
 *
 * @example
 * refuseUnreadBody(app);
 */
export function refuseUnreadBody(app: FastifyInstance): void {
  app.addHook('preValidation', (req, _reply, done) => {
    const body: unknown = req.body;
    if (body === undefined || body === null || !req.routeOptions.url?.startsWith('/v1/') || isCollect(req)) return done();
    if ((req.routeOptions.schema as { body?: unknown } | undefined)?.body !== undefined) return done();
    if (typeof body !== 'object' || Array.isArray(body)) return done(validationError([{ field: 'body', message: `This endpoint takes no request body; it was ${describeValue(body)}. Send the request without one.` }]));
    const names = Object.keys(body);
    // A property that is one of the route's query parameters is pointed there (`{"force":true}` on POST /v1/models/{name}/train).
    const query = ((req.routeOptions.schema as { querystring?: { properties?: Record<string, unknown> } } | undefined)?.querystring?.properties ?? {}) as Record<string, unknown>;
    const inQuery = (name: string) => `The \`${name}\` property is not one this endpoint takes: it reads no request body, and \`${name}\` is a query parameter — send it as \`?${name}=${encodeURIComponent(queryValue((body as Record<string, unknown>)[name]))}\` and the request without a body.`;
    // A property with an empty name is named as the body (a field must be named by something).
    // (Named `body.force`: a bare name of a query parameter is read as the query's, query-fields.ts.)
    const problems = names.slice(0, 20).map((name) => (name ? (Object.hasOwn(query, name) ? { field: `body.${name}`, message: inQuery(name) } : { field: name, message: `The \`${name}\` property is not one this endpoint takes: it reads no request body. Send the request without one.` }) : { field: 'body', message: 'The body holds a property with an empty name, and this endpoint reads no request body. Send the request without one.' }));
    done(problems.length ? validationError(problems) : undefined);
  });
}

/** A body property's value as it would be written in a query string (objects as JSON). */
function queryValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}
