import type { FastifySchema } from 'fastify';
import { errorSchema } from '../collect/schemas.js';

/** What each error status means on every route that can give it (docs/errors.md has every code). */
const MEANING: Record<string, string> = {
  400: 'A field is missing, of the wrong type or out of range (`validation_failed`; `problems` names each), the body is not JSON (`invalid_json`), is empty though a `Content-Type` announces one (`empty_body`), is not as long as its `Content-Length` says (`content_length_mismatch`), did not all arrive (`body_incomplete`), or is not valid in its charset — the one its `Content-Type` names, else UTF-8 (`invalid_encoding`, naming the byte offset); another refusal of the request as sent is `bad_request`.',
  401: 'No key (`missing_credentials`), a malformed `Authorization` header (`malformed_credentials`), a key this server does not know (`invalid_credentials`), or a revoked key (`revoked_credentials`).',
  403: 'The key\'s kind may not do this (`forbidden`).',
  404: 'Nothing has the name or id the path gives (`not_found`, listing the names there are where they can be listed); a name within two edits of a known one, such as `ratez`: `unknown_name`, naming it (`suggestion`); a profile asked for by a misspelt identifier kind, such as `userid:u1`: `unknown_identifier_kind`, naming the identifier meant.',
  409: 'The change expected another version, or something else holds the name (`conflict`).',
  413: 'The body is over this route\'s limit (`payload_too_large`; collection: `message_too_large`, `batch_too_large`).',
  415: 'The body is not JSON (`unsupported_media_type`), its `Content-Type` names a charset the server does not read (`unsupported_charset`), or its `Content-Encoding` is not gzip, deflate or identity (`unsupported_content_encoding`).',
  500: 'A fault on the server; nothing was changed (`internal`). The `errorId` finds it in the server log.',
  503: 'The server is shutting down or its write queue is full, and nothing was stored (`overloaded`): retry.',
};

/** A route's schema as @fastify/swagger hands it to `transform`. */
interface RouteDoc {
  schema: FastifySchema;
  url: string;
  route?: { method?: string | string[] };
}

/**
 * @fastify/swagger's `transform`: completes an operation of the OpenAPI document with the error
 * answers every route can give, in the error shape, where the route does not declare them itself —
 * 500 and 503 everywhere; 400 where it takes a body, a query or a path parameter (the schemas and
 * the input guard refuse what is wrong, naming the field); 404 where a path parameter names
 * something; 413 and 415 where it takes a body — with a sentence for each status that has none.
 * An operation that declares no successful answer says so (`2XX`, no schema) instead of
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
  const body = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  const input = params || body || schema.querystring !== undefined;
  const statuses = ['500', '503', ...(input ? ['400'] : []), ...(params ? ['404'] : []), ...(body ? ['413', '415'] : [])];
  const declared = (schema.response ?? {}) as Record<string, Record<string, unknown>>;
  const response: Record<string, unknown> = {};
  if (!Object.keys(declared).some((s) => s.startsWith('2'))) response['2XX'] = { description: 'Done. (This operation does not describe its answer yet.)' };
  for (const [status, s] of Object.entries(declared)) response[status] = s.description || !MEANING[status] ? s : { ...s, description: MEANING[status] };
  for (const status of statuses) response[status] ??= { ...errorSchema, description: MEANING[status] };
  return { schema: { ...schema, response }, url };
}
