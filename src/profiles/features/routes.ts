import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { refuseBlank } from '../../config/blank-text.js';
import { authorOf } from '../../config/routes.js';
import { nameNotFound } from '../../errors/not-found.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import { requireKey } from '../../server/auth.js';
import { MAX_FREE_TEXT } from '../../server/free-text.js';
import { withOptionalBody } from '../../server/openapi-optional-body.js';
import type { Tact } from '../../server/tact.js';
import { checkFeature, type FeatureDefinition } from './definition.js';
import { featuresKind } from './features-kind.js';
import { whereErrorsView } from './where-errors.js';

/** A feature's definition as stored (docs/configuration.md, "Features"); fields a later version adds pass through. */
const definitionSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['name', 'kind'],
  properties: {
    name: { type: 'string' }, kind: { type: 'string' }, event: { type: 'string' }, type: { type: 'string' }, property: { type: 'string' },
    where: { type: 'string' }, halfLife: { type: 'string' }, limit: { type: 'integer' }, description: { type: 'string' },
  },
} as const;

/** How far a feature's backfill over the stored events has come. */
const backfillSchema = {
  type: 'object',
  required: ['state', 'progress'],
  properties: {
    state: { type: 'string', description: 'The backfill job\'s state (`running`, `done`, …); `done` when there is nothing to backfill; `unplanned` when the definition has no backfill job (stored by a version before 2026-12-05 that stopped before planning it: its values hold only the events since it was stored; remove the feature and add it again to backfill it).' },
    progress: { type: 'number', minimum: 0, maximum: 1, description: 'The share of the stored events folded so far.' },
  },
} as const;

/** A feature with no backfill job (FeatureBackfill.status names every feature in force; this is never `done`). */
const UNPLANNED = { state: 'unplanned', progress: 0 };

/** How often a feature's `where` failed on an event in this process (present only when it did). */
const whereErrorsSchema = {
  type: 'object',
  required: ['count', 'firstAt', 'lastAt', 'lastMessage', 'lastEvent'],
  description: 'Events on which the feature\'s `where` failed (a value of another type than it compares, such as `"revenue": "120"` against `> 100`): they do not count. Counted by this process since the features were last loaded (its start, or any configuration change); a missing key is an ordinary non-match and not counted. Present only when there was an error.',
  properties: {
    count: { type: 'integer', description: 'How many evaluations failed.' },
    firstAt: { type: 'string', format: 'date-time', description: 'When the first failed.' },
    lastAt: { type: 'string', format: 'date-time', description: 'When the last failed.' },
    lastMessage: { type: 'string', description: 'The last error, such as `no such overload: dyn<string> > int`.' },
    lastEvent: { type: 'string', description: 'The track event name of the last event it failed on, or the message type of another call.' },
  },
} as const;

