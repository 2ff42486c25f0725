import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSchema } from '../collect/schemas.js';

type Security = Record<string, string[]>[];
const WRITE_KEY: Security = [{ writeKey: [] }, { bearer: [] }];
const BEARER: Security = [{ bearer: [] }];

/**
 * Completes each operation of the OpenAPI document from its key check (auth.ts `requireKey`):
 * the security it takes (the write key as HTTP Basic or Bearer; server and admin keys as Bearer;
 * none without a check) and the 401 and 403 refusals in the error shape. Register before the routes.
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
      ...(kind === undefined ? {} : { response: { 401: errorSchema, 403: errorSchema, ...response } }),
    };
  });
}
