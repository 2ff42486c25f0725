import type { FastifyRequest } from 'fastify';
import { TactError } from '../errors/tact-error.js';
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
 * Finds and checks the request's key. Collection accepts the write key as the HTTP Basic user
 * name or as `writeKey` in the body (as analytics.js sends it), and also server and admin keys;
 * everything else takes `Authorization: Bearer <key>` of at least the needed kind.
 *
 * @example
 * app.post('/v1/decide', { preHandler: requireKey(keys, 'server', 'ask for a decision') }, handler);
 */
export function requireKey(keys: Keys, need: KeyKind, action: string) {
  return async (req: FastifyRequest): Promise<void> => {
    const secret = secretOf(req, need === 'write');
    if (!secret) throw new TactError('missing_credentials');
    const key = await keys.authenticate(secret);
    if (!key) throw new TactError('invalid_credentials');
    if (need === 'write' ? false : RANK[key.kind] < RANK[need]) {
      throw new TactError('forbidden', { have: key.kind, action, need });
    }
    req.apiKey = key;
  };
}

function secretOf(req: FastifyRequest, collection: boolean): string | undefined {
  const h = req.headers.authorization;
  if (h) {
    const [scheme, value] = h.split(' ', 2);
    if (/^bearer$/i.test(scheme) && value) return value.trim();
    if (/^basic$/i.test(scheme) && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const user = decoded.split(':')[0];
      if (user) return user;
    }
  }
  if (collection && req.body && typeof req.body === 'object' && typeof (req.body as { writeKey?: unknown }).writeKey === 'string') {
    return (req.body as { writeKey: string }).writeKey;
  }
  if (collection && typeof req.body === 'string') return writeKeyInText(req.body);
  return undefined;
}

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
