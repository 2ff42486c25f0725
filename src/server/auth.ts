import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { TactError, withArticle } from '../errors/tact-error.js';
import type { ApiKey, KeyKind } from '../keys/key-store.js';
import type { Keys } from '../keys/keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
  interface FastifyContextConfig {
    /** A collection route: a body over the limit is a message (or batch) that is too large. */
    collect?: boolean;
  }
}

const RANK: Record<KeyKind, number> = { write: 0, server: 1, admin: 2 };

/**
 * Finds and checks the request's key. Routes that take the write key (need `write`: collection,
 * decisions at public placements, outcomes) accept it as the HTTP Basic user name; collection
 * routes (config `collect`) also as `writeKey` in the body, as analytics.js sends it, and there
 * with a Bearer token none of ours beside it, as Segment's clients with OAuth send it. Every route
 * takes `Authorization: Bearer <key>`, and routes needing a server or admin key take nothing else;
 * Basic carries only the write key. So credentials a browser may attach on its own (Basic) never
 * carry more than the write key's powers.
 *
 * The check is given as a preHandler; {@link checkKeysBeforeBody} also runs it on request, before
 * the body is read, and the preHandler then passes a request already checked. Without that hook
 * (an app of a test) the preHandler alone checks, after the body.
 *
 * @example
 * app.post('/v1/decide', { preHandler: requireKey(keys, 'server', 'ask for a decision') }, handler);
 */
export function requireKey(keys: Keys, need: KeyKind, action: string) {
  const passed = new WeakSet<FastifyRequest>();
  const check = async (req: FastifyRequest): Promise<void> => {
    const sent = secretOf(req, need === 'write');
    if (!sent) throw new TactError('missing_credentials');
    const key = (await keys.authenticate(sent.secret)) ?? (sent.bearer && isCollect(req) ? await keyInBody(keys, req) : undefined);
    if (!key) throw new TactError('invalid_credentials');
    if (sent.basic && key.kind !== 'write') {
      throw malformed(`holds ${withArticle(key.kind)} key as the HTTP Basic user name, which carries only the write key; send ${withArticle(key.kind)} key as \`Authorization: Bearer <key>\`.`);
    }
    if (need === 'write' ? false : RANK[key.kind] < RANK[need]) {
      throw new TactError('forbidden', { have: key.kind, action, need });
    }
    req.apiKey = key;
  };
  const beforeBody = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // A collection request without the header may carry `writeKey` in its body (analytics.js): it
    // is checked once read, by the preHandler. Its route's bodyLimit bounds what a stranger makes
    // the server read (32 KB a message, 500 KB a batch, counted after decompression).
    if (!hasAuthorization(req) && need === 'write' && isCollect(req)) return;
    try {
      await check(req);
    } catch (err) {
      // Nor a collection request whose Bearer token is none of ours: Segment's clients with OAuth
      // send their access token so and the write key as `writeKey` in the body, read first.
      if (isCollect(req) && err instanceof TactError && err.code === 'invalid_credentials' && isBearer(req)) return;
      // The body is left unread: as Fastify does after a body it refuses, the connection closes
      // rather than read on to the end of a body nobody will look at.
      if (carriesBody(req)) void reply.header('connection', 'close');
      throw err;
    }
    passed.add(req);
  };
  // The kind is kept on the check so the OpenAPI document can say which key each operation takes.
  return Object.assign(async (req: FastifyRequest): Promise<void> => {
    if (!passed.has(req)) await check(req);
  }, { keyKind: need, beforeBody });
}

/**
 * Runs each route's key check (a {@link requireKey} preHandler) on request too, before the body
 * is read, decompressed, parsed and validated: a request with no key or a wrong one in its header
 * is a 401 (or a 403, a malformed header's 401) whatever its body, and costs no reading of it —
 * but for a collection request whose Bearer token is none of ours, whose body may hold its
 * `writeKey`. Register before the routes.
 *
 * @example
 * checkKeysBeforeBody(app);
 */
export function checkKeysBeforeBody(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const early = ([route.preHandler ?? []].flat() as { beforeBody?: (req: FastifyRequest, reply: FastifyReply) => Promise<void> }[]).flatMap((c) => c.beforeBody ?? []);
    if (early.length) route.onRequest = [...[route.onRequest ?? []].flat(), ...early];
  });
}

const hasAuthorization = (req: FastifyRequest) => (req.headers.authorization ?? '').trim() !== '';
const isBearer = (req: FastifyRequest) => /^bearer(?:[ \t]|$)/i.test((req.headers.authorization ?? '').trim());
const carriesBody = (req: FastifyRequest) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

