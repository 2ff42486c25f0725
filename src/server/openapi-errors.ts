import type { FastifySchema } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { errorCodes, errorMeaning } from './openapi-error-codes.js';

/** A route's schema as @fastify/swagger hands it to `transform`. */
interface RouteDoc {
  schema: FastifySchema;
  url: string;
  route?: { method?: string | string[]; config?: unknown };
}

/**
 * @fastify/swagger's `transform`: completes an operation of the OpenAPI document with the error
 * answers every route can give, in the error shape, where the route does not declare them itself —
 * 500 and 503 everywhere; 400 where it takes a body, a query or a path parameter (the schemas and
 * the input guard refuse what is wrong, naming the field); 404 and 414 where a path parameter
 * names something; 413, 415 and 507 (the embedded store's disk full) where it reads a body — with a sentence for each status that has
 * none, naming each code of the catalogue it can carry on that route (openapi-error-codes.ts:
 * `rollback_unavailable` on a model's rollback, `tracking_plan_blocked` on a collected message …;
 * until 2026-12-05 the 414s, `bad_url`, `store_unavailable` and the routes' own codes were not
 * said). An operation that declares no successful answer says so (`2XX`, no schema) instead of
 * documenting none. The document only: what the routes answer, and how, is unchanged.
 *
 * @example
 * await app.register(swagger, { openapi: { … }, transform: documentErrors });
 */
export function documentErrors({ schema: given, url, route }: RouteDoc): { schema: FastifySchema; url: string } {
  const schema = given as Record<string, unknown> | undefined;
  if (!schema || schema.hide) return { schema: given, url };
  const methods = [route?.method ?? []].flat().map((m) => m.toUpperCase());
  const params = url.includes('/:');
  // Fastify reads a body on every method but GET and HEAD (a DELETE's is refused by the input guard, naming its fields).
  const body = methods.some((m) => m !== 'GET' && m !== 'HEAD');
  const input = params || body || schema.querystring !== undefined;
  const collect = (route?.config as { collect?: boolean } | undefined)?.collect === true;
  const op = { params, body, input, collect };
  const statuses = ['500', '503', ...(input ? ['400'] : []), ...(params ? ['404', '414'] : []), ...(body ? ['413', '415', '507'] : [])];
  const meaning = (status: string) => errorMeaning(errorCodes(status, url, op));
  const declared = (schema.response ?? {}) as Record<string, Record<string, unknown>>;
  const response: Record<string, unknown> = {};
  if (!Object.keys(declared).some((s) => s.startsWith('2'))) response['2XX'] = { description: 'Done. (This operation does not describe its answer yet.)' };
  for (const [status, s] of Object.entries(declared)) response[status] = s.description || !meaning(status) ? s : { ...s, description: meaning(status) };
  for (const status of statuses) response[status] ??= { ...errorSchema, description: meaning(status) };
  // A route's own conflicts, where it does not declare its 409 (a model's rollback and promotion).
  if (!response['409'] && errorCodes('409', url, op).some((c) => c !== 'conflict')) response['409'] = { ...errorSchema, description: meaning('409') };
  return { schema: { ...schema, response }, url };
}
