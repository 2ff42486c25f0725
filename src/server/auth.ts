import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { describeValue } from '../errors/schema-problems.js';
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
 * A request presenting a revoked key of ours — in the header, or as the body's `writeKey` — is
 * refused (`revoked_credentials`, naming where), whatever else it carries. Otherwise an active key
 * in the header is the request's key (a body `writeKey` none of ours beside it is passed over, as a
 * Bearer token none of ours is beside an active body key); a Basic user name none of ours is
 * refused, as Basic is the write key itself. docs/keys.md, "Sending a key", has the table.
 *
 * The check is given as a preHandler; {@link checkKeysBeforeBody} also runs it on request, before
 * the body is read, and the preHandler then passes a request already checked, but for the body's
 * `writeKey` of a collection request, checked once the body is read. Without that hook (an app of
 * a test) the preHandler alone checks, after the body.
 *
 * @example
 * app.post('/v1/decide', { preHandler: requireKey(keys, 'server', 'ask for a decision') }, handler);
 */
export function requireKey(keys: Keys, need: KeyKind, action: string) {
  const passed = new WeakSet<FastifyRequest>();
  const check = async (req: FastifyRequest): Promise<void> => {
    // With no header, a revoked key anywhere the body names one refuses the request first, before
    // which of its keys would be the request's is asked.
    if (!hasAuthorization(req) && isCollect(req)) await refuseRevokedInBody(keys, req);
    const sent = secretOf(req, need === 'write');
    if (!sent) throw new TactError('missing_credentials');
    let key = await activeKey(keys, sent.secret, sent.header ? IN_HEADER : IN_BODY);
    if (key && sent.header) await refuseRevokedInBody(keys, req);
    if (!key && sent.bearer && isCollect(req)) {
      // Segment's OAuth: the token is none of ours and not checked (Tact is not Segment's
      // authorization server); the body's `writeKey` decides, as with no header.
      const inBody = writeKeyInBody(req.body);
      key = inBody === undefined ? undefined : await activeKey(keys, inBody, IN_BODY);
      if (!key) throw new TactError('invalid_credentials', { where: `${IN_HEADER} or in ${IN_BODY}` });
    }
    if (!key) throw new TactError('invalid_credentials', { where: sent.header ? IN_HEADER : IN_BODY });
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
    // the server read (500 KB, a single call's body as a batch's, counted after decompression).
    if (!hasAuthorization(req) && need === 'write' && isCollect(req)) return;
    try {
      await check(req);
    } catch (err) {
      // Nor a collection request whose Bearer token is none of ours: Segment's clients with OAuth
      // send their access token so and the write key as `writeKey` in the body, read first. (A
      // revoked key of ours is `revoked_credentials`, refused here.)
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
    else await refuseRevokedInBody(keys, req);
  }, { keyKind: need, beforeBody });
}

const IN_HEADER = 'the `Authorization` header';
const IN_BODY = 'the body\'s `writeKey`';

/** The active key of a secret; undefined when it is none of ours; a revoked one refuses the request, naming where it was. */
async function activeKey(keys: Keys, secret: string, where: string): Promise<ApiKey | undefined> {
  const key = await keys.identify(secret);
  if (key && key.revokedAt !== null) throw new TactError('revoked_credentials', { where });
  return key;
}

/**
 * Refuses a collection request whose body's `writeKey` is a revoked key, though its header holds an
 * active one: a request presenting a revoked key is refused whatever else it carries. Before the
 * body is read (no body yet) there is nothing to look at; the preHandler looks again after.
 */
async function refuseRevokedInBody(keys: Keys, req: FastifyRequest): Promise<void> {
  if (!isCollect(req)) return;
  // Every key the body names — the batch's own and each message's — is one the request presents.
  const known = headerSecret(req);
  for (const k of writeKeysInBody(req.body, known)) if (k !== known) await activeKey(keys, k, IN_BODY);
}

/** The key the request's header carries (checked already), for skipping a body key that is the same. */
function headerSecret(req: FastifyRequest): string | undefined {
  try {
    return secretOf(req, true)?.secret;
  } catch {
    return undefined;
  }
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
const malformed = (detail: string, place = '`Authorization` header') => new TactError('malformed_credentials', { place, detail });

/**
 * The secret a request carries. A header given is the one place looked at; its faults are told
 * without quoting it (a key sent without a scheme would otherwise be repeated, and logged).
 */
function secretOf(req: FastifyRequest, takesWriteKey: boolean): { secret: string; header?: true; basic?: true; bearer?: true } | undefined {
  const h = req.headers.authorization;
  if (h !== undefined && h.trim() !== '') {
    // RFC 9110 §11.4: the scheme (any case), one or more spaces, the credentials.
    const m = /^([A-Za-z]+)(?:[ \t]+(.*))?$/.exec(h.trim());
    const scheme = m?.[1].toLowerCase();
    const value = m?.[2]?.trim() ?? '';
    if (scheme === 'bearer') {
      if (!value) throw malformed('says `Bearer` but holds no key after it; send `Authorization: Bearer <key>`.');
      if (/\s/.test(value)) throw malformed('holds more than one word after `Bearer`; send `Authorization: Bearer <key>` with the key alone.');
      return { secret: value, header: true, bearer: true };
    }
    if (scheme === 'basic') {
      if (!takesWriteKey) throw malformed(`is HTTP Basic, which carries only the write key (collection, \`/v1/decide\`, \`/v1/outcomes\`); this endpoint ${BEARER_ONLY}.`);
      return { secret: basicUser(value), header: true, basic: true };
    }
    throw malformed(takesWriteKey
      ? 'must be `Basic` with the write key as the user name and an empty password, or `Bearer <key>`.'
      : `must be \`Bearer <key>\`: this endpoint ${BEARER_ONLY}.`);
  }
  if (!isCollect(req)) return undefined;
  const inBody = writeKeyInBody(req.body);
  if (inBody) return { secret: inBody };
  const bad = malformedWriteKey(req.body);
  if (bad) throw bad;
  return undefined;
}

/**
 * The refusal of a body whose `writeKey` is there but holds no key — of another type (a number,
 * `null`) or empty — which would otherwise read as no key sent at all; undefined when it holds a
 * string or is not there. A string is never quoted: it may be a key.
 */
function malformedWriteKey(body: unknown): TactError | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    if (!body.includes('"writeKey"') || writeKeyInText(body)) return undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (!parsed || typeof parsed !== 'object' || !Object.hasOwn(parsed, 'writeKey')) return undefined;
  const v = (parsed as { writeKey: unknown }).writeKey;
  const place = 'body\'s `writeKey`';
  if (v === '') return malformed('is empty. Send the write key there, or as the HTTP Basic user name.', place);
  if (typeof v === 'string') return undefined;
  return malformed(`must be a string, the write key; it was ${describeValue(v)}. Send the write key there as a string, or as the HTTP Basic user name.`, place);
}

