import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { subjectWarningsSchema } from '../../decide/routes/schemas.js';
import { validationError } from '../../errors/tact-error.js';
import { mergeRulesKind } from '../../identity/merge-rules-kind.js';
import { findProfile, subjectWarnings } from '../../profiles/lookup.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import { requireKey } from '../../server/auth.js';
import type { Tact } from '../../server/tact.js';
import { rerankListProblems } from './rerank-list.js';

const anyObj = { type: 'object', additionalProperties: true } as const;
/** The answers: open, with the optional `warnings` about a subject no profile holds whose kind looks misspelt. */
const warnedObj = { ...anyObj, properties: { warnings: subjectWarningsSchema } } as const;
const ids = { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 } as const;
const filters = { type: 'object', additionalProperties: false, properties: { exclude: ids, outOfStock: ids, rule: { type: 'string', minLength: 1 } } } as const;

/**
 * POST /v1/recommendations and POST /v1/rerank.
 *
 * @example
 * await recommendRoutes(app, tact); // POST /v1/recommendations { subject: 'ana', n: 5 }
 */
export async function recommendRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'ask for recommendations');
  const subjectOf = async (identifier: string): Promise<ProfileState | undefined> => {
    const found = await findProfile(tact.store.profiles, identifier);
    return found ? tact.store.profiles.getProfile(found.profileId) : undefined;
  };
  // A subject no profile holds is answered as a new one; a kind near one of Tact's (`emial:`) is most likely a typo, and said so.
  const warned = (subject: ProfileState | undefined, identifier: string) => {
    const warnings = subject ? [] : subjectWarnings(identifier, tact.settings.get(mergeRulesKind));
    return warnings.length ? { warnings } : {};
  };

  app.post<{ Body: { subject: string; n?: number; placement?: string; filters?: { exclude?: string[]; outOfStock?: string[]; rule?: string } } }>('/v1/recommendations', {
    preHandler: auth,
    schema: {
      tags: ['learn'],
      summary: 'Items for a subject, each explained ("because you viewed X", "popular with other customers")',
      description: 'The history is read fresh from the profile (a purchase made a second ago is already excluded). Filters: already purchased, out of stock (configured and `filters.outOfStock`), `filters.exclude`, the configured rule, the placement\'s rule and `filters.rule` (CEL over `item` — its id and the attributes of `recommendations.items` — and the profile). An item a rule cannot be evaluated on is left out and counted in `ruleErrors` and `note`. An unknown subject gets the popular items; when its identifier names a kind near one of Tact\'s but none of them (`emial:…`), `warnings` says which was likely meant (as GET /v1/profiles/{identifier} does in its 404).',
      body: {
        type: 'object',
        required: ['subject'],
        additionalProperties: false,
        properties: {
          subject: { type: 'string', minLength: 1, description: 'An identifier as for GET /v1/profiles/{identifier}.' },
          n: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          placement: { type: 'string', minLength: 1 },
          filters,
        },
      },
      response: { 200: warnedObj, 400: errorSchema, 401: errorSchema, 403: errorSchema },
    },
  }, async (req) => {
    const subject = await subjectOf(req.body.subject);
    const r = await tact.learning.recommender.recommend({ subject, n: req.body.n ?? 10, placement: req.body.placement, filters: req.body.filters }, Date.now());
    return { subject: { id: subject?.id ?? null, known: !!subject }, placement: req.body.placement ?? null, ...r, ...warned(subject, req.body.subject) };
  });

  app.post<{ Body: { subject: string; items: { id: string; relevance: number }[]; maxWeight?: number; placement?: string; filters?: { exclude?: string[]; outOfStock?: string[]; rule?: string } } }>('/v1/rerank', {
    preHandler: auth,
    schema: {
      tags: ['learn'],
      summary: "Re-rank the caller's list, blending its relevance with the subject's affinities",
      description: 'The affinity weight grows with the subject\'s evidence (maxWeight · n/(n + 10)): a subject without history gets the list back in its own order. Each item once, each relevance a finite number. The business filters of POST /v1/recommendations apply first — already purchased (read fresh), out of stock (configured and `filters.outOfStock`), `filters.exclude` and the placement\'s exclusions, the configured rule, the placement\'s rule and `filters.rule` — and `dropped` lists each item left out with its reason; items the subject only viewed stay (the list is what the subject asked for). A rule that could not be evaluated on some items is counted in `ruleErrors` and `note`.',
      body: {
        type: 'object',
        required: ['subject', 'items'],
        additionalProperties: false,
        properties: {
          subject: { type: 'string', minLength: 1 },
          items: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', required: ['id', 'relevance'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1 }, relevance: { description: 'A finite number (checked without coercion: null or "2" is refused, naming the field).' } } } },
          maxWeight: { type: 'number', minimum: 0, maximum: 1 },
          placement: { type: 'string', minLength: 1, description: 'A placement of the recommendations settings: its rule and exclusions apply.' },
          filters,
        },
      },
      response: { 200: warnedObj, 400: errorSchema },
    },
  }, async (req) => {
    const problems = rerankListProblems(req.body.items, 'items');
    if (problems.length) throw validationError(problems);
    const subject = await subjectOf(req.body.subject);
    const r = await tact.learning.recommender.rerank({ subject, items: req.body.items, maxWeight: req.body.maxWeight, placement: req.body.placement, filters: req.body.filters }, Date.now());
    return { subject: { id: subject?.id ?? null, known: !!subject }, ...r, ...warned(subject, req.body.subject) };
  });
}
