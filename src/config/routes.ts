import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { nameNotFound } from '../errors/not-found.js';
import { schemaProblem } from '../errors/schema-problems.js';
import { type FieldProblem, validationError } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import { MAX_FREE_TEXT } from '../server/free-text.js';
import type { Tact } from '../server/tact.js';
import { redactSecrets } from './secrets.js';

const anyBody = {} as const;
const docSchema = {
  type: 'object',
  required: ['kind', 'version', 'body', 'author', 'reason', 'createdAt'],
  properties: { kind: { type: 'string' }, version: { type: 'integer' }, body: { ...anyBody, description: 'The document (docs/configuration.md has each kind); its secrets read `{"redacted": true}`.' }, author: { type: 'string' }, reason: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

/** What this version's checks say of a stored document: empty when it passes. */
const problemsSchema = {
  type: 'array',
  description: 'What this version of Tact refuses in the stored document (written by an earlier version, say): it stays in force as stored until changed.',
  items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
} as const;

const warningItems = { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } as const;

/** What PUT answers of the document it applied: empty when there is nothing to say. */
const warningsSchema = {
  type: 'array',
  description: 'What the document does that it likely does not mean, against the configuration in force (a placement\'s bandit floor above the policy\'s exploration budget, which caps it): applied all the same.',
  items: warningItems,
} as const;

/** What GET answers of the version in force: the same warnings, as they stand now. */
const storedWarningsSchema = {
  type: 'array',
  description: 'What the version in force does that it likely does not mean, against the other documents in force when it is read (a placement\'s bandit floor above the policy\'s exploration budget, which caps it): the warnings its PUT answered, as they stand now — a change to the other document clears or changes them. In force all the same; empty when there is nothing to say, or while `problems` is not empty.',
  items: warningItems,
} as const;

/** GET /v1/config: each kind with the version in force (0: nothing written yet), how many problems this version's checks find in it, and how many warnings it carries. */
const kindsSchema = {
  type: 'object',
  required: ['kinds', 'epoch'],
  properties: {
    kinds: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'configKey', 'description', 'version', 'problems', 'warnings'],
        properties: {
          kind: { type: 'string', description: 'The name in /v1/config/{kind}.' },
          configKey: { type: 'string', description: 'Its key in the config file.' },
          description: { type: 'string' },
          version: { type: 'integer', description: 'The version in force; 0 when nothing was written yet.' },
          problems: { type: 'integer', description: 'How many problems this version\'s checks find in the stored document (GET /v1/config/{kind} lists them).' },
          warnings: { type: 'integer', description: 'How many warnings the version in force carries against the other documents as they are now (GET /v1/config/{kind} lists them); 0 while `problems` is not.' },
        },
      },
    },
    epoch: { type: 'integer', description: 'Changes whenever any kind changes.' },
  },
} as const;

/** The `document` problem of a PUT that sent the document under the name a GET answers it by. */
export const DOCUMENT_SENT_AS_BODY = 'The `document` property is required: send the configuration as `document` (a GET answers it as `body`, which a PUT does not read).';

/**
 * A PUT /v1/config/{kind} body that holds `body` and no `document` — a GET's answer sent back —
 * checked by the route's own schema: its problems as the validator would give them (every one,
 * `reason` too), the missing `document` saying which name it takes. Undefined for any other body,
 * which the schema checks as usual ("The `document` property is required. It was not present …").
 *
 * @example
 * documentSentAsBody(req); // [{ field: 'document', message: 'The `document` property is required: send the configuration as `document` (a GET answers it as `body`, …).' }]
 */
function documentSentAsBody(req: FastifyRequest): FieldProblem[] | undefined {
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b) || 'document' in b || !('body' in b)) return undefined;
  const validate = req.getValidationFunction('body');
  if (!validate || validate(b)) return undefined;
  return (validate.errors ?? []).map((e) => schemaProblem(e, 'body', b)).map((p) => (p.field === 'document' ? { ...p, message: DOCUMENT_SENT_AS_BODY } : p));
}

/** Who changed a document: the author the caller names, else the key's label. */
export function authorOf(req: FastifyRequest, given?: unknown): string {
  if (typeof given === 'string' && given.trim()) return given.trim();
  return req.apiKey ? `key ${req.apiKey.label} (${req.apiKey.id.slice(0, 8)})` : 'unknown';
}