const BEARER_ONLY = 'takes a server or admin key as `Authorization: Bearer <key>`';
const malformed = (detail: string) => new TactError('malformed_credentials', { detail });

/**
 * The secret a request carries. A header given is the one place looked at; its faults are told
 * without quoting it (a key sent without a scheme would otherwise be repeated, and logged).
 */
function secretOf(req: FastifyRequest, takesWriteKey: boolean): { secret: string; basic?: true; bearer?: true } | undefined {
  const h = req.headers.authorization;
  if (h !== undefined && h.trim() !== '') {
    // RFC 9110 §11.4: the scheme (any case), one or more spaces, the credentials.
    const m = /^([A-Za-z]+)(?:[ \t]+(.*))?$/.exec(h.trim());
    const scheme = m?.[1].toLowerCase();
    const value = m?.[2]?.trim() ?? '';
    if (scheme === 'bearer') {
      if (!value) throw malformed('says `Bearer` but holds no key after it; send `Authorization: Bearer <key>`.');
      if (/\s/.test(value)) throw malformed('holds more than one word after `Bearer`; send `Authorization: Bearer <key>` with the key alone.');
      return { secret: value, bearer: true };
    }
    if (scheme === 'basic') {
      if (!takesWriteKey) throw malformed(`is HTTP Basic, which carries only the write key (collection, \`/v1/decide\`, \`/v1/outcomes\`); this endpoint ${BEARER_ONLY}.`);
      return { secret: basicUser(value), basic: true };
    }
    throw malformed(takesWriteKey
      ? 'must be `Basic` with the write key as the user name and an empty password, or `Bearer <key>`.'
      : `must be \`Bearer <key>\`: this endpoint ${BEARER_ONLY}.`);
  }
  if (!isCollect(req)) return undefined;
  const inBody = writeKeyInBody(req.body);
  return inBody ? { secret: inBody } : undefined;
}

/** The `writeKey` of a collection body, parsed or still text; undefined when it has none. */
function writeKeyInBody(body: unknown): string | undefined {
  const inBody = body && typeof body === 'object' ? (body as { writeKey?: unknown }).writeKey : typeof body === 'string' ? writeKeyInText(body) : undefined;
  return typeof inBody === 'string' && inBody ? inBody : undefined;
}

/**
 * The key of a collection request's `writeKey` when its Bearer token is none of Tact's: Segment's
 * clients with OAuth (analytics-node's `oauthSettings`, the HTTP API's OAuth) send the access
 * token from Segment's authorization server as `Authorization: Bearer` and the write key in the
 * body. The token is not checked (Tact is not Segment's authorization server); the write key is, as
 * it would be with no header at all.
 */
async function keyInBody(keys: Keys, req: FastifyRequest): Promise<ApiKey | undefined> {
  const inBody = writeKeyInBody(req.body);
  return inBody ? keys.authenticate(inBody) : undefined;
}

/** The user name of Basic credentials (the password, if any, is ignored, as Segment does). */
function basicUser(value: string): string {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    throw malformed('says `Basic` but what follows is not base64 of `<write key>:`; send the write key as the user name with an empty password.');
  }
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  if (!user) throw malformed('says `Basic` but holds no user name; send the write key as the user name with an empty password (`curl -u "$TACT_WRITE_KEY:"`).');
  return user;
}

/** A collection route (Segment's API), where analytics.js puts the write key in the body. */
const isCollect = (req: FastifyRequest) => (req.routeOptions.config as { collect?: boolean } | undefined)?.collect === true;

const WRITE_KEY = /"writeKey"\s*:\s*"([^"\\]*)"/g;

/**
 * The `writeKey` of a batch body still held as text (the batch routes read their bodies in a parse
 * worker): found without parsing when the text names one value only, else by parsing it.
 */
export function writeKeyInText(text: string): string | undefined {
  if (!text.includes('"writeKey"')) return undefined;
  let found: string | undefined;
  for (const m of text.matchAll(WRITE_KEY)) {
    if (found !== undefined && m[1] !== found) return topLevelWriteKey(text);
    found = m[1];
  }
  return found ?? topLevelWriteKey(text);
}

function topLevelWriteKey(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { writeKey?: unknown } | null;
    return body && typeof body === 'object' && typeof body.writeKey === 'string' ? body.writeKey : undefined;
  } catch {
    return undefined;
  }
}
