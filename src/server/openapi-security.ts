import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSchema } from '../collect/schemas.js';

type Security = Record<string, string[]>[];
const WRITE_KEY: Security = [{ writeKey: [] }, { bearer: [] }];
const BEARER: Security = [{ bearer: [] }];

/** How a collection route's key is found (auth.ts `requireKey`; docs/keys.md, "Sending a key"). */
const COLLECT_401 = 'No key (`missing_credentials`); a malformed `Authorization` header, or a body `writeKey` that is not a non-empty string (`malformed_credentials`); '
  + 'a revoked key in the `Authorization` header or as the body\'s `writeKey`, whatever else the request carries (`revoked_credentials`); '
  + 'or no active key of this server\'s (`invalid_credentials`). An active key in the header is the request\'s key (a body `writeKey` none of Tact\'s keys beside it is passed over); '
  + 'a Bearer token none of Tact\'s keys is passed over for the body\'s `writeKey` (Segment\'s OAuth access token); an HTTP Basic user name none of Tact\'s keys is refused (Basic is the write key itself).';

/**
 * Completes each operation of the OpenAPI document from its key check (auth.ts `requireKey`):
 * the security it takes (the write key as HTTP Basic or Bearer; server and admin keys as Bearer;
 * none without a check) and the 401 and 403 refusals in the error shape, a collection route's 401
 * saying how a header and the body's `writeKey` combine. Register before the routes.
 */
export function describeSecurity(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide || schema.security) return;
    const checks = [route.preHandler ?? []].flat() as { keyKind?: string }[];
    const kind = checks.find((c) => c.keyKind)?.keyKind;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    route.schema = {
      ...schema,
      security: kind === undefined ? [] : kind === 'write' ? WRITE_KEY : BEARER,
      ...(kind === undefined ? {} : { response: { 401: errorSchema, 403: errorSchema, ...response, ...(collects(route) ? { 401: { ...errorSchema, description: COLLECT_401 } } : {}) } }),
    };
  });
}

/** A collection route (config `collect`), which also takes the write key as `writeKey` in the body. */
const collects = (route: RouteOptions) => (route.config as { collect?: boolean } | undefined)?.collect === true;