/**
 * The `writeKey` a collection body authenticates with, parsed or still text; undefined when it
 * names none: a single call's own; a batch's own, else the one its messages name. Messages naming
 * different keys (and no key of the batch's own) are refused: which would be the request's?
 */
function writeKeyInBody(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const own = (body as { writeKey?: unknown }).writeKey;
    return typeof own === 'string' && own ? own : undefined;
  }
  if (typeof body !== 'string') return undefined;
  const found = bodyKeys(body);
  if (found.own !== undefined) return found.own || undefined;
  if (found.messages.length > 1) throw malformed(`names ${found.messages.length} different keys on the batch's messages and none of the batch's own; send one write key (as the batch's \`writeKey\`, or the HTTP Basic user name).`, 'body\'s `writeKey`');
  return found.messages[0];
}

/**
 * Every key a collection body names (the batch's own and its messages'), for the revocation check.
 * A text body whose every `writeKey` is `known` (the header's key, checked already) is not parsed.
 */
function writeKeysInBody(body: unknown, known?: string): string[] {
  if (body && typeof body === 'object') {
    const own = (body as { writeKey?: unknown }).writeKey;
    return typeof own === 'string' && own ? [own] : [];
  }
  if (typeof body !== 'string' || !body.includes('"writeKey"')) return [];
  if (known !== undefined) {
    let other = false;
    for (const m of body.matchAll(WRITE_KEY)) if (unescaped(m[1]) !== known) other = true;
    if (!other) return [];
  }
  const found = bodyKeys(body);
  return [...(found.own ? [found.own] : []), ...found.messages];
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

// A value with escapes in it (`\u006b` for `k`) is matched too, and read as the string it writes
// (until 2026-12-08 such a value was not matched at all, and a revoked
// key written with an escape passed beside a good one in the header).
const WRITE_KEY = /"writeKey"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** A JSON string's text as the string it writes (`tact_w_\\u006b` → `tact_w_k`); as written when it is not one. */
function unescaped(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * The `writeKey` a batch body still held as text authenticates with (the batch routes read their
 * bodies in a parse worker), as {@link writeKeyInBody} reads it: the batch's own (`{"batch": […],
 * "writeKey": …}`, as @segment/analytics-node sends it), else its messages' one (analytics.js puts
 * it on each message). A `writeKey` deeper in a message — an event's property — is data: it neither
 * authenticates the request nor has it refused (until 2026-12-05 a text scan took it wherever it was).
 *
 * @example
 * writeKeyInText('{"batch":[{"type":"track","properties":{"writeKey":"x"}}]}'); // undefined
 */
export function writeKeyInText(text: string): string | undefined {
  return text.includes('"writeKey"') ? writeKeyInBody(text) : undefined;
}

/** The last body {@link bodyKeys} read: a request's checks ask for it twice. */
let lastRead: { text: string; keys: { own?: string; messages: string[] } } | undefined;

/** The batch's own `writeKey` ('' when it is there but no string or empty) and the distinct ones of its messages. */
function bodyKeys(text: string): { own?: string; messages: string[] } {
  if (lastRead?.text === text) return lastRead.keys;
  const keys = readBodyKeys(text);
  lastRead = { text, keys };
  return keys;
}

function readBodyKeys(text: string): { own?: string; messages: string[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the one key its text names, if one, so that the answer is the body's fault (400
    // `invalid_json`, saying where) rather than a missing key the client did send.
    const named = new Set([...text.matchAll(WRITE_KEY)].map((m) => unescaped(m[1])));
    return named.size === 1 ? { own: [...named][0], messages: [] } : { messages: [] };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { messages: [] };
  const own = (body as { writeKey?: unknown }).writeKey;
  const messages = new Set<string>();
  const batch = (body as { batch?: unknown }).batch;
  if (Array.isArray(batch)) {
    for (const m of batch) {
      const k = m && typeof m === 'object' ? (m as { writeKey?: unknown }).writeKey : undefined;
      if (typeof k === 'string' && k) messages.add(k);
    }
  }
  return { ...(own !== undefined ? { own: typeof own === 'string' ? own : '' } : {}), messages: [...messages] };
}
