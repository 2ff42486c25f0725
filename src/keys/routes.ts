import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { noQuery } from '../config/route-schemas.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import type { KeyKind } from './key-store.js';
import { revokeUnlessLastAdmin } from './last-admin.js';
import { MAX_LABEL } from './keys.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A key as the API answers it: never its secret (but once, when made) nor its hash. */
const keySchema = {
  type: 'object',
  required: ['id', 'kind', 'label', 'createdAt', 'revokedAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['write', 'server', 'admin'] },
    label: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time', nullable: true, description: 'When it was revoked; null while it is active.' },
  },
} as const;

/**
 * Admin: list, make and revoke API keys. A new key's secret is shown once. Making and revoking are
 * logged (the key's id, kind and label, and the id of the admin key that did it; never a secret).
 */
export async function keyRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const admin = requireKey(tact.keys, 'admin', 'manage keys');
  app.get('/v1/keys', { preHandler: admin, schema: { tags: ['keys'], summary: 'Every key (never the secrets)', querystring: noQuery, response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: keySchema } } } } } }, async () => ({
    keys: (await tact.keys.list()).map((k) => ({ ...k, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt) })),
  }));
  app.post<{ Body: { kind: KeyKind; label: string } }>('/v1/keys', {
    preHandler: admin,
    schema: {
      tags: ['keys'],
      summary: 'Make a key; the secret is in this answer only',
      querystring: noQuery,
      body: { type: 'object', required: ['kind', 'label'], properties: { kind: { type: 'string', enum: ['write', 'server', 'admin'] }, label: { type: 'string', minLength: 1, maxLength: MAX_LABEL } }, additionalProperties: false },
      response: {
        201: { ...keySchema, required: [...keySchema.required, 'secret'], properties: { ...keySchema.properties, secret: { type: 'string', description: 'The key itself: shown in this answer only (only its hash is stored).' } } },
        400: errorSchema,
      },
    },
  }, async (req, reply) => {
    const { key, secret } = await tact.keys.create(req.body.kind, req.body.label);
    tact.log.info({ key: key.id, kind: key.kind, label: key.label, by: req.apiKey?.id }, 'key created');
    void reply.status(201);
    return { ...key, createdAt: iso(key.createdAt), revokedAt: null, secret };
  });
  app.delete<{ Params: { id: string } }>('/v1/keys/:id', { preHandler: admin, schema: { tags: ['keys'], summary: 'Revoke a key (effective within 5 seconds everywhere)', querystring: noQuery, response: { 200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'string', description: 'The id of the key revoked.' } } }, 404: errorSchema, 409: errorSchema } } }, async (req) => {
    const key = (await tact.keys.list()).find((k) => k.id === req.params.id);
    const done = await revokeUnlessLastAdmin(tact.keys, req.params.id);
    tact.log.info({ key: done.revoked, kind: key?.kind, label: key?.label, by: req.apiKey?.id }, 'key revoked');
    return done;
  });
}