/**
 * Versioned configuration through the API: every kind (features, merge rules, tracking plan,
 * lifecycle, …) can be read, replaced with a reason, and its history listed. A kind's secrets are
 * never answered (`{"redacted": true}` in their place), to the admin key neither.
 */
export async function configRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read configuration');
  const write = requireKey(tact.keys, 'admin', 'change configuration');
  const kindOf = (name: string) => {
    const k = tact.settings.kind(name);
    if (!k) throw nameNotFound({ one: 'configuration kind', many: 'configuration kinds' }, name, tact.settings.allKinds().map((x) => x.kind));
    return k;
  };
  // Every document the API answers goes through here: its secrets are write-only, whatever the key.
  const show = (d: { kind: string; version: number; body: unknown; author: string; reason: string; createdAt: number }) =>
    ({ ...d, body: redactSecrets(d.body, tact.settings.kind(d.kind)?.secrets), createdAt: new Date(d.createdAt).toISOString() });

  app.get('/v1/config', { preHandler: read, schema: { tags: ['config'], summary: 'Every configuration kind with the version in force', response: { 200: kindsSchema } } }, async () => ({
    kinds: await Promise.all(tact.settings.allKinds().map(async (k) => ({ kind: k.kind, configKey: k.configKey, description: k.description, version: tact.settings.version(k.kind), problems: (await tact.settings.storedProblems(k.kind)).length, warnings: (await tact.settings.storedWarnings(k.kind)).length }))),
    epoch: tact.settings.epoch,
  }));

  app.get<{ Params: { kind: string } }>('/v1/config/:kind', {
    preHandler: read,
    schema: {
      tags: ['config'],
      summary: 'The version of a configuration kind in force',
      params: { type: 'object', properties: { kind: { type: 'string' } } },
      response: { 200: { type: 'object', properties: { ...docSchema.properties, problems: problemsSchema, warnings: storedWarningsSchema } }, 404: errorSchema },
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    const d = await tact.store.documents.latest(k.kind);
    // What this version's checks say of the stored document (written by an earlier version, say).
    const problems = d ? await tact.settings.storedProblems(k.kind) : [];
    // And what it contradicts in the other documents now (a PUT answered the same, against them as they were).
    const warnings = await tact.settings.storedWarnings(k.kind);
    return { ...show(d ?? { kind: k.kind, version: 0, body: k.empty, author: 'default', reason: 'nothing written yet', createdAt: 0 }), problems, warnings };
  });

  app.get<{ Params: { kind: string }; Querystring: { limit?: number } }>('/v1/config/:kind/history', {
    preHandler: read,
    schema: {
      tags: ['config'],
      summary: 'Earlier versions, newest first',
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
      response: { 200: { type: 'object', required: ['versions'], properties: { versions: { type: 'array', items: docSchema } } }, 404: errorSchema },
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    return { versions: (await tact.store.documents.history(k.kind, req.query.limit ?? 50)).map(show) };
  });

  app.put<{ Params: { kind: string }; Body: { document: unknown; reason: string; author?: string; expectedVersion?: number } }>('/v1/config/:kind', {
    preHandler: write,
    schema: {
      tags: ['config'],
      summary: 'Replace a configuration kind (a new version, with its reason)',
      body: {
        type: 'object',
        required: ['document', 'reason'],
        // A misspelt `expectedVersion` would otherwise switch off the conflict check unseen.
        additionalProperties: false,
        properties: {
          document: { description: 'The new document (see docs/configuration.md for each kind).' },
          reason: { type: 'string', minLength: 1, maxLength: MAX_FREE_TEXT, description: 'Why: kept with the version.' },
          author: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Who: kept with the version (default: the label of the key used).' },
          expectedVersion: { type: 'integer', minimum: 0, maximum: 2_147_483_647, description: 'Refuse the change (409) unless this is the version in force.' },
        },
      },
      response: { 200: { type: 'object', properties: { ...docSchema.properties, epoch: { type: 'integer' }, warnings: warningsSchema } }, 400: errorSchema, 409: errorSchema },
    },
    preValidation: async (req) => {
      const problems = documentSentAsBody(req);
      if (problems) throw validationError(problems);
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    const r = await tact.applyDocument(k.kind, req.body.document, { author: authorOf(req, req.body.author), reason: req.body.reason, expectedVersion: req.body.expectedVersion });
    return { ...show(r), epoch: r.epoch, warnings: r.warnings };
  });
}