/** The computed features: list them with their backfill state, add one (it backfills), remove one. */
export async function featureRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read feature definitions');
  const write = requireKey(tact.keys, 'admin', 'change feature definitions');
  const current = async () => ((await tact.store.documents.latest<FeatureDefinition[]>('features'))?.body ?? []);

  app.get('/v1/features', {
    preHandler: read,
    schema: {
      tags: ['profiles'],
      summary: 'Feature definitions with their backfill state',
      response: {
        200: {
          type: 'object',
          required: ['version', 'features'],
          properties: {
            version: { type: 'integer', description: 'The version of the `features` configuration in force.' },
            features: { type: 'array', items: { ...definitionSchema, required: [...definitionSchema.required, 'hash', 'backfill'], properties: { ...definitionSchema.properties, hash: { type: 'string', description: 'Short hash of the definition.' }, backfill: backfillSchema, whereErrors: whereErrorsSchema } } },
          },
        },
      },
    },
  }, async () => {
    const status = await tact.backfill.status();
    return {
      version: tact.settings.version('features'),
      features: tact.settings.get(featuresKind).map((f) => ({ ...f.def, hash: f.hash, backfill: status.get(f.def.name) ?? UNPLANNED, whereErrors: whereErrorsView(f.whereErrors) })),
    };
  });

  app.post<{ Body: FeatureDefinition & { reason?: string; author?: string } }>('/v1/features', {
    preHandler: write,
    schema: {
      tags: ['profiles'],
      summary: 'Add a feature; it is computed live from now on and backfilled from stored events',
      body: { type: 'object', required: ['name', 'kind'], properties: { name: { type: 'string' }, kind: { type: 'string' }, event: { type: 'string' }, type: { type: 'string' }, property: { type: 'string' }, where: { type: 'string' }, halfLife: { type: 'string' }, limit: { type: 'integer' }, description: { type: 'string', maxLength: MAX_FREE_TEXT }, reason: { type: 'string', maxLength: MAX_FREE_TEXT }, author: { type: 'string', maxLength: MAX_FREE_TEXT } } },
      response: {
        201: { type: 'object', required: ['feature', 'version', 'backfill'], properties: { feature: definitionSchema, version: { type: 'integer', description: 'The new version of the `features` configuration.' }, backfill: backfillSchema } },
        400: errorSchema,
        409: errorSchema,
      },
    },
  }, async (req, reply) => {
    const { reason, author, ...def } = req.body;
    // Checked alone first, so a problem names the field of the body sent (`event`), not the
    // place the feature would take in the stored list (`features[2].event`).
    const own = checkFeature(def, '');
    if (own.length) throw validationError(own);
    const list = await current();
    if (list.some((f) => f.name === def.name)) throw new TactError('conflict', { detail: `A feature named \`${def.name}\` exists already; change it with PUT /v1/config/features or remove it first.` });
    refuseBlank({ reason });
    const by = authorOf(req, author);
    const r = await tact.applyDocument('features', [...list, def], { author: by, reason: reason ?? `add feature ${def.name}` });
    tact.log.info({ kind: 'features', version: r.version, author: by, key: req.apiKey?.id, keyLabel: req.apiKey?.label, feature: def.name }, 'configuration changed');
    const status = await tact.backfill.status();
    void reply.status(201);
    return { feature: def, version: r.version, backfill: status.get(def.name) ?? UNPLANNED };
  });

  app.delete<{ Params: { name: string }; Querystring: { reason?: string }; Body: { reason?: string } }>('/v1/features/:name', {
    preHandler: write,
    schema: withOptionalBody({
      tags: ['profiles'],
      summary: 'Remove a feature definition',
      description: 'The `reason` is taken from the query (`?reason=…`) or from an optional JSON body `{ "reason": "…" }`; both may be sent only with the same value.',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Why: kept with the new version of `features` (default "remove feature <name>").' } } },
      body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Why, as the query parameter `reason` (send it in one place, or the same in both).' } } },
      response: { 200: { type: 'object', required: ['removed', 'version'], properties: { removed: { type: 'string', description: 'The name of the feature removed.' }, version: { type: 'integer', description: 'The new version of the `features` configuration.' } } }, 400: errorSchema, 404: errorSchema },
    }),
    // The body is optional: a request without one is checked as `{}` (Fastify checks the body even when none was sent).
    preValidation: async (req) => {
      req.body ??= {};
    },
  }, async (req) => {
    const list = await current();
    if (!list.some((f) => f.name === req.params.name)) throw nameNotFound({ one: 'feature', many: 'features', listedAt: 'GET /v1/config/features' }, req.params.name, list.map((f) => f.name));
    const reason = removalReason(req.query.reason, req.body?.reason);
    const by = authorOf(req);
    const r = await tact.applyDocument('features', list.filter((f) => f.name !== req.params.name), { author: by, reason: reason ?? `remove feature ${req.params.name}` });
    tact.log.info({ kind: 'features', version: r.version, author: by, key: req.apiKey?.id, keyLabel: req.apiKey?.label, feature: req.params.name }, 'configuration changed');
    return { removed: req.params.name, version: r.version };
  });
}

/**
 * The `reason` of a removal, sent in the query or in the body: one that is blank is a 400 naming
 * where it was sent (`querystring.reason` or `reason`), and so are two that differ (until
 * 2026-12-06 a body's `reason` was refused as one the route did not read).
 *
 * @example
 * removalReason(undefined, 'no longer used'); // 'no longer used'
 */
function removalReason(query: string | undefined, body: string | undefined): string | undefined {
  refuseBlank({ 'querystring.reason': query, reason: body });
  if (query !== undefined && body !== undefined && query !== body) {
    throw validationError([{ field: 'reason', message: 'The `reason` in the body differs from the `reason` in the query: send it in one place (or the same in both).' }]);
  }
  return body ?? query;
}
