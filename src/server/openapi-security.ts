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

/** The kinds of key a route needing `kind` takes: that kind and those above it (auth.ts RANK). */
const TAKEN: Record<string, string[]> = { write: ['write', 'server', 'admin'], server: ['server', 'admin'], admin: ['admin'] };

/** The sentence an operation's description ends with, saying which keys it takes. */
const NEEDS: Record<string, (collect: boolean) => string> = {
  write: (collect) => `Needs a key of any kind: the write key (as the HTTP Basic user name${collect ? ', or as `writeKey` in the body' : ''}, or as Bearer), or a server or admin key as Bearer.`,
  server: () => 'Needs a server or admin key (as Bearer); a write key is refused (403 `forbidden`).',
  admin: () => 'Needs an admin key (as Bearer); a write or server key is refused (403 `forbidden`).',
};

/** The 403 of an operation needing a server or admin key: which keys are refused. */
const REFUSED: Record<string, string> = {
  server: '`forbidden`: a write key; this operation needs a server or admin key.',
  admin: '`forbidden`: a write or server key; this operation needs an admin key.',
};

/** The extension naming the kinds of key an operation takes, e.g. `["server", "admin"]`. */
export const KEY_KINDS = 'x-tact-key';

/**
 * Completes each operation of the OpenAPI document from its key check (auth.ts `requireKey`):
 * the security it takes (the write key as HTTP Basic or Bearer; server and admin keys as Bearer;
 * none without a check), the kinds of key it takes ({@link KEY_KINDS}, and a sentence ending its
 * description: until 2026-12-06 every server and admin operation said only `bearer`), and the 401
 * and 403 refusals in the error shape, a collection route's 401 saying how a header and the body's
 * `writeKey` combine. Register before the routes.
 */
export function describeSecurity(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide || schema.security) return;
    const checks = [route.preHandler ?? []].flat() as { keyKind?: string }[];
    const kind = checks.find((c) => c.keyKind)?.keyKind;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    const needs = kind === undefined ? undefined : NEEDS[kind]?.(collects(route));
    const said = typeof schema.description === 'string' && schema.description ? `${schema.description}\n\n` : '';
    route.schema = {
      ...schema,
      security: kind === undefined ? [] : kind === 'write' ? WRITE_KEY : BEARER,
      ...(kind === undefined ? {} : { [KEY_KINDS]: TAKEN[kind], description: `${said}${needs}` }),
      ...(kind === undefined ? {} : { response: { 401: errorSchema, 403: errorSchema, ...response, ...(REFUSED[kind] ? { 403: refused(response[403], REFUSED[kind]) } : {}), ...(collects(route) ? { 401: { ...errorSchema, description: COLLECT_401 } } : {}) } }),
    };
  });
}

/** A collection route (config `collect`), which also takes the write key as `writeKey` in the body. */
const collects = (route: RouteOptions) => (route.config as { collect?: boolean } | undefined)?.collect === true;

/** A 403 the route declares, or the error shape, with the sentence saying which keys it refuses (unless it says its own). */
const refused = (declared: unknown, sentence: string) => {
  const d = (declared ?? errorSchema) as { description?: string };
  return d.description ? d : { ...d, description: sentence };
};
